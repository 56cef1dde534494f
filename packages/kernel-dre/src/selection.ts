/**
 * Model selection without the true ratio: λ (grid) × iteration count t (× kernel) chosen by the
 * held-out least-squares importance-fitting criterion
 *
 *   J(r̂) = ½ mean_{x' ∈ Q_val} r̂(x')² − mean_{x ∈ P_val} r̂(x)   (= ½ E_Q (r̂ − r)² − ½ E_Q r², up to sampling),
 *
 * which is method-agnostic (it scores ratio values, not a method's own loss) and needs no true ratio.
 * For iterated KuLSIF every t for one λ comes from one Cholesky factorization (`method: 'cholesky'`),
 * or the whole λ-path and every t from one eigendecomposition of K_QQ/n (`method: 'eigen'`, the
 * spectral-filter form of iterated Tikhonov: in the eigenbasis, α̃^t_i = (λα̃^{t−1}_i − t b̃_i/λ)/(e_i + λ)).
 */
import {
  type BregmanDRE,
  type BregmanLoss,
  bregmanIterates,
  ExponentialDRE,
  LOSSES,
  LogisticDRE,
  SquareDRE,
} from './bregman';
import { DREInputError, describe, positive, positiveInt } from './errors';
import { applyLink, checkCommon } from './estimator';
import { gram, type Kernel, type KernelSpec, resolveKernel } from './kernels';
import { KuLSIF, kulsifIterates, kulsifSystem } from './kulsif';
import { matTVec, matVec, symmetricEigen } from './linalg';
import { Rng } from './random';
import { type Mat, type SampleInput, takeRows, toMat, vstack } from './samples';

/** The reference's λ grid: 10^{4, 3, …, −6} (11 values). */
export const REFERENCE_LAMBDAS = Array.from({ length: 11 }, (_, i) => 10 ** (4 - i));

/** ½ mean(r̂(den)²) − mean(r̂(num)): the held-out LSIF criterion (lower is better). */
export function lsifScore(rNum: ArrayLike<number>, rDen: ArrayLike<number>): number {
  let a = 0;
  for (let i = 0; i < rDen.length; i++) a += rDen[i] * rDen[i];
  let b = 0;
  for (let i = 0; i < rNum.length; i++) b += rNum[i];
  return (0.5 * a) / rDen.length - b / rNum.length;
}

/** Options shared by {@link selectKuLSIF} and {@link selectBregman}: the search grid and the held-out split. */
export interface SelectionOptions {
  /** λ grid. Default `REFERENCE_LAMBDAS` (10⁴ … 10⁻⁶). */
  lambdas?: number[];
  /** Largest t searched (t = 1 … maxIterations). Default 10. */
  maxIterations?: number;
  /** Kernels searched (bandwidths resolved on the training split). Default `[{ type: 'gaussian' }]`. */
  kernels?: (KernelSpec | Kernel)[];
  /** Fraction of each sample held out. Default 0.2. */
  validationFraction?: number;
  /** Seed for the split. Default 0. */
  seed?: number;
  /** Refit the chosen model on all data. Default true. */
  refit?: boolean;
}

/** Options of {@link selectKuLSIF}. */
export interface KuLSIFSelectionOptions extends SelectionOptions {
  /** `'cholesky'` (default): one factorization per λ; `'eigen'`: one eigendecomposition for all λ. */
  method?: 'cholesky' | 'eigen';
}

/**
 * Result of a model selection: the (λ, t, kernel) with the lowest held-out criterion
 * J = ½ mean r̂(x')² over held-out denominator points − mean r̂(x) over held-out numerator points
 * ({@link lsifScore}), the whole score grid, and the chosen model.
 * @typeParam M - the estimator class, e.g. `KuLSIF` or `BregmanDRE`.
 */
export interface Selection<M> {
  /** The chosen regularization parameter λ. */
  lambda: number;
  /** The chosen number of Tikhonov iterations t (1 … `maxIterations`). */
  iterations: number;
  /** The chosen kernel, with the bandwidth resolved on the training split. */
  kernel: Kernel;
  /** Held-out J for [kernel index][λ index][t − 1]. */
  scores: number[][][];
  /** The chosen model (refit on all data unless `refit: false`, then fit on the training split). */
  model: M;
}

interface Prepared {
  lambdas: number[];
  T: number;
  kernels: (KernelSpec | Kernel)[];
  trNum: Mat;
  trDen: Mat;
  vaNum: Mat;
  vaDen: Mat;
  num: Mat;
  den: Mat;
  seed: number;
  refit: boolean;
}

