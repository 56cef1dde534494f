/**
 * The paper's non-square members of the Bregman DRE family (Gruber et al. ICML 2024, Sec. 2 and
 * the examples of Sec. 3), each with Tikhonov (t = 1) or iterated Tikhonov (t > 1):
 *
 *   f_t = argmin_f  1/m Σ_j φ_P(f(x_j)) + 1/n Σ_i φ_Q(f(x'_i)) + λ/2 ‖f − f_{t−1}‖²_H,   f_0 = 0,
 *
 * with f = Σ_l c_l k(z_l, ·) over all points z = [denominator; numerator]:
 * - exponential (boosting) loss φ_P = e^{−f}, φ_Q = e^{f}; r̂ = exp(2f);
 * - logistic loss φ_P = log(1 + e^{−f}), φ_Q = log(1 + e^{f}); r̂ = exp(f);
 * - square-loss classifier φ_P = (1 − f)², φ_Q = (1 + f)²; f* = (p − q)/(p + q), so r̂ = (1 + f)/(1 − f).
 *
 * Losses as in lugruber/dre_iter_reg `Exp_Kanamori/models_torch.py` (`IterCpeExp`, `IterLogi`,
 * `IterSquare`). Each proximal step is solved by damped Newton in function space to a stated
 * tolerance (the reference takes a single nonlinear-CG step from zero; see README).
 */

import { DREInputError, DRENumericalError, describe, positive } from './errors';
import {
  checkCommon,
  type EstimatorOptions,
  KernelExpansionEstimator,
  type Link,
  prepare,
} from './estimator';
import { gram } from './kernels';
import { cholesky, cholSolveInPlace, matTVec, matVec } from './linalg';
import { Rng } from './random';
import { type SampleInput, takeRows, vstack } from './samples';

/** A margin loss pair (φ_P on numerator points, φ_Q on denominator points) with its ratio link. */
export interface BregmanLoss {
  readonly name: 'exponential' | 'logistic' | 'square';
  /** φ_P, φ_P′, φ_P″ at f. */
  p(f: number): [number, number, number];
  /** φ_Q, φ_Q′, φ_Q″ at f. */
  q(f: number): [number, number, number];
  readonly link: Link;
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** The margin losses by name (exponential, logistic, square), each with its ratio link. */
export const LOSSES: Record<BregmanLoss['name'], BregmanLoss> = {
  exponential: {
    name: 'exponential',
    p: (f) => {
      const e = Math.exp(-f);
      return [e, -e, e];
    },
    q: (f) => {
      const e = Math.exp(f);
      return [e, e, e];
    },
    link: 'exp2',
  },
  logistic: {
    name: 'logistic',
    p: (f) => {
      const s = sigmoid(f);
      return [softplus(-f), -(1 - s), s * (1 - s)];
    },
    q: (f) => {
      const s = sigmoid(f);
      return [softplus(f), s, s * (1 - s)];
    },
    link: 'exp',
  },
  square: {
    name: 'square',
    p: (f) => [(1 - f) ** 2, -2 * (1 - f), 2],
    q: (f) => [(1 + f) ** 2, 2 * (1 + f), 2],
    link: 'square-cpe',
  },
};

/**
 * The proximal objective and its gradient in coefficient space, for points ordered
 * `[denominator (nDen); numerator]`: value = 1/m Σ φ_P(f_P) + 1/n Σ φ_Q(f_Q) + λ/2 (c − c_prev)ᵀK(c − c_prev)
 * with f = K c, gradient = K (w ∘ φ′(f) + λ (c − c_prev)). K is [N, N] row-major.
 */
export function bregmanObjective(
  loss: BregmanLoss,
  K: Float64Array,
  nDen: number,
  c: ArrayLike<number>,
  cPrev: ArrayLike<number>,
  lambda: number,
): { value: number; gradient: Float64Array } {
  const N = c.length;
  const nNum = N - nDen;
  const f = matVec(K, N, N, c);
  const dc = new Float64Array(N);
  for (let i = 0; i < N; i++) dc[i] = c[i] - cPrev[i];
  const Kdc = matVec(K, N, N, dc);
  let value = 0;
  const r = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const isDen = i < nDen;
    const [phi, d1] = isDen ? loss.q(f[i]) : loss.p(f[i]);
    const w = isDen ? 1 / nDen : 1 / nNum;
    value += w * phi + 0.5 * lambda * dc[i] * Kdc[i];
    r[i] = w * d1 + lambda * dc[i];
  }
  return { value, gradient: matVec(K, N, N, r) };
}

