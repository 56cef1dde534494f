import { type FixtureArray, loadFixture } from '@paperstack/test-utils';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { gaussianKernel } from './kernels';
import { centerIterates, centerSystem, KuLSIF } from './kulsif';
import { RuLSIF, ULSIF } from './lsif';
import { toMat } from './samples';
import { gaussianSample, samples } from './test-helpers';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
const LAMBDAS = [1e-3, 1e-4, 1e-5, 1e-6];

/** max |a − ref| / max |ref| (relative to the scale of the reference). */
function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    e = Math.max(e, Math.abs(a[i] - ref[i]));
    s = Math.max(s, Math.abs(ref[i]));
  }
  return e / s;
}

/** Row `r` of a fixture array with one row per λ. */
const row = (a: FixtureArray, r: number) => a.data.slice(r * a.shape[1], (r + 1) * a.shape[1]);

/** exp(−γ‖x − c‖²) for every row of X and C, as nested arrays (written out, independent of kernels.ts). */
function gaussRows(X: Float64Array, C: Float64Array, d: number, gamma: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.length / d; i++) {
    const r: number[] = [];
    for (let l = 0; l < C.length / d; l++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (X[i * d + k] - C[l * d + k]) ** 2;
      r.push(Math.exp(-gamma * s));
    }
    out.push(r);
  }
  return out;
}

// Issue 18: the closed forms must not carry a conditioning bias at small λ (uLSIF used to add a
// jitter of 1e-10·trace(Ĥ)/b to Ĥ + λI, a relative bias ~jitter/λ: 1.5e-9 at λ = 1e-3, 3.6e-6 at 1e-6).
// References: our numpy float64 solves (scripts/make_fixtures.py, section 5), and an independent
// float64 computation in the test (Ĥ, ĥ written out, solved by ml-matrix's LU).
describe('closed forms at small λ agree with a float64 reference to 1e-9 relative', () => {
  for (const [name, Est] of [
    ['ulsif_small_lambda_d2', ULSIF],
    ['rulsif_small_lambda_d5', RuLSIF],
  ] as const) {
    it(`${name}: ${Est.name} predictions, λ = 1e-3 … 1e-6 (numpy fixture)`, () => {
      const fx = loadFixture(name, FIXTURES);
      const cfg = fx.config as { alpha: number; sigma: number; lambdas: number[] };
      expect(cfg.lambdas).toEqual(LAMBDAS);
      cfg.lambdas.forEach((lambda, r) => {
        const model = new Est({
          lambda,
          sigma: cfg.sigma,
          centers: samples(fx.inputs.centers),
          clip: false,
          ...(Est === RuLSIF ? { alpha: cfg.alpha } : {}),
        }).fit(samples(fx.inputs.x), samples(fx.inputs.y));
        const err = relErr(model.predict(samples(fx.inputs.xt)), row(fx.outputs.predictions, r));
        expect(err, `λ = ${lambda}`).toBeLessThanOrEqual(1e-9);
      });
    });
  }

  it('kulsif_small_lambda: KuLSIF t = 3, exact form and center basis (numpy fixture)', () => {
    const fx = loadFixture('kulsif_small_lambda', FIXTURES);
    const cfg = fx.config as { gamma: number; iterations: number; lambdas: number[] };
    const num = samples(fx.inputs.numerator);
    const den = samples(fx.inputs.denominator);
    const xt = samples(fx.inputs.x);
    const kernel = gaussianKernel(cfg.gamma);
    const C = toMat(samples(fx.inputs.centers), 'centers');
    const Pt = gaussRows(xt.data, C.data, C.cols, cfg.gamma);
    cfg.lambdas.forEach((lambda, r) => {
      const exact = new KuLSIF({ lambda, iterations: cfg.iterations, kernel }).fit(num, den);
      expect(
        relErr(exact.predict(xt), row(fx.outputs.predictions_all, r)),
        `exact, λ = ${lambda}`,
      ).toBeLessThanOrEqual(1e-9);
      const sys = centerSystem(kernel, toMat(num, 'num'), toMat(den, 'den'), C);
      const theta = centerIterates(sys, lambda, cfg.iterations, 'rkhs')[cfg.iterations - 1];
      const pred = Pt.map((p) => p.reduce((s, v, l) => s + v * theta[l], 0));
      expect(
        relErr(pred, row(fx.outputs.predictions_centers, r)),
        `centers, λ = ${lambda}`,
      ).toBeLessThanOrEqual(1e-9);
    });
  });

  it('uLSIF on fresh draws (d = 2, m = 120, n = 150; d = 4, m = 90, n = 60): independent float64 solve', () => {
    for (const [d, m, n, b, sigma, seed] of [
      [2, 120, 150, 100, 0.7, 1],
      [4, 90, 60, 50, 1.2, 2],
      [2, 120, 150, 100, 0.4, 3],
    ]) {
      const x = gaussianSample(m, d, 0.3, 0.8, seed);
      const y = gaussianSample(n, d, 0, 1, seed + 100);
      const xt = gaussianSample(25, d, 0.1, 1, seed + 200);
      const C = x.data.slice(0, b * d);
      const g = 1 / (2 * sigma * sigma);
      const py = gaussRows(y.data, C, d, g);
      const px = gaussRows(x.data, C, d, g);
      const pt = gaussRows(xt.data, C, d, g);
      const h = px[0].map((_, l) => px.reduce((s, r) => s + r[l], 0) / m);
      for (const lambda of LAMBDAS) {
        const A = Matrix.zeros(b, b);
        for (let p = 0; p < b; p++) {
          for (let q = 0; q < b; q++)
            A.set(p, q, py.reduce((s, r) => s + r[p] * r[q], 0) / n + (p === q ? lambda : 0));
        }
        const theta = solve(A, Matrix.columnVector(h)).getColumn(0);
        const ref = pt.map((r) => r.reduce((s, v, l) => s + v * theta[l], 0));
        const model = new ULSIF({ lambda, sigma, centers: { data: C, dim: d }, clip: false }).fit(x, y);
        expect(relErr(model.predict(xt), ref), `d = ${d}, seed ${seed}, λ = ${lambda}`).toBeLessThanOrEqual(
          1e-9,
        );
      }
    }
  });

  it('center basis (RKHS path) with duplicate centers: singular in float64, still solved (jitter fallback)', () => {
    const num = gaussianSample(60, 2, 0.3, 0.8, 7);
    const den = gaussianSample(80, 2, 0, 1, 8);
    const kernel = gaussianKernel(0.5);
    const base = toMat({ data: den.data.slice(0, 20 * 2), dim: 2 }, 'centers');
    const dup = toMat(
      { data: Float64Array.from([...base.data, ...base.data.slice(0, 10)]), dim: 2 },
      'centers',
    );
    const nm = toMat(num, 'num');
    const dm = toMat(den, 'den');
    const xt = gaussianSample(15, 2, 0.1, 1, 9);
    for (const lambda of [1e-3, 1e-6]) {
      const predict = (C: typeof base) => {
        const theta = centerIterates(centerSystem(kernel, nm, dm, C), lambda, 2, 'rkhs')[1];
        return gaussRows(xt.data, C.data, 2, 0.5).map((p) => p.reduce((s, v, l) => s + v * theta[l], 0));
      };
      const ref = predict(base);
      const got = predict(dup);
      expect(got.every(Number.isFinite)).toBe(true);
      // the same function space: only the jitter (1e-10·trace/b, needed here) separates the two
      expect(relErr(got, ref), `λ = ${lambda}`).toBeLessThanOrEqual(1e-4);
    }
  });
});
