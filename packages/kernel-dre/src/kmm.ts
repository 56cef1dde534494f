/**
 * Kernel mean matching (Huang et al., NIPS 2006): weights w on the denominator points minimizing the
 * RKHS distance between the weighted denominator mean and the numerator mean,
 *
 *   min_w ½ wᵀK w − κᵀw,  κ_i = (n/m) Σ_j k(x'_i, x_j),  0 ≤ w ≤ B,  |Σ w − n| ≤ n ε,
 *
 * solved here by accelerated projected gradient (FISTA) with an exact projection onto the box ∩ slab
 * (bisection on the shift). KMM defines weights only at the denominator points; `predict` extends
 * them to any x by kernel smoothing r̂(x) = Σ w_i k(x, x'_i) / Σ k(x, x'_i) (our choice, documented).
 */

import { positive } from './errors';
import { checkCommon, KernelExpansionEstimator, prepare } from './estimator';
import { forEachGramBlock, gram, type Kernel, type KernelSpec } from './kernels';
import { matVec } from './linalg';
import type { SampleInput } from './samples';

/** Options of {@link KMM}: the kernel and the box / slab constraints and solver limits of the quadratic program above. */
export interface KMMOptions {
  /** Kernel. Default `{ type: 'gaussian' }` (median heuristic). */
  kernel?: KernelSpec | Kernel;
  /** Upper bound B on each weight. Default 1000 (adapt). */
  B?: number;
  /** Slab half-width ε of the normalization constraint. Default (√n − 1)/√n (Huang et al.). */
  epsilon?: number;
  /** Projected-gradient iterations. Default 2000. */
  maxIterations?: number;
  /** Stop when the relative change of w is below this. Default 1e-9. */
  tol?: number;
  /** Seed (median-heuristic subsample). Default 0. */
  seed?: number;
}

/** Projects v onto {0 ≤ w ≤ B, lo ≤ Σw ≤ hi}: w = clip(v − τ, 0, B) with the smallest |τ|. */
export function projectBoxSlab(v: Float64Array, B: number, lo: number, hi: number): Float64Array {
  const clipSum = (tau: number) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += Math.min(B, Math.max(0, v[i] - tau));
    return s;
  };
  let tau = 0;
  const s0 = clipSum(0);
  const target = s0 > hi ? hi : s0 < lo ? lo : null;
  if (target !== null) {
    let a = -Math.max(...v.map(Math.abs)) - B - 1;
    let b = Math.max(...v.map(Math.abs)) + B + 1;
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (a + b);
      if (clipSum(mid) > target) a = mid;
      else b = mid;
    }
    tau = 0.5 * (a + b);
  }
  return v.map((x) => Math.min(B, Math.max(0, x - tau)));
}

/** KMM estimator: `coefficients.weights` are the weights of the denominator points. */
export class KMM extends KernelExpansionEstimator {
  protected readonly estimatorName = 'KMM';
  readonly seed: number;
  private readonly opts: KMMOptions;
  /** Iterations used by the last fit. */
  iterationsUsed = 0;

  constructor(options: KMMOptions = {}) {
    super();
    this.seed = checkCommon({ seed: options.seed }).seed;
    this.opts = options;
    if (options.B !== undefined) positive('options.B', options.B);
    if (options.epsilon !== undefined) positive('options.epsilon', options.epsilon);
  }

  fit(numerator: SampleInput, denominator: SampleInput): this {
    const { num, den } = prepare(this.estimatorName, numerator, denominator);
    const kernel = this.resolveKernel(this.opts.kernel, num, den, this.seed);
    const n = den.rows;
    const m = num.rows;
    const K = gram(kernel, den, den);
    const kappa = new Float64Array(n);
    forEachGramBlock(kernel, den, num, 256, (blk, start, rows) => {
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += blk[r * m + j];
        kappa[start + r] = (n / m) * s;
      }
    });
    const B = this.opts.B ?? 1000;
    const eps = this.opts.epsilon ?? (Math.sqrt(n) - 1) / Math.sqrt(n);
    const lo = n * (1 - eps);
    const hi = n * (1 + eps);
    // Lipschitz constant = λ_max(K) by power iteration
    let v = new Float64Array(n).fill(1 / Math.sqrt(n));
    let Lc = 1;
    for (let it = 0; it < 100; it++) {
      const Kv = matVec(K, n, n, v);
      const norm = Math.sqrt(Kv.reduce((s, x) => s + x * x, 0));
      Lc = norm;
      v = Kv.map((x) => x / norm);
    }
    Lc *= 1.01;
    let w = projectBoxSlab(new Float64Array(n).fill(1), B, lo, hi);
    const y = w.slice();
    let t = 1;
    const maxIt = this.opts.maxIterations ?? 2000;
    const tol = this.opts.tol ?? 1e-9;
    let it = 0;
    for (; it < maxIt; it++) {
      const g = matVec(K, n, n, y);
      for (let i = 0; i < n; i++) g[i] -= kappa[i];
      const wNew = projectBoxSlab(
        y.map((yi, i) => yi - g[i] / Lc),
        B,
        lo,
        hi,
      );
      const tNew = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < n; i++) {
        y[i] = wNew[i] + ((t - 1) / tNew) * (wNew[i] - w[i]);
        diff += (wNew[i] - w[i]) ** 2;
        norm += wNew[i] ** 2;
      }
      w = wNew;
      t = tNew;
      if (Math.sqrt(diff) <= tol * Math.max(1, Math.sqrt(norm))) break;
    }
    this.iterationsUsed = it;
    this.fitted = { centers: den, weights: w, kernel, link: 'identity', normalize: true };
    return this;
  }
}