export interface BregmanOptions extends EstimatorOptions {
  /** Newton stops when the Newton decrement² /2 ≤ tol·max(1, |objective|). Default 1e-12. */
  tol?: number;
  /** Most Newton steps per proximal step. Default 100. */
  maxNewtonSteps?: number;
  /**
   * Expansion points: `'all'` (default, the exact representer form over all n + m points, O(N³) per
   * Newton step) or a number b of centers drawn (seeded) from numerator ∪ denominator, f = Σ θ_l k(c_l, ·)
   * with the RKHS penalty θᵀK_CCθ (Nyström form, O(N·b²) per Newton step, memory N·b).
   */
  centers?: 'all' | number;
}

/** Shared solver of the three non-square losses (exact representer form over all n + m points). */
export abstract class BregmanDRE extends KernelExpansionEstimator {
  readonly lambda: number;
  readonly iterations: number;
  readonly seed: number;
  readonly tol: number;
  readonly maxNewtonSteps: number;
  protected abstract readonly loss: BregmanLoss;
  private readonly kernelSpec: BregmanOptions['kernel'];
  /** Newton steps taken in each proximal iteration of the last fit. */
  newtonSteps: number[] = [];

  constructor(options: BregmanOptions = {}) {
    super();
    const c = checkCommon(options);
    this.lambda = c.lambda;
    this.iterations = c.iterations;
    this.seed = c.seed;
    this.tol = positive('options.tol', options.tol ?? 1e-12);
    const maxSteps = options.maxNewtonSteps ?? 100;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      throw new DREInputError('options.maxNewtonSteps', 'a positive integer', describe(maxSteps));
    }
    this.maxNewtonSteps = maxSteps;
    this.kernelSpec = options.kernel;
    const centers = options.centers ?? 'all';
    if (centers !== 'all' && !(Number.isInteger(centers) && (centers as number) >= 1)) {
      throw new DREInputError('options.centers', "'all' or a positive integer", describe(centers));
    }
    this.centersOption = centers;
  }
  readonly centersOption: 'all' | number;

  fit(numerator: SampleInput, denominator: SampleInput): this {
    const { num, den } = prepare(this.estimatorName, numerator, denominator);
    const kernel = this.resolveKernel(this.kernelSpec, num, den, this.seed);
    const Z = vstack(den, num);
    if (this.centersOption !== 'all') {
      const C = takeRows(Z, new Rng(this.seed).sample(Z.rows, this.centersOption));
      const thetas = bregmanCenterIterates(
        this.loss,
        gram(kernel, Z, C),
        gram(kernel, C, C),
        den.rows,
        this.lambda,
        this.iterations,
        {
          tol: this.tol,
          maxNewtonSteps: this.maxNewtonSteps,
        },
      );
      this.newtonSteps = thetas.steps;
      this.fitted = {
        centers: C,
        weights: thetas.coefficients[this.iterations - 1],
        kernel,
        link: this.loss.link,
      };
      return this;
    }
    const K = gram(kernel, Z, Z);
    const iterates = bregmanIterates(this.loss, K, den.rows, this.lambda, this.iterations, {
      tol: this.tol,
      maxNewtonSteps: this.maxNewtonSteps,
    });
    this.newtonSteps = iterates.steps;
    this.fitted = {
      centers: Z,
      weights: iterates.coefficients[this.iterations - 1],
      kernel,
      link: this.loss.link,
    };
    return this;
  }
}

