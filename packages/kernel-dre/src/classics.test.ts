import { expectClose, loadFixture } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { DREInputError } from './errors';
import { KLIEP } from './kliep';
import { KMM, projectBoxSlab } from './kmm';
import { lsifLOOCV, RuLSIF, ULSIF } from './lsif';
import { gaussianSample, samples } from './test-helpers';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

// Reference: hoxo-m/densratio_py RuLSIF (numpy float64) with the centers it drew; LOOCV grids from
// our own numpy (scripts/make_fixtures.py). Float64 everywhere: rtol 1e-8.
describe('uLSIF / RuLSIF parity with densratio', () => {
  for (const tag of ['ulsif', 'rulsif'] as const) {
    it(`${tag}: LOOCV grid, selected (σ, λ), θ and predictions`, () => {
      const fx = loadFixture(`densratio_${tag}`, FIXTURES);
      const cfg = fx.config as { alpha: number; sigma_range: number[]; lambda_range: number[] };
      const x = samples(fx.inputs.x);
      const y = samples(fx.inputs.y);
      const centers = samples(fx.outputs.centers);
      const mat = (s: { data: Float64Array; dim: number }) => ({
        data: s.data,
        rows: s.data.length / s.dim,
        cols: s.dim,
      });
      for (const variant of ['r', 'densratio-py'] as const) {
        const res = lsifLOOCV(
          mat(x),
          mat(y),
          mat(centers),
          cfg.sigma_range,
          cfg.lambda_range,
          cfg.alpha,
          variant,
        );
        const want = variant === 'r' ? fx.outputs.loocv_r : fx.outputs.loocv_densratio_py;
        expectClose(res.scores.flat(), want, { rtol: 1e-8, atol: 1e-10, name: `loocv ${variant}` });
      }
      const common = {
        sigma: cfg.sigma_range,
        lambda: cfg.lambda_range,
        centers,
        loocv: 'densratio-py' as const,
      };
      const model = (cfg.alpha > 0 ? new RuLSIF({ ...common, alpha: cfg.alpha }) : new ULSIF(common)).fit(
        x,
        y,
      );
      expect(model.selected?.sigma).toBe(fx.outputs.sigma.data[0]);
      expect(model.selected?.lambda).toBe(fx.outputs.lambda.data[0]);
      expectClose(model.coefficients.weights, fx.outputs.theta, { rtol: 1e-7, atol: 1e-9, name: 'theta' });
      expectClose(model.predict(samples(fx.inputs.xt)), fx.outputs.predictions, { rtol: 1e-7, atol: 1e-9 });
    });
  }

  it('RuLSIF tracks the α-relative ratio p/(αp + (1−α)q) ≤ 1/α and is non-negative', () => {
    const num = gaussianSample(200, 1, 1, 0.7, 1);
    const den = gaussianSample(200, 1, 0, 1, 2);
    const model = new RuLSIF({ alpha: 0.5, centers: 100, sigma: 0.6, lambda: 0.01 }).fit(num, den);
    const xs = [-0.5, 0.5, 1, 1.5];
    const pdf = (x: number, mu: number, s: number) => Math.exp(-((x - mu) ** 2) / (2 * s * s)) / s;
    const truth = xs.map((x) => pdf(x, 1, 0.7) / (0.5 * pdf(x, 1, 0.7) + 0.5 * pdf(x, 0, 1)));
    const r = model.predict(xs.map((v) => [v]));
    // sanity (finite-sample noise is large at n = 200): the right ordering and a mean error < 0.3 at a fixed (σ, λ)
    expect(r[0]).toBeLessThan(r[1]);
    expect(r[1]).toBeLessThan(r[2]);
    const mae = truth.reduce((s, t, i) => s + Math.abs(t - r[i]), 0) / truth.length;
    expect(mae).toBeLessThan(0.3);
    expect(model.predict(den).every((v) => v >= 0)).toBe(true);
  });
});

describe('KLIEP', () => {
  const num = gaussianSample(150, 1, 0.5, 0.8, 3);
  const den = gaussianSample(150, 1, 0, 1, 4);
  it('satisfies its constraints: θ ≥ 0 and mean r̂ over the denominator = 1', () => {
    const m = new KLIEP({ centers: 50 }).fit(num, den);
    expect(m.coefficients.weights.every((v) => v >= 0)).toBe(true);
    const r = m.predict(den);
    expect(r.reduce((a, b) => a + b, 0) / r.length).toBeCloseTo(1, 8);
    expect(m.cvScores.length).toBe(10);
  });
  it('recovers a known 1-D ratio roughly', () => {
    const m = new KLIEP({ centers: 50, seed: 1 }).fit(num, den);
    const xs = [0, 0.5, 1];
    const truth = xs.map((x) => Math.exp(-((x - 0.5) ** 2) / (2 * 0.64)) / 0.8 / Math.exp(-(x * x) / 2));
    const r = m.predict(xs.map((v) => [v]));
    for (let i = 0; i < 3; i++) expect(Math.abs(r[i] - truth[i])).toBeLessThan(0.4 * truth[i]);
  });
});

describe('KMM', () => {
  it('projection onto box ∩ slab', () => {
    const p = projectBoxSlab(Float64Array.from([5, -1, 0.5, 3]), 2, 0, 3);
    expect(p.every((v) => v >= 0 && v <= 2)).toBe(true);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 9);
    const q = projectBoxSlab(Float64Array.from([0.5, 0.5]), 2, 0, 3);
    expect(Array.from(q)).toEqual([0.5, 0.5]);
  });
  it('weights are non-negative, bounded, and up-weight the numerator region', () => {
    const num = gaussianSample(100, 1, 1, 0.5, 5);
    const den = gaussianSample(120, 1, 0, 1, 6);
    const m = new KMM({ B: 50 }).fit(num, den);
    const w = m.coefficients.weights;
    expect(w.every((v) => v >= 0 && v <= 50)).toBe(true);
    const r = m.predict([[-1.5], [1]]);
    expect(r[1]).toBeGreaterThan(r[0]);
    expect(r.every((v) => v >= 0)).toBe(true);
  });
});

describe('classics: bad input', () => {
  it('names the argument', () => {
    expect(() => new ULSIF({ lambda: [1, -1] })).toThrow(/options.lambda\[1\]: expected a positive/);
    expect(() => new ULSIF({ sigma: 0 })).toThrow(DREInputError);
    expect(() => new RuLSIF({ alpha: 1 })).toThrow(/options.alpha: expected a number in \[0, 1\)/);
    expect(() => new KLIEP({ folds: 1 })).toThrow(/options.folds/);
    expect(() => new KMM({ B: -2 })).toThrow(/options.B/);
    expect(() =>
      new ULSIF().fit(
        [[1], [2]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow(/denominator: expected dimension 1/);
  });
});
