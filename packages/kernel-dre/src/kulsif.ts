/**
 * KuLSIF — kernel unconstrained least-squares importance fitting (Kanamori, Suzuki & Sugiyama 2012)
 * with Tikhonov (t = 1) and iterated Tikhonov (t > 1) regularization, Gruber et al. ICML 2024,
 * Sec. 3 (the scheme f_{t} = argmin L̂(f) + λ/2‖f − f_{t−1}‖²_H, f_0 = 0).
 *
 * Square loss: L̂(f) = 1/(2n) Σ_i f(x'_i)² − 1/m Σ_j f(x_j) (x' ~ denominator Q, x ~ numerator P).
 * The representer form f = Σ_i α_i k(x'_i, ·) + Σ_j β_j k(x_j, ·) gives the closed form
 *   β^t = t/(mλ)·1_m,   α^t = (K_QQ/n + λI)⁻¹ (λ α^{t−1} − t·K_QP 1_m/(n m λ)),
 * so one Cholesky factorization of K_QQ/n + λI serves every t. t = 1 is the KuLSIF closed form.
 * Matches lugruber/dre_iter_reg `Exp_Kanamori/models_torch.py` `IteratedKulsif.fit` for t ≤ 2; for
 * t ≥ 3 the reference returns the t = 2 iterate (its loop never runs) — see README.
 */

import { DREInputError, DRENumericalError, describe } from './errors';
import { checkCommon, type EstimatorOptions, KernelExpansionEstimator, prepare } from './estimator';
import { forEachGramBlock, gram, type Kernel } from './kernels';
import { addGramT, cholesky, cholSolve, cholSolveInPlace, matVec, symmetrizeLower } from './linalg';
import { Rng } from './random';
import { type Mat, type SampleInput, takeRows, vstack } from './samples';

export interface KuLSIFOptions extends EstimatorOptions {
  /**
   * Expansion points. `'all'` (default): every denominator and numerator point — the paper's exact
   * representer form, O(n³) time and O((n+m)·n) memory, for n up to a few thousand. A number b:
   * b centers drawn without replacement (seeded) from numerator ∪ denominator, f = Σ_l θ_l k(c_l, ·)
   * with the RKHS norm θᵀK_CCθ (subset-of-regressors / Nyström form): O((n+m)·b·d + (n+m)·b²) time,
   * O(b²) memory beyond the data, for n in the 100,000s.
   */
  centers?: 'all' | number;
}

/** Tikhonov / iterated-Tikhonov KuLSIF. `coefficients.weights` = [α (denominator); β (numerator)] in the exact form. */
export class KuLSIF extends KernelExpansionEstimator {
  protected readonly estimatorName = 'KuLSIF';
  readonly lambda: number;
  readonly iterations: number;
  readonly seed: number;
  readonly centersOption: 'all' | number;
  private readonly kernelSpec: KuLSIFOptions['kernel'];
  private ab: { alpha: Float64Array; beta: Float64Array } | null = null;

  constructor(options: KuLSIFOptions = {}) {
    super();
    const c = checkCommon(options);
    this.lambda = c.lambda;
    this.iterations = c.iterations;
    this.seed = c.seed;
    this.kernelSpec = options.kernel;
    const centers = options.centers ?? 'all';
    if (centers !== 'all' && !(Number.isInteger(centers) && (centers as number) >= 1)) {
      throw new DREInputError('options.centers', "'all' or a positive integer", describe(centers));
    }
    this.centersOption = centers;
  }

  fit(numerator: SampleInput, denominator: SampleInput): this {
    const { num, den } = prepare(this.estimatorName, numerator, denominator);
    const kernel = this.resolveKernel(this.kernelSpec, num, den, this.seed);
    if (this.centersOption === 'all') {
      const sys = kulsifSystem(kernel, num, den);
      const alphas = kulsifIterates(sys, this.lambda, this.iterations);
      const alpha = alphas[this.iterations - 1];
      const beta = new Float64Array(num.rows).fill(this.iterations / (num.rows * this.lambda));
      this.ab = { alpha, beta };
      const weights = new Float64Array(den.rows + num.rows);
      weights.set(alpha, 0);
      weights.set(beta, den.rows);
      this.fitted = { centers: vstack(den, num), weights, kernel, link: 'identity' };
    } else {
      const all = vstack(den, num);
      const C = takeRows(all, new Rng(this.seed).sample(all.rows, this.centersOption));
      const sys = centerSystem(kernel, num, den, C);
      const thetas = centerIterates(sys, this.lambda, this.iterations, 'rkhs');
      this.ab = null;
      this.fitted = { centers: C, weights: thetas[this.iterations - 1], kernel, link: 'identity' };
    }
    return this;
  }

  /** α^t, the [n] coefficients on the denominator points (exact form only). */
  get alpha(): Float64Array {
    this.state();
    if (!this.ab)
      throw new DREInputError('KuLSIF.alpha', "a model fitted with centers: 'all'", 'a center-basis model');
    return this.ab.alpha.slice();
  }

  /** β^t = t/(mλ), the [m] coefficients on the numerator points (exact form only). */
  get beta(): Float64Array {
    this.state();
    if (!this.ab)
      throw new DREInputError('KuLSIF.beta', "a model fitted with centers: 'all'", 'a center-basis model');
    return this.ab.beta.slice();
  }
}

/** The pieces of the exact KuLSIF system: K_QQ [n, n] and b = K_QP 1_m/(n m) [n]. */
export interface KulsifSystem {
  Kqq: Float64Array;
  b: Float64Array;
  n: number;
  m: number;
}

