// LARS and AdamW against a float64 JS transcription of the reference update rules (solo-learn
// solo/utils/lars.py; torch.optim.AdamW), three steps. Tolerance rtol 1e-5 / atol 1e-6 (float32).
import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it, vi } from 'vitest';
import { AdamW, Lars, NnclrInputError, warmupCosine } from './index';

const W0 = [
  [0.5, -1.2, 0.3],
  [2.0, 0.1, -0.7],
];
const B0 = [0.2, -0.4, 0.0];
const G = [
  [
    [0.1, 0.2, -0.3],
    [0.05, -0.1, 0.4],
  ],
  [
    [-0.2, 0.1, 0.1],
    [0.3, 0.0, -0.2],
  ],
  [
    [0.05, 0.05, 0.05],
    [-0.1, 0.2, 0.1],
  ],
];
const GB = [
  [0.1, 0.0, -0.1],
  [0.2, 0.1, 0.0],
  [-0.1, 0.3, 0.2],
];
const flat = (m: number[][]) => m.flat();
const nrm = (a: number[]) => Math.hypot(...a);

function refLars(
  w: number[],
  grads: number[][],
  o: { lr: number; mom: number; wd: number; eta: number; excluded: boolean },
) {
  let p = [...w];
  let buf: number[] | null = null;
  for (const g of grads) {
    let d = [...g];
    const [pn, gn] = [nrm(p), nrm(g)];
    if (!o.excluded && pn > 0 && gn > 0) {
      const lars = (o.eta * pn) / (gn + pn * o.wd + 1e-8);
      d = d.map((x, i) => (x + o.wd * p[i]) * lars);
    }
    buf = buf ? buf.map((b, i) => b * o.mom + d[i]) : d;
    const b = buf;
    p = p.map((x, i) => x - o.lr * b[i]);
  }
  return p;
}

function refAdamW(w: number[], grads: number[][], o: { lr: number; b1: number; b2: number; wd: number }) {
  let p = [...w];
  let m = p.map(() => 0);
  let v = p.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    p = p.map((x) => x * (1 - o.lr * o.wd));
    m = m.map((x, i) => o.b1 * x + (1 - o.b1) * g[i]);
    v = v.map((x, i) => o.b2 * x + (1 - o.b2) * g[i] ** 2);
    p = p.map((x, i) => x - (o.lr * (m[i] / (1 - o.b1 ** t))) / (Math.sqrt(v[i] / (1 - o.b2 ** t)) + 1e-8));
  });
  return p;
}

