/**
 * uLSIF (Kanamori, Hido & Sugiyama, JMLR 2009) and RuLSIF (Yamada et al. 2011; Liu et al. 2013)
 * in a Gaussian center basis φ(x) = (exp(−‖x − c_l‖²/(2σ²)))_l with centers from the numerator:
 *
 *   Ĥ = α/m Σ φ(x_j)φ(x_j)ᵀ + (1 − α)/n Σ φ(x'_i)φ(x'_i)ᵀ,  ĥ = 1/m Σ φ(x_j),  θ = (Ĥ + λI)⁻¹ĥ,
 *
 * (α = 0: uLSIF; α > 0: the α-relative ratio p/(αp + (1 − α)q) ≤ 1/α), with σ and λ chosen by the
 * analytic leave-one-out score of Kanamori et al. 2009 Sec. 3.3 (as R densratio / densityratio).
 * Matches hoxo-m/densratio_py `densratio/RuLSIF.py` given the same centers.
 */

import { DREInputError, describe, positive } from './errors';
import { checkCommon, type EstimatorOptions, KernelExpansionEstimator, prepare } from './estimator';
import { forEachGramBlock, gaussianKernel } from './kernels';
import { centerIterates, centerSystem } from './kulsif';
import { cholesky, cholSolveInPlace } from './linalg';
import { Rng } from './random';
import { type Mat, type SampleInput, takeRows, toMat, vstack } from './samples';

/**
 * Options of {@link ULSIF} (Gaussian kernel only, so `sigma` replaces `kernel`; `lambda` may be a
 * grid; defaults follow R densratio / densityratio).
 */
export interface LSIFOptions extends Omit<EstimatorOptions, 'lambda' | 'kernel'> {
  /** λ, or a grid searched by leave-one-out CV. Default 10^seq(3, −3, length 20) (R densityratio). */
  lambda?: number | number[];
  /**
   * Gaussian width σ, or a grid searched by leave-one-out CV. Default: 10 values σ = sqrt(q/2) for
   * the 5%…95% quantiles q of the squared pairwise distances (R densityratio's rule).
   */
  sigma?: number | number[];
  /** Number of centers drawn (seeded, without replacement) from the numerator, or the centers [b, d] themselves. Default 100. */
  centers?: number | SampleInput;
  /** Clip negative θ to 0 after the solve (densratio). Default true. */
  clip?: boolean;
  /**
   * Leave-one-out score: `'r'` (default) as R densratio/densityratio, or `'densratio-py'`, which
   * omits the division of the B1 term by the leave-one-out denominator (hoxo-m/densratio_py v0.3).
   */
  loocv?: 'r' | 'densratio-py';
}

/** Result of the σ × λ search: scores[σ index][λ index] (lower is better). */
export interface LOOCVResult {
  sigmas: number[];
  lambdas: number[];
  scores: number[][];
  sigma: number;
  lambda: number;
}

export const DEFAULT_LAMBDAS = Array.from({ length: 20 }, (_, i) => 10 ** (3 - (6 * i) / 19));

/** σ grid from distance quantiles (R densityratio): σ = sqrt(q/2), q = quantiles 0.05…0.95 of ‖x − y‖². */
export function sigmaGrid(x: Mat, count = 10, seed = 0): number[] {
  const idx = x.rows <= 1000 ? null : new Rng(seed).sample(x.rows, 1000);
  const n = idx ? idx.length : x.rows;
  const d = x.cols;
  const v: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const ia = (idx ? idx[a] : a) * d;
      const ib = (idx ? idx[b] : b) * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += (x.data[ia + c] - x.data[ib + c]) ** 2;
      if (s > 0) v.push(s);
    }
  }
  v.sort((p, q) => p - q);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const p = 0.05 + (0.9 * k) / Math.max(1, count - 1);
    const pos = p * (v.length - 1);
    const lo = Math.floor(pos);
    const q = v[lo] + (pos - lo) * ((v[Math.min(lo + 1, v.length - 1)] ?? v[lo]) - v[lo]);
    out.push(Math.sqrt(q / 2));
  }
  return out;
}

