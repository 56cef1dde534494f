import { expectClose, loadFixture } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { LogisticDRE } from './bregman';
import { DREInputError } from './errors';
import { FittedRatioModel } from './estimator';
import { gaussianKernel, gram, medianDistance, resolveKernel } from './kernels';
import { KMM } from './kmm';
import { KuLSIF } from './kulsif';
import { gaussianSample, samples } from './test-helpers';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

// Reference: lugruber/dre_iter_reg IteratedKulsif, run in float64 (scripts/make_fixtures.py).
// Everything here is float64 end to end, so the tolerance is rtol 1e-9.
describe('KuLSIF parity with the reference (float64, rtol 1e-9)', () => {
  for (const tag of ['t1', 't2']) {
    it(`matches IteratedKulsif ${tag}: coefficients, predictions, median-heuristic gamma`, () => {
      const fx = loadFixture(`kulsif_${tag}`, FIXTURES);
      const num = samples(fx.inputs.numerator);
      const den = samples(fx.inputs.denominator);
      const cfg = fx.config as { reg_par: number; niter: number; rbf_gam: number };
      const model = new KuLSIF({
        lambda: cfg.reg_par,
        iterations: cfg.niter,
        kernel: { type: 'gaussian', bandwidth: 'median-reference', offset: 1 },
      }).fit(num, den);
      expectClose(model.kernel.gamma, fx.outputs.rbf_gam, { rtol: 1e-12, atol: 0, name: 'gamma' });
      expectClose(model.coefficients.weights, fx.outputs.alphas_betas, {
        rtol: 1e-9,
        atol: 1e-9,
        name: 'alphas_betas',
      });
      expectClose(model.predict(samples(fx.inputs.x)), fx.outputs.predictions, {
        rtol: 1e-9,
        atol: 1e-9,
        name: 'pred',
      });
    });
  }

  it('t = 5 follows the math (direct solve), not the reference loop that stops at t = 2', () => {
    const fx = loadFixture('kulsif_t5', FIXTURES);
    const num = samples(fx.inputs.numerator);
    const den = samples(fx.inputs.denominator);
    const kernel = gaussianKernel(fx.config.rbf_gam as number, 1);
    const lambda = fx.config.reg_par as number;
    const t5 = new KuLSIF({ lambda, iterations: 5, kernel }).fit(num, den);
    expectClose(t5.coefficients.weights, fx.outputs.direct_coefficients, {
      rtol: 1e-9,
      atol: 1e-9,
      name: 'direct',
    });
    expectClose(t5.predict(samples(fx.inputs.x)), fx.outputs.direct_predictions, { rtol: 1e-9, atol: 1e-9 });
    // the reference's niter = 5 output is our t = 2
    const t2 = new KuLSIF({ lambda, iterations: 2, kernel }).fit(num, den);
    expectClose(t2.coefficients.weights, fx.outputs.alphas_betas, {
      rtol: 1e-9,
      atol: 1e-9,
      name: 'ref niter=5',
    });
    expect(Math.abs(t5.coefficients.weights[0] - t2.coefficients.weights[0])).toBeGreaterThan(1e-3);
  });
});

