// The losses without a shared fixture (solo-learn / MAE-CT NNCLR InfoNCE, the 4-term symmetric
// form, NTXent with a memory bank) are checked against an independent float64 JS implementation
// of the reference formulas, and their gradients against central finite differences of it.
// Tolerances: forward rtol 1e-4 / atol 1e-5; gradients rtol 1e-3 / atol 1e-4 (float32 vs float64).
import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { NnclrInputError, nnclrLoss, nnclrTwoViewLoss, ntXentLoss, SupportSet } from './index';
import { Mulberry32 } from './random';

type M = number[][];
const norm = (a: M) => a.map((r) => r.map((x) => x / Math.max(Math.hypot(...r), 1e-12)));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const lse = (r: number[]) => {
  const m = Math.max(...r);
  return m + Math.log(r.reduce((s, x) => s + Math.exp(x - m), 0));
};
/** solo-learn nnclr_loss_func(nn, p, τ) (transposed: MAE-CT transposed=True). */
function refNnclr(p: M, nn: M, t: number, transposed = false): number {
  const [P, N] = [norm(p), norm(nn)];
  const [A, B] = transposed ? [P, N] : [N, P];
  return A.reduce((s, a, i) => s + lse(B.map((b) => dot(a, b) / t)) - dot(a, B[i]) / t, 0) / A.length;
}
/** lightly NTXentLoss with a memory bank `neg` (rows used as given). */
function refNtXentBank(o0: M, o1: M, neg: M, t: number): number {
  const [a, b] = [norm(o0), norm(o1)];
  return (
    a.reduce((s, x, i) => {
      const row = [dot(x, b[i]) / t, ...neg.map((n) => dot(x, n) / t)];
      return s + lse(row) - row[0];
    }, 0) / a.length
  );
}
function numGrad(f: (x: M) => number, x: M, h = 1e-6): M {
  return x.map((r, i) =>
    r.map((_, j) => {
      const up = x.map((q) => [...q]);
      const dn = x.map((q) => [...q]);
      up[i][j] += h;
      dn[i][j] -= h;
      return (f(up) - f(dn)) / (2 * h);
    }),
  );
}
function rand(n: number, d: number, seed: number): M {
  const r = new Mulberry32(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  return Array.from({ length: n }, () => Array.from({ length: d }, g));
}
const FWD = { rtol: 1e-4, atol: 1e-5 };
const GRAD = { rtol: 1e-3, atol: 1e-4 };

describeBackends('NNCLR losses', () => {
  const [p0, p1, z0, z1] = [1, 2, 3, 4].map((s) => rand(5, 6, s));

  it('nnclrLoss = solo-learn / MAE-CT InfoNCE (NN as anchor), value and gradient', () => {
    for (const transposed of [false, true]) {
      const p = tf.tensor2d(p0);
      const nn = tf.tensor2d(z1);
      const loss = nnclrLoss(p, nn, { temperature: 0.2, transposed });
      expectClose(loss, refNnclr(p0, z1, 0.2, transposed), { ...FWD, name: `loss transposed=${transposed}` });
      const g = tf.grad((x: tf.Tensor) => nnclrLoss(x as tf.Tensor2D, nn, { temperature: 0.2, transposed }))(
        p,
      );
      expectClose(g, numGrad((x) => refNnclr(x, z1, 0.2, transposed), p0).flat(), { ...GRAD, name: 'grad' });
      tf.dispose([p, nn, loss, g]);
    }
  });

  it('the default temperature is 0.1', () => {
    const [p, nn] = [tf.tensor2d(p0), tf.tensor2d(z1)];
    expectClose(nnclrLoss(p, nn), refNnclr(p0, z1, 0.1), FWD);
    tf.dispose([p, nn]);
  });

  it('nnclrTwoViewLoss variants: one-directional (½·2 terms), symmetric (¼·4 terms), gradients', () => {
    const t = 0.15;
    const [a, b, c, d] = [p0, p1, z0, z1].map((m) => tf.tensor2d(m));
    const one = (q0: M, q1: M) => 0.5 * (refNnclr(q1, z0, t) + refNnclr(q0, z1, t));
    const sym = (q0: M, q1: M) =>
      0.25 *
      (refNnclr(q1, z0, t) + refNnclr(q0, z1, t) + refNnclr(q1, z0, t, true) + refNnclr(q0, z1, t, true));
    for (const [variant, ref] of [
      ['one-directional', one],
      ['symmetric', sym],
    ] as const) {
      const f = (x: tf.Tensor, y: tf.Tensor) =>
        nnclrTwoViewLoss(
          { predicted0: x as tf.Tensor2D, predicted1: y as tf.Tensor2D, neighbours0: c, neighbours1: d },
          { variant, temperature: t },
        );
      expectClose(f(a, b), ref(p0, p1), { ...FWD, name: variant });
      const [g0, g1] = tf.grads(f)([a, b]);
      expectClose(g0, numGrad((x) => ref(x, p1), p0).flat(), { ...GRAD, name: `${variant} d/dp0` });
      expectClose(g1, numGrad((y) => ref(p0, y), p1).flat(), { ...GRAD, name: `${variant} d/dp1` });
      tf.dispose([g0, g1]);
    }
    tf.dispose([a, b, c, d]);
  });

  it('ntXentLoss with a memory bank (tensor or SupportSet), value and gradients', () => {
    const bankRows = norm(rand(7, 6, 9));
    const [a, b, neg] = [tf.tensor2d(p0), tf.tensor2d(z0), tf.tensor2d(bankRows)];
    const set = new SupportSet({ size: 7, dim: 6, blockSize: 3 });
    const st = set.getState();
    st.rows.set(bankRows.flat());
    set.setState(st);
    for (const negatives of [neg, set]) {
      const loss = ntXentLoss(a, b, { temperature: 0.3, negatives });
      expectClose(loss, refNtXentBank(p0, z0, bankRows, 0.3), { ...FWD, name: 'bank loss' });
      const [g0, g1] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        ntXentLoss(x as tf.Tensor2D, y as tf.Tensor2D, { temperature: 0.3, negatives }),
      )([a, b]);
      expectClose(g0, numGrad((x) => refNtXentBank(x, z0, bankRows, 0.3), p0).flat(), {
        ...GRAD,
        name: 'd/dout0',
      });
      expectClose(g1, numGrad((y) => refNtXentBank(p0, y, bankRows, 0.3), z0).flat(), {
        ...GRAD,
        name: 'd/dout1',
      });
      tf.dispose([loss, g0, g1]);
    }
    tf.dispose([a, b, neg]);
    set.dispose();
  });

  it('a zero prediction row gives a finite loss and gradient', () => {
    const p = tf.concat([tf.zeros([1, 6]), tf.tensor2d(p0.slice(1))]) as tf.Tensor2D;
    const nn = tf.tensor2d(z1);
    const g = tf.grad((x: tf.Tensor) => nnclrLoss(x as tf.Tensor2D, nn))(p);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([p, nn, g]);
  });

  it('leaks no tensors', async () => {
    const [a, b, c, d] = [p0, p1, z0, z1].map((m) => tf.tensor2d(m));
    const views = { predicted0: a, predicted1: b, neighbours0: c, neighbours1: d };
    await expectNoLeakedTensors(() => nnclrLoss(a, c));
    await expectNoLeakedTensors(() => ntXentLoss(a, b));
    await expectNoLeakedTensors(() => ntXentLoss(a, b, { negatives: c }));
    for (const variant of ['one-directional', 'symmetric', 'ntxent'] as const) {
      await expectNoLeakedTensors(() => nnclrTwoViewLoss(views, { variant }));
    }
    await expectNoLeakedTensors(() =>
      tf.grads((x: tf.Tensor) => nnclrTwoViewLoss({ ...views, predicted0: x as tf.Tensor2D }))([a]),
    );
    tf.dispose([a, b, c, d]);
  });
});