/** Builds the {@link KulsifSystem} of numerator `num` [m, d] and denominator `den` [n, d] (points as rows). */
export function kulsifSystem(kernel: Kernel, num: Mat, den: Mat): KulsifSystem {
  const n = den.rows;
  const m = num.rows;
  const Kqq = gram(kernel, den, den);
  const b = new Float64Array(n);
  forEachGramBlock(kernel, den, num, 256, (blk, start, rows) => {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += blk[r * m + j];
      b[start + r] = s / (n * m);
    }
  });
  return { Kqq, b, n, m };
}

/** α^1 … α^T for one λ from one Cholesky factorization of K_QQ/n + λI. */
export function kulsifIterates(sys: KulsifSystem, lambda: number, T: number): Float64Array[] {
  const { Kqq, b, n } = sys;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) A[i] = Kqq[i] / n;
  for (let i = 0; i < n; i++) A[i * n + i] += lambda;
  const L = cholesky(A, n);
  const out: Float64Array[] = [];
  let alpha: Float64Array = new Float64Array(n);
  for (let t = 1; t <= T; t++) {
    const rhs = new Float64Array(n);
    for (let i = 0; i < n; i++) rhs[i] = lambda * alpha[i] - (t * b[i]) / lambda;
    alpha = cholSolveInPlace(L, n, rhs);
    out.push(alpha);
  }
  return out;
}

/**
 * Least-squares fitting in a center basis φ(x) = (k(x, c_1) … k(x, c_b)):
 * H = Φ_Qᵀ Φ_Q / n [b, b], h = Φ_Pᵀ 1/m [b], K_CC [b, b].
 */
export interface CenterSystem {
  H: Float64Array;
  h: Float64Array;
  Kcc: Float64Array;
  b: number;
  centers: Mat;
}

export function centerSystem(kernel: Kernel, num: Mat, den: Mat, C: Mat, alpha = 0): CenterSystem {
  const b = C.rows;
  const H = new Float64Array(b * b);
  const h = new Float64Array(b);
  const wDen = (1 - alpha) / den.rows;
  forEachGramBlock(kernel, den, C, 512, (blk, _s, rows) => addGramT(blk, rows, b, H, wDen));
  forEachGramBlock(kernel, num, C, 512, (blk, _s, rows) => {
    if (alpha > 0) addGramT(blk, rows, b, H, alpha / num.rows);
    for (let r = 0; r < rows; r++) for (let l = 0; l < b; l++) h[l] += blk[r * b + l] / num.rows;
  });
  symmetrizeLower(H, b);
  return { H, h, Kcc: gram(kernel, C, C), b, centers: C };
}

/**
 * θ^1 … θ^T of (H + λR)θ_t = h + λRθ_{t−1}, θ_0 = 0, with R = K_CC (`'rkhs'`, KuLSIF in a center
 * basis) or R = I (`'identity'`, uLSIF).
 *
 * No jitter where the system is positive definite: with R = I and λ > 0 the smallest eigenvalue of
 * H + λI is ≥ λ, and a diagonal jitter would only bias θ (by ~jitter/λ relative, growing as λ
 * shrinks; issue 18). Where it can be singular — the `'rkhs'` path (H and K_CC are only
 * semi-definite, e.g. singular along the same directions for duplicate centers) and λ = 0 — the
 * system is still factored as it is, and a jitter of 1e-10·trace(H)/b is added to the diagonal only
 * if that factorization fails or has a pivot at round-off level (≤ b·ε·max diagonal), i.e. when the
 * system is singular in float64.
 */
export function centerIterates(
  sys: CenterSystem,
  lambda: number,
  T: number,
  reg: 'rkhs' | 'identity',
): Float64Array[] {
  const { H, h, Kcc, b } = sys;
  const M = new Float64Array(b * b);
  for (let i = 0; i < b * b; i++) M[i] = H[i] + (reg === 'rkhs' ? lambda * Kcc[i] : 0);
  if (reg === 'identity') for (let i = 0; i < b; i++) M[i * b + i] += lambda;
  const L = reg === 'identity' && lambda > 0 ? cholesky(M, b) : choleskyOrJitter(M, b, H);
  const out: Float64Array[] = [];
  let theta: Float64Array = new Float64Array(b);
  for (let t = 1; t <= T; t++) {
    const Rt = reg === 'rkhs' ? matVec(Kcc, b, b, theta) : theta;
    const rhs = new Float64Array(b);
    for (let i = 0; i < b; i++) rhs[i] = h[i] + lambda * Rt[i];
    theta = cholSolve(L, b, rhs);
    out.push(theta);
  }
  return out;
}

/**
 * Cholesky factor of the semi-definite system M, with a jitter of 1e-10·trace(H)/b on the diagonal
 * only when M is singular in float64 (the plain factorization fails, or a pivot L_ii² is at round-off
 * level, ≤ b·ε·max_i M_ii, where the solve would amplify round-off without bound).
 */
function choleskyOrJitter(M: Float64Array, b: number, H: Float64Array): Float64Array {
  let maxDiag = 0;
  for (let i = 0; i < b; i++) maxDiag = Math.max(maxDiag, M[i * b + i]);
  const floor = b * Number.EPSILON * maxDiag;
  try {
    const L = cholesky(M, b);
    let ok = true;
    for (let i = 0; i < b && ok; i++) ok = L[i * b + i] * L[i * b + i] > floor;
    if (ok) return L;
  } catch (e) {
    if (!(e instanceof DRENumericalError)) throw e;
  }
  let tr = 0;
  for (let i = 0; i < b; i++) tr += H[i * b + i];
  const J = M.slice();
  for (let i = 0; i < b; i++) J[i * b + i] += (1e-10 * tr) / b;
  return cholesky(J, b);
}