function prepareSelection(numerator: SampleInput, denominator: SampleInput, o: SelectionOptions): Prepared {
  const num = toMat(numerator, 'numerator', { minRows: 4 });
  const den = toMat(denominator, 'denominator', { minRows: 4, dim: num.cols });
  const lambdas = o.lambdas ?? REFERENCE_LAMBDAS;
  if (!Array.isArray(lambdas) || lambdas.length === 0) {
    throw new DREInputError('options.lambdas', 'a non-empty array of positive numbers', describe(lambdas));
  }
  for (let i = 0; i < lambdas.length; i++) positive(`options.lambdas[${i}]`, lambdas[i]);
  const T = positiveInt('options.maxIterations', o.maxIterations ?? 10);
  const frac = o.validationFraction ?? 0.2;
  if (typeof frac !== 'number' || !(frac > 0 && frac < 1)) {
    throw new DREInputError('options.validationFraction', 'a number in (0, 1)', describe(frac));
  }
  const { seed } = checkCommon({ seed: o.seed });
  const rng = new Rng(seed);
  const split = (m: Mat) => {
    const p = rng.permutation(m.rows);
    const nv = Math.max(1, Math.round(frac * m.rows));
    return [takeRows(m, p.subarray(nv)), takeRows(m, p.subarray(0, nv))];
  };
  const [trNum, vaNum] = split(num);
  const [trDen, vaDen] = split(den);
  return {
    lambdas,
    T,
    kernels: o.kernels ?? [{ type: 'gaussian' }],
    trNum,
    trDen,
    vaNum,
    vaDen,
    num,
    den,
    seed,
    refit: o.refit ?? true,
  };
}

function rowSumsOf(kernel: Kernel, X: Mat, Y: Mat): Float64Array {
  const K = gram(kernel, X, Y);
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let j = 0; j < Y.rows; j++) s += K[i * Y.rows + j];
    out[i] = s;
  }
  return out;
}

/**
 * Chooses λ, t (and the kernel) of iterated KuLSIF by the held-out LSIF criterion; every t of one λ
 * costs one Cholesky factorization (or every λ one eigendecomposition, `method: 'eigen'`).
 */
export function selectKuLSIF(
  numerator: SampleInput,
  denominator: SampleInput,
  options: KuLSIFSelectionOptions = {},
): Selection<KuLSIF> {
  const p = prepareSelection(numerator, denominator, options);
  const method = options.method ?? 'cholesky';
  if (method !== 'cholesky' && method !== 'eigen') {
    throw new DREInputError('options.method', "'cholesky' | 'eigen'", describe(method));
  }
  const { trNum, trDen, vaNum, vaDen, lambdas, T } = p;
  const n = trDen.rows;
  const m = trNum.rows;
  const scores: number[][][] = [];
  let best = { s: Number.POSITIVE_INFINITY, k: 0, l: 0, t: 1, kernel: null as Kernel | null };
  p.kernels.forEach((spec, ki) => {
    const kernel = resolveKernel(spec, vstack(trDen, trNum), p.seed);
    const sys = kulsifSystem(kernel, trNum, trDen);
    const KvQ = { num: gram(kernel, vaNum, trDen), den: gram(kernel, vaDen, trDen) };
    const sv = { num: rowSumsOf(kernel, vaNum, trNum), den: rowSumsOf(kernel, vaDen, trNum) };
    const perKernel: number[][] = [];
    const evalScore = (fNumBase: Float64Array, fDenBase: Float64Array, t: number, lambda: number) => {
      const c = t / (m * lambda);
      const rNum = fNumBase.map((v, i) => v + c * sv.num[i]);
      const rDen = fDenBase.map((v, i) => v + c * sv.den[i]);
      return lsifScore(rNum, rDen);
    };
    if (method === 'cholesky') {
      for (const lambda of lambdas) {
        const alphas = kulsifIterates(sys, lambda, T);
        perKernel.push(
          alphas.map((a, t) =>
            evalScore(matVec(KvQ.num, vaNum.rows, n, a), matVec(KvQ.den, vaDen.rows, n, a), t + 1, lambda),
          ),
        );
      }
    } else {
      const A = sys.Kqq.map((v) => v / n);
      const { values, vectors } = symmetricEigen(A, n);
      const bt = matTVec(vectors, n, n, sys.b); // Uᵀ b
      const Vnum = matMulRM(KvQ.num, vaNum.rows, n, vectors, n);
      const Vden = matMulRM(KvQ.den, vaDen.rows, n, vectors, n);
      for (const lambda of lambdas) {
        const row: number[] = [];
        let at = new Float64Array(n);
        for (let t = 1; t <= T; t++) {
          const next = new Float64Array(n);
          for (let i = 0; i < n; i++)
            next[i] = (lambda * at[i] - (t * bt[i]) / lambda) / (values[i] + lambda);
          at = next;
          row.push(evalScore(matVec(Vnum, vaNum.rows, n, at), matVec(Vden, vaDen.rows, n, at), t, lambda));
        }
        perKernel.push(row);
      }
    }
    perKernel.forEach((row, li) => {
      row.forEach((s, ti) => {
        if (s < best.s) best = { s, k: ki, l: li, t: ti + 1, kernel };
      });
    });
    scores.push(perKernel);
  });
  const kernel = best.kernel as Kernel;
  const lambda = lambdas[best.l];
  const model = new KuLSIF({ lambda, iterations: best.t, kernel });
  if (p.refit) model.fit({ data: p.num.data, dim: p.num.cols }, { data: p.den.data, dim: p.den.cols });
  else model.fit({ data: trNum.data, dim: trNum.cols }, { data: trDen.data, dim: trDen.cols });
  return { lambda, iterations: best.t, kernel, scores, model };
}