describe('KuLSIF closed form', () => {
  const num = gaussianSample(40, 2, 0.5, 0.8, 1);
  const den = gaussianSample(50, 2, 0, 1, 2);

  it('iterated t = 1 equals plain Tikhonov exactly, and β^t = t/(mλ)', () => {
    const a = new KuLSIF({ lambda: 0.05 }).fit(num, den);
    const b = new KuLSIF({ lambda: 0.05, iterations: 1 }).fit(num, den);
    expect(Array.from(a.coefficients.weights)).toEqual(Array.from(b.coefficients.weights));
    const t3 = new KuLSIF({ lambda: 0.05, iterations: 3 }).fit(num, den);
    for (const v of t3.beta) expect(v).toBeCloseTo(3 / (40 * 0.05), 12);
  });

  it('hand-checkable case: one denominator point, linear kernel', () => {
    // n = 1, m = 2, k(x,y) = xy: α = −(x'²/1 + λ)⁻¹ x'(x1+x2)/(1·2·λ), β = 1/(2λ)
    const lambda = 0.5;
    const m = new KuLSIF({ lambda, kernel: { type: 'linear' } });
    // fewer than 2 samples is rejected, so use two equal denominator points (n = 2, K = x'² 1 1ᵀ)
    m.fit([[1], [3]], [[2], [2]]);
    // (K/n + λI)α = −K_QP 1/(n m λ): K/n = [[2,2],[2,2]], K_QP 1 = [8, 8], rhs = −8/(2·2·0.5) = −4
    // symmetric solution α1 = α2 = a: (2a + 2a) + 0.5a = −4 ⇒ a = −4/4.5
    expectClose(m.alpha, [-4 / 4.5, -4 / 4.5], { rtol: 1e-12, atol: 0 });
    expectClose(m.beta, [1, 1], { rtol: 1e-12, atol: 0 });
    // r̂(x) = x·(Σα·2 + Σβ·x_j) = x·(−16/4.5 + 4)
    expectClose(m.predict([[1]]), [-16 / 4.5 + 4], { rtol: 1e-12, atol: 1e-15 });
  });

  it('the center basis with all points reproduces the exact form', () => {
    const kernel = gaussianKernel(0.5);
    const exact = new KuLSIF({ lambda: 0.1, iterations: 3, kernel }).fit(num, den);
    const nys = new KuLSIF({ lambda: 0.1, iterations: 3, kernel, centers: 90 }).fit(num, den);
    const x = gaussianSample(20, 2, 0.2, 1, 3);
    expectClose(nys.predict(x), exact.predict(x), { rtol: 1e-4, atol: 1e-4 });
  });

  it('estimates a known ratio: N(0.5,0.8²)/N(0,1) correlates with the truth', () => {
    const n2 = gaussianSample(400, 1, 0.5, 0.8, 4);
    const d2 = gaussianSample(400, 1, 0, 1, 5);
    const model = new KuLSIF({ lambda: 0.1, iterations: 3 }).fit(n2, d2);
    const xs = [-1, -0.5, 0, 0.5, 1, 1.5].map((v) => [v]);
    const r = model.predict(xs);
    const truth = xs.map(([x]) => Math.exp(-((x - 0.5) ** 2) / (2 * 0.64)) / 0.8 / Math.exp(-(x * x) / 2));
    for (let i = 0; i < xs.length; i++)
      expect(Math.abs(r[i] - truth[i])).toBeLessThan(0.35 * truth[i] + 0.15);
  });
});

describe('kernels', () => {
  const X = { data: Float64Array.from([0, 0, 1, 0, 0, 2, 3, 3]), rows: 4, cols: 2 };
  it('gaussian, laplacian, linear, polynomial by hand', () => {
    const g = gram(resolveKernel({ type: 'gaussian', gamma: 0.5, offset: 1 }, X), X, X);
    expect(g[1]).toBeCloseTo(1 + Math.exp(-0.5), 14);
    const l = gram(resolveKernel({ type: 'laplacian', gamma: 0.5 }, X), X, X);
    expect(l[3]).toBeCloseTo(Math.exp(-3), 14);
    const lin = gram(resolveKernel({ type: 'linear', offset: 1 }, X), X, X);
    expect(lin[2 * 4 + 3]).toBe(7);
    const p = gram(resolveKernel({ type: 'polynomial', degree: 2, gamma: 1, coef0: 1 }, X), X, X);
    expect(p[3 * 4 + 3]).toBe(19 * 19);
  });
  it('median heuristic: sigma = median distance (gamma = 1/(2 med²)) or the reference γ = 1/med', () => {
    const Y = { data: Float64Array.from([0, 1, 3]), rows: 3, cols: 1 };
    // distances 1, 3, 2 → median 2
    expect(medianDistance(Y)).toBe(2);
    expect(resolveKernel({ type: 'gaussian' }, Y).gamma).toBeCloseTo(1 / 8, 15);
    expect(resolveKernel({ type: 'gaussian', bandwidth: 'median-reference' }, Y).gamma).toBeCloseTo(0.5, 15);
    expect(resolveKernel({ type: 'gaussian', sigma: 2 }, Y).gamma).toBeCloseTo(1 / 8, 15);
  });
  it('rejects bad kernels', () => {
    expect(() => resolveKernel({ type: 'gaussian', gamma: -1 }, X)).toThrow(DREInputError);
    expect(() => resolveKernel({ type: 'gaussian', sigma: 0 }, X)).toThrow(
      /options.kernel.sigma: expected a positive/,
    );
    expect(() => resolveKernel({ type: 'rbf' } as never, X)).toThrow(/options.kernel/);
  });
});

