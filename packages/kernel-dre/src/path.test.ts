import { describe, expect, it } from 'vitest';
import {
  applyLink,
  bregmanIterates,
  ExponentialDRE,
  gaussianKernel,
  gram,
  KuLSIF,
  kulsifIterates,
  kulsifSystem,
  LOSSES,
  matVec,
  toMat,
  vstack,
} from './index';
import { gaussianSample } from './test-helpers';

// The public low-level path must be the estimators' own computation: the t-th iterate of one path
// equals a fit with `iterations: t` (bit for bit, since the estimators call the same functions).
describe('the low-level regularization path (public API)', () => {
  const num = toMat(gaussianSample(30, 2, 0.5, 1, 1), 'num');
  const den = toMat(gaussianSample(35, 2, 0, 1, 2), 'den');
  const kernel = gaussianKernel(0.5);
  const lambda = 0.1;

  it('kulsifIterates: α^t of one factorization is KuLSIF({ iterations: t }).alpha', () => {
    const alphas = kulsifIterates(kulsifSystem(kernel, num, den), lambda, 3);
    expect(alphas).toHaveLength(3);
    for (let t = 1; t <= 3; t++) {
      const model = new KuLSIF({ lambda, iterations: t, kernel }).fit(
        { data: num.data, dim: 2 },
        { data: den.data, dim: 2 },
      );
      expect(Array.from(alphas[t - 1])).toEqual(Array.from(model.alpha));
    }
  });

  it('bregmanIterates + applyLink: the t-th coefficients predict as ExponentialDRE({ iterations: t })', () => {
    const Z = vstack(den, num);
    const opts = { tol: 1e-12, maxNewtonSteps: 100 };
    const { coefficients } = bregmanIterates(
      LOSSES.exponential,
      gram(kernel, Z, Z),
      den.rows,
      lambda,
      2,
      opts,
    );
    const x = toMat(gaussianSample(5, 2, 0.2, 1, 3), 'x');
    const Kx = gram(kernel, x, Z);
    for (let t = 1; t <= 2; t++) {
      const model = new ExponentialDRE({ lambda, iterations: t, kernel, ...opts }).fit(
        { data: num.data, dim: 2 },
        { data: den.data, dim: 2 },
      );
      expect(Array.from(coefficients[t - 1])).toEqual(Array.from(model.coefficients.weights));
      const r = applyLink(matVec(Kx, x.rows, Z.rows, coefficients[t - 1]), LOSSES.exponential.link);
      const expected = model.predict({ data: x.data, dim: 2 });
      for (let i = 0; i < x.rows; i++) expect(r[i]).toBeCloseTo(expected[i], 12);
    }
  });
});