/** Row-major [r, k] × [k, c]. */
function matMulRM(a: Float64Array, r: number, k: number, b: Float64Array, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let l = 0; l < k; l++) {
      const v = a[i * k + l];
      if (v === 0) continue;
      const bo = l * c;
      const oo = i * c;
      for (let j = 0; j < c; j++) out[oo + j] += v * b[bo + j];
    }
  }
  return out;
}

/** Options of {@link selectBregman}. */
export interface BregmanSelectionOptions extends SelectionOptions {
  /** Newton tolerance (see `BregmanOptions.tol`). Default 1e-10. */
  tol?: number;
}

/**
 * Chooses λ, t (and the kernel) of the exponential / logistic / square Bregman DRE by the held-out
 * LSIF criterion; all t of one λ come from one run of the proximal iteration.
 */
export function selectBregman(
  loss: BregmanLoss['name'],
  numerator: SampleInput,
  denominator: SampleInput,
  options: BregmanSelectionOptions = {},
): Selection<BregmanDRE> {
  const L = LOSSES[loss];
  if (!L) throw new DREInputError('loss', "'exponential' | 'logistic' | 'square'", describe(loss));
  const p = prepareSelection(numerator, denominator, options);
  const tol = positive('options.tol', options.tol ?? 1e-10);
  const { trNum, trDen, vaNum, vaDen, lambdas, T } = p;
  const Z = vstack(trDen, trNum);
  const scores: number[][][] = [];
  let best = { s: Number.POSITIVE_INFINITY, l: 0, t: 1, kernel: null as Kernel | null };
  for (const spec of p.kernels) {
    const kernel = resolveKernel(spec, Z, p.seed);
    const K = gram(kernel, Z, Z);
    const Kv = { num: gram(kernel, vaNum, Z), den: gram(kernel, vaDen, Z) };
    const perKernel: number[][] = [];
    lambdas.forEach((lambda, li) => {
      let row: number[];
      try {
        const { coefficients } = bregmanIterates(L, K, trDen.rows, lambda, T, { tol, maxNewtonSteps: 100 });
        row = coefficients.map((c) => {
          const rNum = applyLink(matVec(Kv.num, vaNum.rows, Z.rows, c), L.link);
          const rDen = applyLink(matVec(Kv.den, vaDen.rows, Z.rows, c), L.link);
          const s = lsifScore(rNum, rDen);
          return Number.isFinite(s) ? s : Number.POSITIVE_INFINITY;
        });
      } catch {
        row = new Array(T).fill(Number.POSITIVE_INFINITY);
      }
      row.forEach((s, ti) => {
        if (s < best.s) best = { s, l: li, t: ti + 1, kernel };
      });
      perKernel.push(row);
    });
    scores.push(perKernel);
  }
  if (!best.kernel) throw new DREInputError('options.lambdas', 'at least one λ whose fit converges', 'none');
  const lambda = lambdas[best.l];
  const Cls = loss === 'exponential' ? ExponentialDRE : loss === 'logistic' ? LogisticDRE : SquareDRE;
  const model = new Cls({ lambda, iterations: best.t, kernel: best.kernel, tol });
  if (p.refit) model.fit({ data: p.num.data, dim: p.num.cols }, { data: p.den.data, dim: p.den.cols });
  else model.fit({ data: trNum.data, dim: trNum.cols }, { data: trDen.data, dim: trDen.cols });
  return { lambda, iterations: best.t, kernel: best.kernel, scores, model };
}