describeBackends('optimizers', () => {
  it('Lars: three steps match the reference rule; 1-D variables skip scaling and decay', () => {
    const w = tf.variable(tf.tensor2d(W0));
    const b = tf.variable(tf.tensor1d(B0));
    const opt = new Lars({ learningRate: 0.5, momentum: 0.9, weightDecay: 0.01, eta: 0.02 });
    G.forEach((g, k) => {
      opt.applyGradients({ [w.name]: tf.tensor2d(g), [b.name]: tf.tensor1d(GB[k]) });
    });
    expectClose(
      w,
      refLars(flat(W0), G.map(flat), { lr: 0.5, mom: 0.9, wd: 0.01, eta: 0.02, excluded: false }),
      {
        rtol: 1e-5,
        atol: 1e-6,
      },
    );
    expectClose(b, refLars(B0, GB, { lr: 0.5, mom: 0.9, wd: 0.01, eta: 0.02, excluded: true }), {
      rtol: 1e-5,
      atol: 1e-6,
    });
    expect(opt.iterations).toBe(3);
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('AdamW: three steps match torch.optim.AdamW', () => {
    const w = tf.variable(tf.tensor2d(W0));
    const opt = new AdamW({ learningRate: 0.1, beta2: 0.95, weightDecay: 0.05 });
    for (const g of G) opt.applyGradients([{ name: w.name, tensor: tf.tensor2d(g) }]);
    expectClose(w, refAdamW(flat(W0), G.map(flat), { lr: 0.1, b1: 0.9, b2: 0.95, wd: 0.05 }), {
      rtol: 1e-5,
      atol: 1e-6,
    });
    opt.dispose();
    w.dispose();
  });

  it('AdamW paramGroup: per-variable learning-rate factor and weight decay (PyTorch param groups)', () => {
    const w = tf.variable(tf.tensor2d(W0));
    const b = tf.variable(tf.tensor1d(B0));
    const opt = new AdamW({
      learningRate: 0.1,
      weightDecay: 0.05,
      paramGroup: (v) => (v.name === w.name ? { lrScale: 0.65 ** 2 } : { weightDecay: 1e-5 }),
    });
    G.forEach((g, k) => {
      opt.applyGradients({ [w.name]: tf.tensor2d(g), [b.name]: tf.tensor1d(GB[k]) });
    });
    const o = { b1: 0.9, b2: 0.999 };
    expectClose(w, refAdamW(flat(W0), G.map(flat), { ...o, lr: 0.1 * 0.65 ** 2, wd: 0.05 }), {
      rtol: 1e-5,
      atol: 1e-6,
    });
    expectClose(b, refAdamW(B0, GB, { ...o, lr: 0.1, wd: 1e-5 }), { rtol: 1e-5, atol: 1e-6 });
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('AdamW updates a group as one flat vector: exactly the per-variable results, state kept when it re-packs', async () => {
    // variables of mixed shapes in two groups; another gradient order at step 2 and getWeights after
    // step 3 re-pack the flat moments. Reference: one optimizer per variable (no concatenation).
    const shapes = [[2, 3], [3], [4, 1, 2], [5], [1]];
    const init = (i: number) => tf.randomNormal(shapes[i], 0, 1, 'float32', 10 + i);
    const together = shapes.map((_, i) => tf.variable(init(i)));
    const alone = shapes.map((_, i) => tf.variable(init(i)));
    const slow = new Set([together[1].name, alone[1].name]);
    const make = () =>
      new AdamW({
        learningRate: 0.1,
        weightDecay: 0.05,
        paramGroup: (v) => (slow.has(v.name) ? { lrScale: 0.5, weightDecay: 0 } : undefined),
      });
    const optTogether = make();
    const optsAlone = alone.map(() => make());
    for (let step = 0; step < 5; step++) {
      const order = step === 2 ? [4, 3, 2, 1, 0] : [0, 1, 2, 3, 4];
      const grads: tf.NamedTensorMap = {};
      for (const i of order) {
        grads[together[i].name] = tf.randomNormal(shapes[i], 0, 1, 'float32', 100 * step + i);
        optsAlone[i].applyGradients({ [alone[i].name]: grads[together[i].name] });
      }
      optTogether.applyGradients(grads);
      tf.dispose(Object.values(grads));
      if (step === 3) {
        const saved = await optTogether.getWeights();
        expect(saved.length).toBe(1 + 2 * shapes.length);
        for (const [i, o] of optsAlone.entries()) {
          const [, m, v] = await o.getWeights();
          const mine = (k: string) => saved.find((x) => x.name === `${together[i].name}/adamw_${k}`)?.tensor;
          expect(mine('m')?.dataSync()).toEqual(m.tensor.dataSync());
          expect(mine('v')?.dataSync()).toEqual(v.tensor.dataSync());
        }
      }
    }
    for (const [i, v] of together.entries()) expect(v.dataSync()).toEqual(alone[i].dataSync());
    const n0 = tf.memory().numTensors;
    optTogether.dispose();
    expect(tf.memory().numTensors).toBe(n0 - 2 * 2); // flat m and v of the groups [0, 2, 3, 4] and [1]
    for (const o of optsAlone) o.dispose();
    tf.dispose([...together, ...alone]);
  });

  it('AdamW: a step over many variables of one group is a few kernels per variable, not ~15', async () => {
    const vars = Array.from({ length: 40 }, (_, i) => tf.variable(tf.fill([3, 2], i + 1)));
    const opt = new AdamW({ learningRate: 0.1 });
    const grads = Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)]));
    opt.applyGradients(grads);
    const { kernels } = await tf.profile(() => opt.applyGradients(grads));
    // per variable: reshape of gradient, weight and update; per step: concat ×2, split, the update
    expect(kernels.length).toBeLessThan(3 * 40 + 25);
    opt.dispose();
    tf.dispose([...vars, ...Object.values(grads)]);
  });

  it('AdamW makes its scalars once per step, not once per variable, and leaks nothing', () => {
    // each scalar is a tensor created through the native binding (packages/runtime README)
    const made = (count: number) => {
      const vars = Array.from({ length: count }, (_, i) => tf.variable(tf.fill([2, 3], i + 1)));
      const opt = new AdamW({ learningRate: 0.1, paramGroup: (v) => ({ lrScale: v === vars[0] ? 1 : 0.5 }) });
      const grads = () => Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)]));
      opt.applyGradients(grads());
      const g = grads();
      const spy = vi.spyOn(tf.engine(), 'makeTensor');
      const n0 = tf.memory().numTensors;
      opt.applyGradients(g);
      // float32 scalars only: tfjs-node's Concat and SplitV make their int32 operands as tensors too
      const calls = spy.mock.calls.filter(
        ([, shape, dtype]) => shape?.length === 0 && dtype === 'float32',
      ).length;
      spy.mockRestore();
      expect(tf.memory().numTensors).toBe(n0);
      opt.dispose();
      tf.dispose([...vars, ...Object.values(g)]);
      return calls;
    };
    // 7 shared scalars + 2 per group (two groups), however many variables (flat updates)
    expect(made(2)).toBe(11);
    expect(made(6)).toBe(11);
    expect(made(40)).toBe(11);
  });

  it('minimize works and leaks nothing; optimizer state saves and restores', async () => {
    for (const make of [() => new Lars({ learningRate: 0.1 }), () => new AdamW({ learningRate: 0.1 })]) {
      const w = tf.variable(tf.tensor2d(W0));
      const opt = make();
      const f = () => tf.sum(tf.square(w)) as tf.Scalar;
      await expectNoLeakedTensors(() => opt.minimize(f));
      const saved = await opt.getWeights();
      const other = make();
      await other.setWeights(saved);
      expect((await other.getWeights()).map((x) => x.name)).toEqual(saved.map((x) => x.name));
      expect(opt.getConfig()).toEqual(other.getConfig());
      opt.dispose();
      other.dispose();
      w.dispose();
    }
  });

  it('warmupCosine: linear warm-up to the peak, cosine to the end value', () => {
    const o = { peak: 1, totalSteps: 110, warmupSteps: 10 };
    expect(warmupCosine(0, o)).toBe(0);
    expect(warmupCosine(5, o)).toBeCloseTo(0.5);
    expect(warmupCosine(10, o)).toBeCloseTo(1);
    expect(warmupCosine(60, o)).toBeCloseTo(0.5);
    expect(warmupCosine(110, o)).toBeCloseTo(0);
  });

  it('bad options name the argument', () => {
    expect(() => new Lars({ learningRate: -1 })).toThrow(NnclrInputError);
    expect(() => new Lars({ learningRate: -1 })).toThrow(
      /options.learningRate must be a finite number >= 0, received -1/,
    );
    expect(() => new AdamW({ learningRate: 0.1, beta1: 2 })).toThrow(/options.beta1/);
  });
});