function grid(name: string, v: number | number[] | undefined, fallback: () => number[]): number[] {
  if (v === undefined) return fallback();
  const arr = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr) || arr.length === 0)
    throw new DREInputError(name, 'a positive number or a non-empty array', describe(v));
  for (let i = 0; i < arr.length; i++) positive(`${name}[${i}]`, arr[i]);
  return arr;
}

function basis(sigma: number, X: Mat, C: Mat): Float64Array {
  const out = new Float64Array(X.rows * C.rows);
  forEachGramBlock(gaussianKernel(1 / (2 * sigma * sigma)), X, C, 512, (blk, start) =>
    out.set(blk, start * C.rows),
  );
  return out;
}

/**
 * The analytic leave-one-out score (Kanamori et al. 2009, Sec. 3.3) over a σ × λ grid, for
 * α-relative LSIF (α = 0: uLSIF), using the first min(m, n) points of each sample.
 */
export function lsifLOOCV(
  num: Mat,
  den: Mat,
  centers: Mat,
  sigmas: number[],
  lambdas: number[],
  alpha = 0,
  variant: 'r' | 'densratio-py' = 'r',
): LOOCVResult {
  const nx = num.rows;
  const ny = den.rows;
  const nmin = Math.min(nx, ny);
  const b = centers.rows;
  const scores: number[][] = [];
  let best = { s: Number.POSITIVE_INFINITY, sigma: sigmas[0], lambda: lambdas[0] };
  for (const sigma of sigmas) {
    const sys = centerSystem(gaussianKernel(1 / (2 * sigma * sigma)), num, den, centers, alpha);
    const { H, h } = sys;
    // X_de, X_nu as [b, nmin] (columns = the first nmin points)
    const px = basis(sigma, takeRows(num, range(nmin)), centers);
    const py = basis(sigma, takeRows(den, range(nmin)), centers);
    const Xde = transpose(py, nmin, b);
    const Xnu = transpose(px, nmin, b);
    const row: number[] = [];
    for (const lambda of lambdas) {
      const B = H.slice();
      for (let i = 0; i < b; i++) B[i * b + i] += (lambda * (ny - 1)) / ny;
      const L = cholesky(B, b);
      const BiY = cholSolveInPlace(L, b, Xde.slice(), nmin);
      const BiX = cholSolveInPlace(L, b, Xnu.slice(), nmin);
      const Bih = cholSolveInPlace(L, b, h.slice(), 1);
      let ryry = 0;
      let rxsum = 0;
      for (let k = 0; k < nmin; k++) {
        let xbx = 0;
        let hbx = 0;
        let nbx = 0;
        for (let l = 0; l < b; l++) {
          const v = BiY[l * nmin + k];
          xbx += Xde[l * nmin + k] * v;
          hbx += h[l] * v;
          nbx += Xnu[l * nmin + k] * v;
        }
        const denom = ny - xbx;
        const c0 = hbx / denom;
        const c1 = variant === 'r' ? nbx / denom : nbx;
        let ry = 0;
        let rx = 0;
        for (let l = 0; l < b; l++) {
          const v = BiY[l * nmin + k];
          const b0 = Bih[l] + v * c0;
          const b1 = BiX[l * nmin + k] + v * c1;
          const b2 = Math.max(0, ((ny - 1) * (nx * b0 - b1)) / (ny * (nx - 1)));
          ry += Xde[l * nmin + k] * b2;
          rx += Xnu[l * nmin + k] * b2;
        }
        ryry += ry * ry;
        rxsum += rx;
      }
      const s = (ryry / 2 - rxsum) / nmin;
      row.push(s);
      if (s < best.s) best = { s, sigma, lambda };
    }
    scores.push(row);
  }
  return { sigmas, lambdas, scores, sigma: best.sigma, lambda: best.lambda };
}