/** c^1 … c^T of the proximal (iterated Tikhonov) scheme, each solved by damped Newton. */
export function bregmanIterates(
  loss: BregmanLoss,
  K: Float64Array,
  nDen: number,
  lambda: number,
  T: number,
  opts: { tol: number; maxNewtonSteps: number },
): { coefficients: Float64Array[]; steps: number[] } {
  const N = Math.round(Math.sqrt(K.length));
  const nNum = N - nDen;
  const w = (i: number) => (i < nDen ? 1 / nDen : 1 / nNum);
  const ev = (i: number, f: number) => (i < nDen ? loss.q(f) : loss.p(f));
  let c = new Float64Array(N);
  let f = new Float64Array(N);
  const out: Float64Array[] = [];
  const steps: number[] = [];
  for (let t = 1; t <= T; t++) {
    const cp = c.slice();
    const fp = f.slice();
    let taken = 0;
    for (; taken < opts.maxNewtonSteps; taken++) {
      // residual r = w∘φ′(f) + λ(c − c_prev); gradient = K r
      const r = new Float64Array(N);
      const S = new Float64Array(N);
      let value = 0;
      for (let i = 0; i < N; i++) {
        const [phi, d1, d2] = ev(i, f[i]);
        r[i] = w(i) * d1 + lambda * (c[i] - cp[i]);
        S[i] = Math.sqrt(Math.max(w(i) * d2, 0));
        value += w(i) * phi + 0.5 * lambda * (c[i] - cp[i]) * (f[i] - fp[i]);
      }
      // Newton direction Δ = −(λI + DK)⁻¹ r = −(1/λ)(r − S B⁻¹ S K r), B = λI + S K S
      const Kr = matVec(K, N, N, r);
      const B = new Float64Array(N * N);
      for (let i = 0; i < N; i++) {
        for (let j = 0; j <= i; j++) B[i * N + j] = S[i] * K[i * N + j] * S[j];
        B[i * N + i] += lambda;
      }
      const L = cholesky(B, N);
      const y = new Float64Array(N);
      for (let i = 0; i < N; i++) y[i] = S[i] * Kr[i];
      cholSolveInPlace(L, N, y);
      const delta = new Float64Array(N);
      for (let i = 0; i < N; i++) delta[i] = -(r[i] - S[i] * y[i]) / lambda;
      const Kd = matVec(K, N, N, delta);
      let slope = 0;
      for (let i = 0; i < N; i++) slope += r[i] * Kd[i];
      if (!(slope < 0)) break; // at the optimum (or round-off level)
      if (-slope / 2 <= opts.tol * Math.max(1, Math.abs(value))) break;
      // backtracking (Armijo) line search on the proximal objective
      let eta = 1;
      let accepted = false;
      for (let ls = 0; ls < 60; ls++) {
        let v = 0;
        for (let i = 0; i < N; i++) {
          const fi = f[i] + eta * Kd[i];
          const dci = c[i] + eta * delta[i] - cp[i];
          v += w(i) * ev(i, fi)[0] + 0.5 * lambda * dci * (fi - fp[i]);
        }
        if (Number.isFinite(v) && v <= value + 0.25 * eta * slope) {
          accepted = true;
          break;
        }
        eta /= 2;
      }
      if (!accepted) break;
      for (let i = 0; i < N; i++) {
        c[i] += eta * delta[i];
        f[i] += eta * Kd[i];
      }
    }
    if (!f.every(Number.isFinite)) {
      throw new DRENumericalError(`${loss.name} DRE: the iterate diverged at t = ${t}; increase lambda`);
    }
    steps.push(taken);
    out.push(c.slice());
    c = c.slice();
    f = f.slice();
  }
  return { coefficients: out, steps };
}

/**
 * θ^1 … θ^T of the proximal scheme in a center basis: f = Φθ with Φ [N, b] (points ordered
 * [denominator; numerator]) and penalty λ/2 (θ − θ_prev)ᵀK_CC(θ − θ_prev); damped Newton on the b×b
 * system ΦᵀDΦ + λK_CC (+ jitter 1e-10·trace/b).
 */
