import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  AdamW,
  EmaHead,
  Lars,
  NnclrInputError,
  NnclrTrainer,
  type NnclrTrainerOptions,
  PredictionHead,
  ProjectionHead,
  SupportSet,
  type TwoViewBatch,
  warmupCosine,
} from './index';
import { gaussians } from './random';

/** 4 clusters in 8-D; two views = the same point plus independent noise. */
function batch(step: number, n = 16): TwoViewBatch {
  return tf.tidy(() => {
    const labels = Array.from({ length: n }, (_, i) => (i + step) % 4);
    const centres = tf.tensor2d(gaussians(32, 99), [4, 8]);
    const x = tf.gather(centres, tf.tensor1d(labels, 'int32'));
    const view = (s: number) =>
      tf.add(x, tf.mul(tf.tensor2d(gaussians(n * 8, 1000 + step * 2 + s), [n, 8]), 0.3));
    const ids = labels.map((_, i) => (step * n + i) % 64);
    return { view0: tf.keep(view(0)), view1: tf.keep(view(1)), ids, labels };
  });
}

function setup(extra: Partial<NnclrTrainerOptions> = {}) {
  const encoder = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 16,
        inputShape: [8],
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
    ],
  });
  const projector = new ProjectionHead({ units: [16, 8], seed: 2 });
  const predictor = new PredictionHead({ units: [16, 8], seed: 3 });
  const supportSet = new SupportSet({ size: 64, dim: 8, seed: 4 });
  const optimizer = new AdamW({ learningRate: 3e-3, weightDecay: 1e-4 });
  const trainer = new NnclrTrainer({ encoder, projector, predictor, supportSet, optimizer, ...extra });
  const dispose = () => {
    encoder.dispose();
    projector.dispose();
    predictor.dispose();
    supportSet.dispose();
    optimizer.dispose();
  };
  return { encoder, projector, predictor, supportSet, optimizer, trainer, dispose };
}

describeBackends('NnclrTrainer', () => {
  it('a step: finite loss, view 0 enqueued with ids and labels, nn accuracy, no leaks', async () => {
    const s = setup();
    const b = batch(0);
    const info = s.trainer.trainStep(b);
    expect(Number.isFinite(info.loss)).toBe(true);
    expect(info.step).toBe(0);
    expect(info.nnAccuracy).toBeGreaterThanOrEqual(0);
    expect(s.supportSet.pointer).toBe(16);
    expect(Array.from(s.supportSet.idsAt([0, 1, 15]))).toEqual([0, 1, 15]);
    expect(Array.from(s.supportSet.labelsAt([0, 1, 15]))).toEqual([0, 1, 3]);
    await expectNoLeakedTensors(() => s.trainer.trainStep(b));
    tf.dispose([b.view0, b.view1]);
    s.dispose();
  });

  it('fit: the loss goes down and neighbours become same-cluster (4 clusters, 40 steps)', async () => {
    const s = setup({ loss: { temperature: 0.2 } });
    const seen: number[] = [];
    const hist = await s.trainer.fit(
      (function* () {
        for (let i = 0; i < 40; i++) yield batch(i);
      })(),
      { onStep: (i) => seen.push(i.step) },
    );
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const first = mean(hist.slice(0, 5).map((h) => h.loss));
    const last = mean(hist.slice(-5).map((h) => h.loss));
    expect(last).toBeLessThan(first - 0.3);
    expect(mean(hist.slice(-5).map((h) => h.nnAccuracy!))).toBeGreaterThan(0.8);
    s.dispose();
  });

  it('MAE-CT stage 3: EMA projector feeds the queue, top-k neighbours, LARS with a schedule', () => {
    const proj = new ProjectionHead({ units: [16, 8], seed: 2 });
    proj.build([null, 16]);
    const ema = new EmaHead(proj, { momentum: 0.9 });
    const s = setup({
      projector: proj,
      ema,
      topk: 3,
      optimizer: new Lars({ learningRate: 0 }),
      learningRate: (step) => warmupCosine(step, { peak: 0.5, totalSteps: 4, warmupSteps: 2 }),
    });
    const lrs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const b = batch(i);
      const info = s.trainer.trainStep(b);
      lrs.push(info.learningRate!);
      tf.dispose([b.view0, b.view1]);
    }
    expect(lrs[0]).toBe(0);
    expect(lrs[1]).toBeCloseTo(0.25);
    // The queue holds the (normalised) EMA projections of the last batch, not the online ones.
    const b = batch(3);
    const h = s.encoder.apply(b.view0) as tf.Tensor2D;
    const target = ema.apply(h, { training: false });
    const online = proj.apply(h, { training: false }) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(target, online))).dataSync()[0];
    expect(diff).toBeGreaterThan(1e-4);
    tf.dispose([b.view0, b.view1, h, target, online]);
    ema.dispose();
    s.dispose();
  });

  it("an empty queue: the first step uses the sample's own projection, then neighbours", () => {
    const empty = new SupportSet({ size: 64, dim: 8, init: 'empty' });
    const s = setup({ supportSet: empty });
    const b = batch(0);
    const first = s.trainer.trainStep(b);
    expect(Number.isFinite(first.loss)).toBe(true);
    expect(first.nnAccuracy).toBeUndefined();
    expect(empty.filled).toBe(16);
    const second = s.trainer.trainStep(b);
    expect(second.nnAccuracy).toBeGreaterThanOrEqual(0);
    tf.dispose([b.view0, b.view1]);
    empty.dispose();
    s.dispose();
  });

  it('MAE-CT stage 2: a frozen encoder does not change; a function encoder trains its variables', () => {
    const s = setup({ trainEncoder: false });
    const before = s.encoder.getWeights().map((w) => w.arraySync());
    const b = batch(1);
    s.trainer.trainStep(b);
    expect(s.encoder.getWeights().map((w) => w.arraySync())).toEqual(before);
    const w = tf.variable(tf.mul(tf.tensor2d(gaussians(128, 5), [8, 16]), 0.3));
    const f = setup({ encoder: (x) => tf.relu(tf.matMul(x as tf.Tensor2D, w)), variables: [w] });
    const w0 = w.arraySync();
    f.trainer.trainStep(b);
    expect(w.arraySync()).not.toEqual(w0);
    tf.dispose([b.view0, b.view1, w]);
    s.dispose();
    f.dispose();
  });
});

describeBackends('NnclrTrainer bad input', () => {
  it('names the argument, the expected and the received value', () => {
    const s = setup();
    const err = (fn: () => unknown, re: RegExp) => {
      expect(fn).toThrow(NnclrInputError);
      expect(fn).toThrow(re);
    };
    const wrongSet = new SupportSet({ size: 8, dim: 5 });
    err(
      () => new NnclrTrainer({ ...s, supportSet: wrongSet }),
      /options.supportSet must be dim 8 \(the projector's output size\), received dim 5/,
    );
    const b = batch(0);
    const v = tf.ones([16, 7]);
    err(
      () => s.trainer.trainStep({ view0: b.view0, view1: v }),
      /batch.view1 must be shape \[16, 8\] like view0/,
    );
    err(() => s.trainer.trainStep({ ...b, ids: [1, 2] }), /batch.ids must be 16 values, received 2/);
    tf.dispose([b.view0, b.view1, v]);
    wrongSet.dispose();
    s.dispose();
  });
}, ['cpu']);
