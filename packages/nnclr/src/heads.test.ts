// Heads against an independent float64 JS forward of the PyTorch reference layout (Linear with
// [out, in] weights, BatchNorm1d in train / eval mode). Tolerances: forward rtol 1e-4 / atol 1e-5,
// gradients (central differences of the float64 reference) rtol 2e-3 / atol 1e-4.
import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { EmaHead, MlpHead, NnclrInputError, PredictionHead, ProjectionHead } from './index';
import { Mulberry32 } from './random';

type M = number[][];
function randn(shape: number[], seed: number): number[] {
  const r = new Mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from(
    { length: n },
    () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next()),
  );
}
const chunk = (d: number[], cols: number): M =>
  Array.from({ length: d.length / cols }, (_, i) => d.slice(i * cols, (i + 1) * cols));

/** A PyTorch-style state dict for a projector-like head 4 → 5 → 3 (BN after both, bias only where no BN). */
function torchDict(withBiasOnLast: boolean) {
  const d: Record<string, { shape: number[]; data: number[] }> = {
    '0.weight': { shape: [5, 4], data: randn([5, 4], 1) },
    '1.weight': { shape: [5], data: randn([5], 2).map((x) => 1 + 0.3 * x) },
    '1.bias': { shape: [5], data: randn([5], 3).map((x) => 0.2 * x) },
    '1.running_mean': { shape: [5], data: randn([5], 4).map((x) => 0.1 * x) },
    '1.running_var': { shape: [5], data: randn([5], 5).map((x) => 1 + 0.5 * Math.abs(x)) },
    '3.weight': { shape: [3, 5], data: randn([3, 5], 6) },
  };
  if (withBiasOnLast) d['3.bias'] = { shape: [3], data: randn([3], 7) };
  return d;
}

/** Reference forward: Linear → BN → ReLU → Linear (+bias), BN in train or eval mode. */
function refForward(dict: ReturnType<typeof torchDict>, x: M, training: boolean): M {
  const lin = (a: M, w: M, b?: number[]) =>
    a.map((r) => w.map((wr, o) => wr.reduce((s, v, i) => s + v * r[i], 0) + (b ? b[o] : 0)));
  const h = lin(x, chunk(dict['0.weight'].data, 4));
  const n = h.length;
  const mean = h[0].map((_, j) => h.reduce((s, r) => s + r[j], 0) / n);
  const varB = h[0].map((_, j) => h.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n);
  const [mu, va] = training ? [mean, varB] : [dict['1.running_mean'].data, dict['1.running_var'].data];
  const g = dict['1.weight'].data;
  const b = dict['1.bias'].data;
  const y = h.map((r) => r.map((v, j) => Math.max(0, ((v - mu[j]) / Math.sqrt(va[j] + 1e-5)) * g[j] + b[j])));
  return lin(y, chunk(dict['3.weight'].data, 5), dict['3.bias']?.data);
}