function range(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** uLSIF / RuLSIF estimator (RuLSIF when `alpha > 0`; see `RuLSIF`). */
export class ULSIF extends KernelExpansionEstimator {
  protected readonly estimatorName: string = 'ULSIF';
  readonly iterations: number;
  readonly seed: number;
  protected alpha = 0;
  private readonly opts: LSIFOptions;
  /** The σ × λ leave-one-out search of the last fit (null when both were given as single values). */
  loocv: LOOCVResult | null = null;
  /** The σ and λ used by the last fit. */
  selected: { sigma: number; lambda: number } | null = null;

  constructor(options: LSIFOptions = {}) {
    super();
    const c = checkCommon({ iterations: options.iterations, seed: options.seed });
    this.iterations = c.iterations;
    this.seed = c.seed;
    this.opts = options;
    grid('options.lambda', options.lambda, () => DEFAULT_LAMBDAS);
    if (options.sigma !== undefined) grid('options.sigma', options.sigma, () => []);
    const lv = options.loocv ?? 'r';
    if (lv !== 'r' && lv !== 'densratio-py')
      throw new DREInputError('options.loocv', "'r' | 'densratio-py'", describe(lv));
  }

  fit(numerator: SampleInput, denominator: SampleInput): this {
    const { num, den } = prepare(this.estimatorName, numerator, denominator);
    const o = this.opts;
    let C: Mat;
    const centers = o.centers ?? 100;
    if (typeof centers === 'number') {
      if (!Number.isInteger(centers) || centers < 1)
        throw new DREInputError('options.centers', 'a positive integer or samples', describe(centers));
      C = takeRows(num, new Rng(this.seed).sample(num.rows, centers));
    } else {
      C = toMat(centers, 'options.centers', { dim: num.cols });
    }
    const lambdas = grid('options.lambda', o.lambda, () => DEFAULT_LAMBDAS);
    const sigmas = grid('options.sigma', o.sigma, () => sigmaGrid(vstack(num, den), 10, this.seed));
    let sigma = sigmas[0];
    let lambda = lambdas[0];
    this.loocv = null;
    if (sigmas.length > 1 || lambdas.length > 1) {
      this.loocv = lsifLOOCV(num, den, C, sigmas, lambdas, this.alpha, o.loocv ?? 'r');
      sigma = this.loocv.sigma;
      lambda = this.loocv.lambda;
    }
    this.selected = { sigma, lambda };
    const kernel = gaussianKernel(1 / (2 * sigma * sigma));
    const sys = centerSystem(kernel, num, den, C, this.alpha);
    const theta = centerIterates(sys, lambda, this.iterations, 'identity')[this.iterations - 1];
    if (o.clip ?? true) for (let i = 0; i < theta.length; i++) if (theta[i] < 0) theta[i] = 0;
    this.fitted = { centers: C, weights: theta, kernel, link: 'identity' };
    return this;
  }
}

/** Options of {@link RuLSIF}: those of uLSIF plus the mixture weight α. */
export interface RuLSIFOptions extends LSIFOptions {
  /** Mixture weight α ∈ [0, 1) of the relative ratio p/(αp + (1 − α)q). Default 0.1 (R densratio). */
  alpha?: number;
}

/** RuLSIF: the α-relative density ratio p/(αp + (1 − α)q), bounded by 1/α. */
export class RuLSIF extends ULSIF {
  protected override readonly estimatorName = 'RuLSIF';
  constructor(options: RuLSIFOptions = {}) {
    super(options);
    const a = options.alpha ?? 0.1;
    if (typeof a !== 'number' || !(a >= 0 && a < 1))
      throw new DREInputError('options.alpha', 'a number in [0, 1)', describe(a));
    this.alpha = a;
  }
}
