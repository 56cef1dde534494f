import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ExponentialDRE } from './bregman';
import { DREInputError } from './errors';
import { kernelTensor } from './estimator';
import { gaussianKernel, gram, resolveKernel } from './kernels';
import { KMM } from './kmm';
import { KuLSIF } from './kulsif';
import { ULSIF } from './lsif';
import { gaussianSample } from './test-helpers';

const num = gaussianSample(30, 2, 0.5, 0.8, 31);
const den = gaussianSample(40, 2, 0, 1, 32);
const rows = (s: { data: Float64Array; dim: number }) =>
  Array.from({ length: s.data.length / s.dim }, (_, i) =>
    Array.from(s.data.subarray(i * s.dim, (i + 1) * s.dim)),
  );

describeBackends('tensor input and predictTensor', () => {
  it('fit/predict from tf.Tensor2D equals the number[][] path (float32 inputs)', () => {
    const tn = tf.tensor2d(rows(num));
    const td = tf.tensor2d(rows(den));
    const a = new KuLSIF({ lambda: 0.1, iterations: 2, kernel: gaussianKernel(0.5) }).fit(tn, td);
    const f32 = (s: { data: Float64Array; dim: number }) => ({
      data: Float64Array.from(Float32Array.from(s.data)),
      dim: s.dim,
    });
    const b = new KuLSIF({ lambda: 0.1, iterations: 2, kernel: gaussianKernel(0.5) }).fit(f32(num), f32(den));
    expectClose(a.predict(td), b.predict(f32(den)), { rtol: 1e-12, atol: 1e-12 });
    tf.dispose([tn, td]);
  });

  it('predictTensor matches predict (float32, rtol 1e-4) for identity, exp and KMM links', () => {
    const models = [
      new KuLSIF({ lambda: 0.1, iterations: 3, kernel: gaussianKernel(0.5, 1) }).fit(num, den),
      new ULSIF({ sigma: 1, lambda: 0.01, centers: 20 }).fit(num, den),
      new ExponentialDRE({ lambda: 0.1, kernel: gaussianKernel(0.5) }).fit(num, den),
      new KMM({ kernel: gaussianKernel(0.5) }).fit(num, den),
    ];
    const x = tf.tensor2d(rows(den).slice(0, 10));
    for (const m of models) {
      const t = m.predictTensor(x);
      expectClose(t, m.predict(x), { rtol: 1e-4, atol: 1e-4, name: m.constructor.name });
      t.dispose();
    }
    x.dispose();
  });

  it('∇_x r̂(x) through predictTensor matches central differences of predict (float64)', () => {
    const m = new KuLSIF({ lambda: 0.1, iterations: 2, kernel: gaussianKernel(0.5) }).fit(num, den);
    const pts = [
      [0.3, -0.2],
      [1.0, 0.4],
    ];
    const x = tf.tensor2d(pts);
    const g = tf.grad((v: tf.Tensor) => tf.sum(m.predictTensor(v as tf.Tensor2D)))(x);
    const h = 1e-6;
    const fd: number[] = [];
    for (const p of pts) {
      for (let c = 0; c < 2; c++) {
        const up = p.slice();
        const dn = p.slice();
        up[c] += h;
        dn[c] -= h;
        fd.push((m.predict([up])[0] - m.predict([dn])[0]) / (2 * h));
      }
    }
    expectClose(g, fd, { rtol: 1e-3, atol: 1e-3, name: 'grad' });
    tf.dispose([x, g]);
  });

  it('leaks no tensors (fit from tensors, predict, predictTensor, gradient)', async () => {
    const tn = tf.tensor2d(rows(num));
    const td = tf.tensor2d(rows(den));
    const m = new KuLSIF({ lambda: 0.1, kernel: gaussianKernel(0.5) });
    await expectNoLeakedTensors(() => {
      m.fit(tn, td);
      return m.predict(td);
    });
    await expectNoLeakedTensors(() => m.predictTensor(td));
    await expectNoLeakedTensors(() =>
      tf.grad((v: tf.Tensor) => tf.sum(m.predictTensor(v as tf.Tensor2D)))(td),
    );
    tf.dispose([tn, td]);
  });

  it('rejects a tensor of the wrong rank or width', () => {
    const m = new KuLSIF({ lambda: 0.1 }).fit(num, den);
    const bad = tf.zeros([3, 3]) as tf.Tensor2D;
    const bad1 = tf.zeros([3]);
    expect(() => m.predictTensor(bad)).toThrow(
      /predictTensor: x: expected a tf.Tensor2D \[k, 2\], received tensor of shape \[3,3\]/,
    );
    expect(() => new KuLSIF().fit(bad1 as never, den)).toThrow(DREInputError);
    tf.dispose([bad, bad1]);
  });
});

describeBackends('kernelTensor', () => {
  it('matches the float64 Gram matrix for every kernel type, and leaks nothing', async () => {
    const X = { data: num.data.subarray(0, 20), rows: 10, cols: 2 };
    const Y = { data: den.data.subarray(0, 14), rows: 7, cols: 2 };
    const specs = [
      { type: 'gaussian', gamma: 0.7, offset: 1 },
      { type: 'laplacian', gamma: 0.5 },
      { type: 'linear', offset: 0.5 },
      { type: 'polynomial', degree: 2, gamma: 0.5, coef0: 1 },
    ] as const;
    const x = tf.tensor2d(Float32Array.from(X.data), [10, 2]);
    const y = tf.tensor2d(Float32Array.from(Y.data), [7, 2]);
    for (const spec of specs) {
      const k = resolveKernel(spec, X);
      const t = kernelTensor(k, x, y);
      expectClose(t, Array.from(gram(k, X, Y)), { rtol: 1e-4, atol: 1e-5, name: spec.type });
      t.dispose();
      await expectNoLeakedTensors(() => kernelTensor(k, x, y));
    }
    tf.dispose([x, y]);
  });
});
