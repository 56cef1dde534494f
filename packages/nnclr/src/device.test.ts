// The paths for backends without synchronous reads (webgpu in Node): SupportSet.lookupOnDevice and
// NnclrTrainer.trainStepAsync give what lookup and trainStep give. On a real webgpu adapter:
// packages/runtime/test/webgpu-training.test.ts.
import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { AdamW, NnclrTrainer, PredictionHead, ProjectionHead, SupportSet } from './index';
import { gaussians } from './random';

function filledSet(init: 'random' | 'empty' = 'random') {
  // 23 rows in blocks of 5: neighbours come from several blocks, the last one short.
  const s = new SupportSet({ size: 23, dim: 6, blockSize: 5, seed: 3, init });
  const rows = tf.tensor2d(gaussians(17 * 6, 8), [17, 6]);
  s.enqueue(
    rows,
    Array.from({ length: 17 }, (_, i) => i % 9),
    Array.from({ length: 17 }, (_, i) => i % 4),
  );
  rows.dispose();
  return s;
}

function trainer(seed: number) {
  const encoder = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 12,
        inputShape: [6],
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
    ],
  });
  const projector = new ProjectionHead({ units: [12, 6], seed: seed + 1 });
  const predictor = new PredictionHead({ units: [12, 6], seed: seed + 2 });
  const supportSet = new SupportSet({ size: 20, dim: 6, blockSize: 8, seed: seed + 3, init: 'empty' });
  const optimizer = new AdamW({ learningRate: 3e-3, weightDecay: 1e-4 });
  const t = new NnclrTrainer({ encoder, projector, predictor, supportSet, optimizer, topk: 2 });
  return {
    t,
    dispose: () => tf.dispose([encoder, projector, predictor, supportSet, optimizer] as never),
    parts: [encoder, projector, predictor, supportSet, optimizer],
  };
}

describeBackends('without synchronous reads', () => {
  it('lookupOnDevice finds and gathers what lookup does (topk 1 and 3, excluded ids)', () => {
    const a = filledSet();
    const b = filledSet();
    const z = tf.tensor2d(gaussians(4 * 6, 9), [4, 6]);
    for (const opts of [{}, { topk: 3 }, { topk: 1, excludeIndices: [0, 5, -1, 8] }]) {
      const want = a.lookup(z, opts);
      const got = b.lookupOnDevice(z, opts);
      expect(Array.from(got.indices.dataSync())).toEqual(Array.from(want.indices));
      expectClose(got.neighbours, want.neighbours, { rtol: 0, atol: 0, name: 'neighbours' });
      tf.dispose([want.neighbours, got.neighbours, got.indices]);
    }
    tf.dispose(z);
    a.dispose();
    b.dispose();
  });

  it('lookupOnDevice is a constant under a gradient tape and leaks nothing', async () => {
    const s = filledSet();
    const z = tf.tensor2d(gaussians(4 * 6, 10), [4, 6]);
    const g = tf.grad((x: tf.Tensor) => {
      const r = s.lookupOnDevice(x as tf.Tensor2D, { topk: 2 });
      r.indices.dispose();
      return tf.sum(tf.mul(r.neighbours, x));
    })(z);
    // d/dx Σ n·x with n constant is n: the search adds nothing.
    const r = s.lookupOnDevice(z, { topk: 1 });
    expect(Array.from(g.shape)).toEqual([4, 6]);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([g, r.neighbours, r.indices]);
    await expectNoLeakedTensors(() => s.lookupOnDevice(z, { topk: 3, excludeIndices: [1, 2, 3, 4] }));
    tf.dispose(z);
    s.dispose();
  });

  it('trainStepAsync gives the losses, metrics and queue of trainStep (empty queue first)', async () => {
    const sync = trainer(1);
    const asyn = trainer(1);
    for (let step = 0; step < 4; step++) {
      const make = () => {
        const v = (s: number) => tf.tensor2d(gaussians(8 * 6, 100 + 2 * step + s), [8, 6]);
        return { view0: v(0), view1: v(1), ids: [...Array(8).keys()], labels: [0, 1, 2, 3, 0, 1, 2, 3] };
      };
      const b1 = make();
      const b2 = make();
      const want = sync.t.trainStep(b1);
      const got = await asyn.t.trainStepAsync(b2);
      expect(got.loss).toBe(want.loss);
      expect(got.nnAccuracy).toBe(want.nnAccuracy);
      tf.dispose([b1.view0, b1.view1, b2.view0, b2.view1]);
    }
    const qa = (sync.parts[3] as SupportSet).getState();
    const qb = (asyn.parts[3] as SupportSet).getState();
    expect(Array.from(qb.rows)).toEqual(Array.from(qa.rows));
    expect(qb.pointer).toBe(qa.pointer);
    for (const p of [...sync.parts, ...asyn.parts]) (p as { dispose(): void }).dispose();
  });
});