describeBackends('heads', () => {
  const x = chunk(randn([6, 4], 9), 4);

  it('paper defaults: projection [2048, 2048, 256] with BN everywhere, prediction [4096, 256]', () => {
    const proj = new ProjectionHead();
    const pred = new PredictionHead();
    expect(proj.getConfig()).toMatchObject({ units: [2048, 2048, 256], batchNorm: 'all', bias: 'auto' });
    expect(pred.getConfig()).toMatchObject({ units: [4096, 256], batchNorm: 'hidden', bias: 'auto' });
    const small = new ProjectionHead({ units: [8, 8, 4], seed: 1 });
    const y = small.apply(tf.ones([3, 6])) as tf.Tensor;
    expect(y.shape).toEqual([3, 4]);
    // bias only where no BN follows: none in a projection head.
    expect(small.weights.map((w) => w.originalName.split('/').slice(-2).join('/'))).toEqual([
      'linear0/kernel',
      'bn0/gamma',
      'bn0/beta',
      'linear1/kernel',
      'bn1/gamma',
      'bn1/beta',
      'linear2/kernel',
      'bn2/gamma',
      'bn2/beta',
      'bn0/moving_mean',
      'bn0/moving_variance',
      'bn1/moving_mean',
      'bn1/moving_variance',
      'bn2/moving_mean',
      'bn2/moving_variance',
    ]);
    tf.dispose(y);
    small.dispose();
  });

  it('loadStateDict (reference names) then eval and train forward match PyTorch semantics, with gradient', () => {
    const dict = torchDict(true);
    const head = new PredictionHead({ units: [5, 3] }); // lightly NNCLRPredictionHead layout
    head.build([null, 4]);
    head.loadStateDict(dict);
    const xt = tf.tensor2d(x);
    expectClose(head.apply(xt) as tf.Tensor, refForward(dict, x, false).flat(), { name: 'eval' });
    expectClose(head.apply(xt, { training: true }) as tf.Tensor, refForward(dict, x, true).flat(), {
      name: 'train',
    });
    // Running statistics moved by momentum 0.1 with the unbiased batch variance (PyTorch).
    const sd = head.stateDict();
    const h = x.map((r) =>
      chunk(dict['0.weight'].data, 4).map((w) => w.reduce((s, v, i) => s + v * r[i], 0)),
    );
    const mean = h[0].map((_, j) => h.reduce((s, r) => s + r[j], 0) / 6);
    const varU = h[0].map((_, j) => h.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / 5);
    expectClose(
      sd['1.running_mean'],
      dict['1.running_mean'].data.map((m, j) => 0.9 * m + 0.1 * mean[j]),
      { name: 'running_mean' },
    );
    expectClose(
      sd['1.running_var'],
      dict['1.running_var'].data.map((v, j) => 0.9 * v + 0.1 * varU[j]),
      { name: 'running_var' },
    );
    // Gradient w.r.t. the input through train-mode BN.
    const w = randn([6, 3], 10);
    const loss = (xx: M) =>
      refForward(dict, xx, true)
        .flat()
        .reduce((s, v, i) => s + v * w[i], 0);
    const g = tf.grad((xi: tf.Tensor) =>
      tf.sum(tf.mul(head.apply(xi, { training: true }) as tf.Tensor, tf.tensor2d(w, [6, 3]))),
    )(xt);
    const num = x.map((r, i) =>
      r.map((_, j) => {
        const up = x.map((q) => [...q]);
        const dn = x.map((q) => [...q]);
        up[i][j] += 1e-6;
        dn[i][j] -= 1e-6;
        return (loss(up) - loss(dn)) / 2e-6;
      }),
    );
    expectClose(g, num.flat(), { rtol: 2e-3, atol: 1e-4, name: 'd out / d x' });
    tf.dispose([xt, g, ...Object.values(sd)]);
    head.dispose();
  });

  it('stateDict round-trips, with a prefix (solo-learn / MAE-CT "projector.", lightly "layers.")', () => {
    const a = new ProjectionHead({ units: [5, 3], bias: 'always', seed: 3 });
    a.build([null, 4]);
    const sd = a.stateDict({ prefix: 'projector.' });
    expect(Object.keys(sd).sort()).toEqual(
      [
        '0.weight',
        '0.bias',
        '1.weight',
        '1.bias',
        '1.running_mean',
        '1.running_var',
        '3.weight',
        '3.bias',
        '4.weight',
        '4.bias',
        '4.running_mean',
        '4.running_var',
      ]
        .map((k) => `projector.${k}`)
        .sort(),
    );
    const b = new ProjectionHead({ units: [5, 3], bias: 'always', seed: 4 });
    b.build([null, 4]);
    b.loadStateDict({ ...sd, 'projector.1.num_batches_tracked': tf.scalar(0) }, { prefix: 'projector.' });
    const xt = tf.tensor2d(x);
    expectClose(b.apply(xt) as tf.Tensor, a.apply(xt) as tf.Tensor, { rtol: 1e-6 });
    tf.dispose([xt, ...Object.values(sd)]);
    a.dispose();
    b.dispose();
  });

  it('serialises: a model with the heads saves and loads through tf.loadLayersModel', async () => {
    const model = tfl.sequential({
      layers: [
        new ProjectionHead({ units: [6, 4], seed: 1, batchInputShape: [null, 4] }),
        new PredictionHead({ units: [5, 4], seed: 2 }),
      ],
    });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'NnclrProjectionHead',
      'NnclrPredictionHead',
    ]);
    expect(loaded.layers[0].getConfig()).toMatchObject({ units: [6, 4], batchNorm: 'all', seed: 1 });
    const xt = tf.tensor2d(x);
    expectClose(loaded.predict(xt) as tf.Tensor, model.predict(xt) as tf.Tensor, { rtol: 1e-6 });
    xt.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('the same seed gives the same weights (0 included), another seed other ones', () => {
    const make = (seed: number) => new MlpHead({ units: [3, 2], bias: 'always', batchNorm: 'none', seed });
    const [a, b, c] = [make(0), make(0), make(1)];
    for (const h of [a, b, c]) h.build([null, 2]);
    a.getWeights().forEach((w, i) => {
      expectClose(w, b.getWeights()[i], { rtol: 0, atol: 0 });
      expect(Array.from(w.dataSync())).not.toEqual(Array.from(c.getWeights()[i].dataSync()));
      // PyTorch nn.Linear bounds: U(±1/√fan_in).
      expect(Math.max(...Array.from(w.dataSync(), Math.abs))).toBeLessThanOrEqual(
        1 / Math.sqrt(i < 2 ? 2 : 3),
      );
    });
    for (const h of [a, b, c]) h.dispose();
  });

  it('EmaHead: starts as a copy, then target ← τ·target + (1−τ)·online; BN statistics copied', () => {
    const online = new ProjectionHead({ units: [5, 3], seed: 1 });
    online.build([null, 4]);
    const ema = new EmaHead(online, { momentum: 0.9 });
    expect(ema.target.trainable).toBe(false);
    expect(ema.target.trainableWeights).toHaveLength(0);
    const xt = tf.tensor2d(x);
    expectClose(ema.apply(xt) as tf.Tensor, online.apply(xt) as tf.Tensor, { rtol: 1e-6 });
    const before = ema.target.getWeights().map((w) => w.arraySync());
    const updated = online.getWeights().map((w) => tf.add(w, 1));
    online.setWeights(updated);
    ema.update();
    const after = ema.target.getWeights();
    online.getWeights().forEach((w, i) => {
      const trainable = online.weights[i].trainable;
      const want = trainable ? tf.add(tf.mul(tf.tensor(before[i] as number[]), 0.9), tf.mul(w, 0.1)) : w;
      expectClose(after[i], want, { rtol: 1e-6, name: online.weights[i].name });
    });
    tf.dispose([xt, ...updated]);
    ema.dispose();
    online.dispose();
  });

  it('leaks no tensors', async () => {
    const head = new ProjectionHead({ units: [5, 3], seed: 1 });
    const xt = tf.tensor2d(x);
    head.apply(xt);
    const ema = new EmaHead(head);
    await expectNoLeakedTensors(() => head.apply(xt));
    await expectNoLeakedTensors(() => head.apply(xt, { training: true }));
    await expectNoLeakedTensors(() =>
      tf.grad((xi: tf.Tensor) => tf.sum(head.apply(xi, { training: true }) as tf.Tensor))(xt),
    );
    await expectNoLeakedTensors(() => ema.update());
    await expectNoLeakedTensors(() => ema.apply(xt, { training: true }));
    await expectNoLeakedTensors(() => head.stateDict());
    const sd = head.stateDict();
    await expectNoLeakedTensors(() => head.loadStateDict(sd));
    tf.dispose([xt, ...Object.values(sd)]);
    ema.dispose();
    const n = tf.memory().numTensors;
    head.dispose();
    expect(tf.memory().numTensors).toBe(n - 10); // 2 kernels + 2 × (γ, β, mean, var)
  });
});