export function bregmanCenterIterates(
  loss: BregmanLoss,
  Phi: Float64Array,
  Kcc: Float64Array,
  nDen: number,
  lambda: number,
  T: number,
  opts: { tol: number; maxNewtonSteps: number },
): { coefficients: Float64Array[]; steps: number[] } {
  const b = Math.round(Math.sqrt(Kcc.length));
  const N = Phi.length / b;
  const nNum = N - nDen;
  const w = (i: number) => (i < nDen ? 1 / nDen : 1 / nNum);
  const ev = (i: number, f: number) => (i < nDen ? loss.q(f) : loss.p(f));
  let theta = new Float64Array(b);
  const out: Float64Array[] = [];
  const steps: number[] = [];
  const objective = (th: Float64Array, tp: Float64Array, f: Float64Array) => {
    let v = 0;
    for (let i = 0; i < N; i++) v += w(i) * ev(i, f[i])[0];
    const dt = th.map((x, i) => x - tp[i]);
    const Kd = matVec(Kcc, b, b, dt);
    for (let l = 0; l < b; l++) v += 0.5 * lambda * dt[l] * Kd[l];
    return v;
  };
  for (let t = 1; t <= T; t++) {
    const tp = theta.slice();
    let f = matVec(Phi, N, b, theta);
    let taken = 0;
    for (; taken < opts.maxNewtonSteps; taken++) {
      const r = new Float64Array(N);
      const D = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        const [, d1, d2] = ev(i, f[i]);
        r[i] = w(i) * d1;
        D[i] = w(i) * d2;
      }
      const grad = matTVec(Phi, N, b, r);
      const Kdt = matVec(
        Kcc,
        b,
        b,
        theta.map((x, l) => x - tp[l]),
      );
      for (let l = 0; l < b; l++) grad[l] += lambda * Kdt[l];
      const H = new Float64Array(b * b);
      addGramTWeighted(Phi, N, b, D, H);
      let tr = 0;
      for (let l = 0; l < b; l++) tr += H[l * b + l] + lambda * Kcc[l * b + l];
      for (let l = 0; l < b * b; l++) H[l] += lambda * Kcc[l];
      for (let l = 0; l < b; l++) H[l * b + l] += (1e-10 * tr) / b;
      const L = cholesky(H, b);
      const delta = cholSolveInPlace(
        L,
        b,
        grad.map((g) => -g),
      );
      let slope = 0;
      for (let l = 0; l < b; l++) slope += grad[l] * delta[l];
      const value = objective(theta, tp, f);
      if (!(slope < 0) || -slope / 2 <= opts.tol * Math.max(1, Math.abs(value))) break;
      const Pd = matVec(Phi, N, b, delta);
      let eta = 1;
      let accepted = false;
      for (let ls = 0; ls < 60; ls++) {
        const cand = theta.map((x, l) => x + eta * delta[l]);
        const fc = f.map((x, i) => x + eta * Pd[i]);
        const v = objective(cand, tp, fc);
        if (Number.isFinite(v) && v <= value + 0.25 * eta * slope) {
          theta = cand;
          f = fc;
          accepted = true;
          break;
        }
        eta /= 2;
      }
      if (!accepted) break;
    }
    if (!f.every(Number.isFinite)) {
      throw new DRENumericalError(`${loss.name} DRE: the iterate diverged at t = ${t}; increase lambda`);
    }
    steps.push(taken);
    out.push(theta.slice());
  }
  return { coefficients: out, steps };
}

/** out += Φᵀ diag(D) Φ for row-major Φ [N, b] (full symmetric result). */
function addGramTWeighted(Phi: Float64Array, N: number, b: number, D: Float64Array, out: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const di = D[i];
    if (di === 0) continue;
    const o = i * b;
    for (let k = 0; k < b; k++) {
      const v = di * Phi[o + k];
      if (v === 0) continue;
      const ok = k * b;
      for (let l = 0; l <= k; l++) out[ok + l] += v * Phi[o + l];
    }
  }
  for (let k = 0; k < b; k++) for (let l = 0; l < k; l++) out[l * b + k] = out[k * b + l];
}

/** Exponential (boosting) loss DRE, r̂ = exp(2f). */
export class ExponentialDRE extends BregmanDRE {
  protected readonly estimatorName = 'ExponentialDRE';
  protected readonly loss = LOSSES.exponential;
}

/** Logistic-regression DRE, r̂ = exp(f). */
export class LogisticDRE extends BregmanDRE {
  protected readonly estimatorName = 'LogisticDRE';
  protected readonly loss = LOSSES.logistic;
}

export interface SquareDREOptions extends BregmanOptions {
  /**
   * `'paper'` (default): r̂ = (1 + f)/(1 − f), the ratio implied by the square-loss classifier.
   * `'reference'`: r̂ = (2f − 1)/(2 − 2f) as coded in the reference `IterSquare.predict` (not a ratio
   * estimate; offered for comparison only).
   */
  link?: 'paper' | 'reference';
}

/** Square-loss classifier DRE (±1 labels), r̂ = (1 + f)/(1 − f). */
export class SquareDRE extends BregmanDRE {
  protected readonly estimatorName = 'SquareDRE';
  protected readonly loss: BregmanLoss;
  constructor(options: SquareDREOptions = {}) {
    super(options);
    const link = options.link ?? 'paper';
    if (link !== 'paper' && link !== 'reference') {
      throw new DREInputError('options.link', "'paper' | 'reference'", describe(link));
    }
    this.loss = link === 'paper' ? LOSSES.square : { ...LOSSES.square, link: 'square-cpe-reference' };
  }
}