describe('bad input', () => {
  const ok = [
    [0, 1],
    [1, 0],
    [2, 2],
  ];
  it('different dimensionality, NaN/Inf rows, < 2 samples, bad λ / t', () => {
    expect(() => new KuLSIF().fit(ok, [[1], [2]])).toThrow(
      /denominator: expected dimension 2.*received dimension 1/,
    );
    expect(() =>
      new KuLSIF().fit(ok, [
        [1, Number.NaN],
        [0, 0],
      ]),
    ).toThrow(/denominator\[0\]: expected finite values, received NaN/);
    expect(() => new KuLSIF().fit([[1, Number.POSITIVE_INFINITY], ...ok], ok)).toThrow(DREInputError);
    expect(() => new KuLSIF().fit([[1, 2]], ok)).toThrow(
      /numerator: expected at least 2 samples, received 1/,
    );
    expect(() => new KuLSIF({ lambda: 0 })).toThrow(
      /options.lambda: expected a positive finite number, received 0/,
    );
    expect(() => new KuLSIF({ lambda: -1 })).toThrow(DREInputError);
    expect(() => new KuLSIF({ iterations: 1.5 })).toThrow(/options.iterations/);
    expect(() => new KuLSIF().predict(ok)).toThrow(/call fit/);
    const m = new KuLSIF().fit(ok, ok);
    expect(() => m.predict([[1, 2, 3]])).toThrow(/x: expected dimension 2/);
    const err = (() => {
      try {
        new KuLSIF({ lambda: Number.NaN });
      } catch (e) {
        return e as DREInputError;
      }
    })();
    expect(err?.argument).toBe('options.lambda');
    expect(err?.received).toBe('NaN');
  });
});

describe('toJSON / FittedRatioModel', () => {
  it('round-trips predictions for identity, exp and kernel-smoothing models', () => {
    const num = gaussianSample(20, 2, 0.5, 0.8, 41);
    const den = gaussianSample(25, 2, 0, 1, 42);
    const x = gaussianSample(5, 2, 0.2, 1, 43);
    for (const m of [
      new KuLSIF({ lambda: 0.1, iterations: 3, kernel: { type: 'laplacian' } }).fit(num, den),
      new LogisticDRE({ lambda: 0.1 }).fit(num, den),
      new KMM().fit(num, den),
    ]) {
      const restored = new FittedRatioModel(JSON.parse(JSON.stringify(m.toJSON())));
      expectClose(restored.predict(x), m.predict(x), { rtol: 1e-12, atol: 1e-14, name: m.constructor.name });
    }
    expect(() => new FittedRatioModel({ ...new KMM().fit(num, den).toJSON(), weights: [1] })).toThrow(
      /json.weights/,
    );
    expect(() => new FittedRatioModel(new KMM().fit(num, den).toJSON()).fit()).toThrow(DREInputError);
  });
});
