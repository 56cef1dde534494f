/**
 * KLIEP (Sugiyama et al., NIPS 2007 / AISM 2008): maximize Σ_j log r̂(x_j) over r̂ = Σ_l θ_l k(x, c_l)
 * subject to 1/n Σ_i r̂(x'_i) = 1 and θ ≥ 0, by projected gradient ascent with a decreasing step
 * schedule (as R densratio `KLIEP_optimize_alpha`), centers from the numerator, σ by K-fold
 * likelihood cross-validation (mean log r̂ on held-out numerator points).
 */

import { DREInputError, describe, positive } from './errors';
import { checkCommon, KernelExpansionEstimator, prepare } from './estimator';
import { gaussianKernel, gram } from './kernels';
import { matTVec, matVec } from './linalg';
import { sigmaGrid } from './lsif';
import { Rng } from './random';
import { type Mat, type SampleInput, takeRows } from './samples';

/** Options of {@link KLIEP}: the Gaussian width (or a CV grid), the centers, and the ascent schedule. */
export interface KLIEPOptions {
  /** Gaussian width σ, or a grid searched by likelihood CV. Default: the 10-value quantile grid of `ULSIF`. */
  sigma?: number | number[];
  /** Number of centers from the numerator (seeded, without replacement). Default 100. */
  centers?: number;
  /** Folds of the likelihood CV. Default 5. */
  folds?: number;
  /** Step sizes, tried in order, each for up to `maxIterations` ascent steps. Default 10^(3:−3). */
  epsilons?: number[];
  /** Most ascent steps per step size. Default 100. */
  maxIterations?: number;
  /** Seed for centers and folds. Default 0. */
  seed?: number;
}

/** θ maximizing mean log(Aθ) s.t. bᵀθ = 1, θ ≥ 0; A [m, b] kernel values on numerator points. */
export function kliepOptimize(
  A: Float64Array,
  m: number,
  b: number,
  bvec: Float64Array,
  eps: number[],
  maxIt: number,
): Float64Array {
  const bb = bvec.reduce((s, v) => s + v * v, 0);
  const project = (t: Float64Array) => {
    const bt = t.reduce((s, v, i) => s + v * bvec[i], 0);
    for (let i = 0; i < b; i++) t[i] = Math.max(0, t[i] + ((1 - bt) * bvec[i]) / bb);
    const bt2 = t.reduce((s, v, i) => s + v * bvec[i], 0);
    for (let i = 0; i < b; i++) t[i] /= bt2;
    return t;
  };
  const score = (t: Float64Array) => {
    const r = matVec(A, m, b, t);
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.log(r[j]);
    return s / m;
  };
  let theta = project(new Float64Array(b).fill(1));
  let best = score(theta);
  for (const e of eps) {
    for (let it = 0; it < maxIt; it++) {
      const r = matVec(A, m, b, theta);
      const inv = r.map((v) => 1 / v);
      const g = matTVec(A, m, b, inv);
      const cand = project(theta.map((v, i) => v + e * g[i]));
      const s = score(cand);
      if (!(s > best)) break;
      theta = cand;
      best = s;
    }
  }
  return theta;
}

/** KLIEP estimator (Gaussian kernel, centers from the numerator). */
export class KLIEP extends KernelExpansionEstimator {
  protected readonly estimatorName = 'KLIEP';
  readonly seed: number;
  private readonly opts: KLIEPOptions;
  /** Mean held-out log r̂ for each σ of the last fit (higher is better). */
  cvScores: { sigma: number; score: number }[] = [];

  constructor(options: KLIEPOptions = {}) {
    super();
    this.seed = checkCommon({ seed: options.seed }).seed;
    this.opts = options;
    const f = options.folds ?? 5;
    if (!Number.isInteger(f) || f < 2)
      throw new DREInputError('options.folds', 'an integer ≥ 2', describe(f));
    if (options.sigma !== undefined) {
      const s = typeof options.sigma === 'number' ? [options.sigma] : options.sigma;
      if (!Array.isArray(s) || s.length === 0)
        throw new DREInputError(
          'options.sigma',
          'a positive number or non-empty array',
          describe(options.sigma),
        );
      for (let i = 0; i < s.length; i++) positive(`options.sigma[${i}]`, s[i]);
    }
  }

  fit(numerator: SampleInput, denominator: SampleInput): this {
    const { num, den } = prepare(this.estimatorName, numerator, denominator);
    const o = this.opts;
    const rng = new Rng(this.seed);
    const C = takeRows(num, rng.sample(num.rows, o.centers ?? 100));
    const sigmas =
      o.sigma === undefined
        ? sigmaGrid(num, 10, this.seed)
        : typeof o.sigma === 'number'
          ? [o.sigma]
          : o.sigma;
    const eps = o.epsilons ?? [1e3, 1e2, 1e1, 1, 1e-1, 1e-2, 1e-3];
    const maxIt = o.maxIterations ?? 100;
    const b = C.rows;
    const solve = (sigma: number, nu: Mat) => {
      const k = gaussianKernel(1 / (2 * sigma * sigma));
      const A = gram(k, nu, C);
      const Kde = gram(k, den, C);
      const bvec = new Float64Array(b);
      for (let i = 0; i < den.rows; i++) for (let l = 0; l < b; l++) bvec[l] += Kde[i * b + l] / den.rows;
      return kliepOptimize(A, nu.rows, b, bvec, eps, maxIt);
    };
    let sigma = sigmas[0];
    this.cvScores = [];
    if (sigmas.length > 1) {
      const folds = o.folds ?? 5;
      const perm = rng.permutation(num.rows);
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const s of sigmas) {
        let total = 0;
        for (let f = 0; f < folds; f++) {
          const test: number[] = [];
          const train: number[] = [];
          for (let i = 0; i < perm.length; i++) (i % folds === f ? test : train).push(perm[i]);
          const theta = solve(s, takeRows(num, train));
          const At = gram(gaussianKernel(1 / (2 * s * s)), takeRows(num, test), C);
          const r = matVec(At, test.length, b, theta);
          total += r.reduce((acc, v) => acc + Math.log(Math.max(v, 1e-300)), 0) / test.length;
        }
        const score = total / folds;
        this.cvScores.push({ sigma: s, score });
        if (score > bestScore) {
          bestScore = score;
          sigma = s;
        }
      }
    }
    const theta = solve(sigma, num);
    this.fitted = {
      centers: C,
      weights: theta,
      kernel: gaussianKernel(1 / (2 * sigma * sigma)),
      link: 'identity',
    };
    return this;
  }
}