describeBackends('NNCLR losses bad input', () => {
  const err = (fn: () => unknown, re: RegExp) => {
    expect(fn).toThrow(NnclrInputError);
    expect(fn).toThrow(re);
  };
  it('names the argument, the expected and the received shape', () => {
    const a = tf.zeros([4, 8]) as tf.Tensor2D;
    const b = tf.zeros([4, 7]) as tf.Tensor2D;
    const c = tf.zeros([4]) as unknown as tf.Tensor2D;
    err(
      () => nnclrLoss(a, b),
      /nnclrLoss: neighbours must be shape \[4, 8\] \(as predicted\), received shape \[4, 7\]/,
    );
    err(() => nnclrLoss(c, a), /predicted must be a 2-D tensor \[batch, dim\], received shape \[4\]/);
    err(
      () => nnclrLoss(a, a, { temperature: 0 }),
      /options.temperature must be a finite number > 0, received 0/,
    );
    err(
      () => ntXentLoss(a, a, { negatives: b }),
      /options.negatives must be a tensor \[K, 8\] or a SupportSet, received shape \[4, 7\]/,
    );
    err(
      () => nnclrTwoViewLoss({ predicted0: a, predicted1: a, neighbours0: a, neighbours1: b }),
      /views.neighbours1 must be shape \[4, 8\]/,
    );
    err(
      () =>
        nnclrTwoViewLoss(
          { predicted0: a, predicted1: a, neighbours0: a, neighbours1: a },
          { variant: 'x' as 'ntxent' },
        ),
      /options.variant/,
    );
    tf.dispose([a, b, c]);
  });
}, ['cpu']);