describeBackends('heads bad input', () => {
  const err = (fn: () => unknown, re: RegExp) => {
    expect(fn).toThrow(NnclrInputError);
    expect(fn).toThrow(re);
  };
  it('names the argument, the expected and the received value', () => {
    err(() => new MlpHead({ units: [] }), /args.units must be a non-empty array/);
    err(() => new ProjectionHead({ units: [4, 0] }), /args.units\[1\] must be an integer >= 1, received 0/);
    err(() => new ProjectionHead({ batchNorm: 'some' as 'all' }), /args.batchNorm/);
    const head = new PredictionHead({ units: [5, 3] });
    err(() => head.loadStateDict({}), /unbuilt/);
    head.build([null, 4]);
    const bad = {
      ...torchDict(true),
      '3.weight': { shape: [3, 6], data: new Array(18).fill(0) },
      extra: { shape: [1], data: [0] },
    };
    delete (bad as Record<string, unknown>)['1.bias'];
    err(
      () => head.loadStateDict(bad),
      /dict must be the reference keys and shapes, received missing 1.bias; unexpected extra; mis-shaped 3.weight \[3, 6\] \(expected \[3, 5\]\)/,
    );
    const x5 = tf.ones([2, 5]);
    err(() => head.apply(x5), /input must be shape \[batch, 4\], received \[2, 5\]/);
    const x1 = tf.ones([1, 4]);
    err(() => head.apply(x1, { training: true }), /a batch of >= 2 rows in training/);
    tf.dispose([x5, x1]);
    err(() => new EmaHead(new ProjectionHead({ units: [3] })), /online must be a built head/);
    head.dispose();
  });
}, ['cpu']);
