import { DREInputError, describe, positive } from './errors';
import { Rng } from './random';
import type { Mat } from './samples';

/**
 * Which kernel, and its parameters. Any bandwidth left out is set at `fit` time from the training
 * data by the median heuristic.
 *
 * - `gaussian`: k(x, y) = exp(−γ‖x − y‖²) + `offset`. Give `gamma` or `sigma` (γ = 1/(2σ²)), or
 *   `bandwidth`: `'median'` (default: σ = median pairwise distance) or `'median-reference'`
 *   (γ = 1/median distance, as lugruber/dre_iter_reg `Exp_Kanamori/experiments.py`). The reference
 *   uses `offset: 1`, i.e. 1 + exp(−γ‖x − y‖²); the default here is 0.
 * - `laplacian`: exp(−γ‖x − y‖₁) + `offset` (γ default 1/median L1 distance).
 * - `linear`: xᵀy + `offset` (default 0).
 * - `polynomial`: (γ xᵀy + `coef0`)^`degree` (defaults γ = 1/d, coef0 = 1, degree = 3).
 */
export type KernelSpec =
  | {
      type: 'gaussian';
      gamma?: number;
      sigma?: number;
      offset?: number;
      bandwidth?: 'median' | 'median-reference';
    }
  | { type: 'laplacian'; gamma?: number; offset?: number }
  | { type: 'linear'; offset?: number }
  | { type: 'polynomial'; degree?: number; gamma?: number; coef0?: number };

/** A kernel with every parameter fixed. */
export interface Kernel {
  readonly type: KernelSpec['type'];
  /** Scale parameter γ (gaussian/laplacian/polynomial; 0 for linear). */
  readonly gamma: number;
  /** Constant added to the kernel (gaussian/laplacian/linear) or `coef0` (polynomial). */
  readonly offset: number;
  /** Polynomial degree (1 for the others). */
  readonly degree: number;
  /** k(x, y) for two points of equal length. */
  eval(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, d: number): number;
}

const KERNEL_TYPES = ['gaussian', 'laplacian', 'linear', 'polynomial'];

/**
 * Median of the non-zero pairwise distances (Euclidean, or L1 with `metric: 'l1'`) among the rows
 * of `x` — over all rows when there are at most `maxPoints`, else over a seeded random subset.
 * Matches `np.median(d[d > 0])` over the upper triangle, the reference's heuristic.
 */
export function medianDistance(
  x: Mat,
  opts: { maxPoints?: number; seed?: number; metric?: 'l2' | 'l1' } = {},
): number {
  const { maxPoints = 1000, seed = 0, metric = 'l2' } = opts;
  const idx = x.rows <= maxPoints ? null : new Rng(seed).sample(x.rows, maxPoints);
  const n = idx ? idx.length : x.rows;
  const d = x.cols;
  const dist = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let a = 0; a < n; a++) {
    const ia = (idx ? idx[a] : a) * d;
    for (let b = a + 1; b < n; b++) {
      const ib = (idx ? idx[b] : b) * d;
      let s = 0;
      if (metric === 'l1') {
        for (let c = 0; c < d; c++) s += Math.abs(x.data[ia + c] - x.data[ib + c]);
      } else {
        for (let c = 0; c < d; c++) {
          const t = x.data[ia + c] - x.data[ib + c];
          s += t * t;
        }
        s = Math.sqrt(s);
      }
      if (s > 0) dist[k++] = s;
    }
  }
  if (k === 0) throw new DREInputError('samples', 'at least two distinct points', 'all points identical');
  const v = dist.subarray(0, k).sort();
  return k % 2 ? v[(k - 1) / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

function gaussianEval(gamma: number, offset: number) {
  return (x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, d: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const t = x[xo + c] - y[yo + c];
      s += t * t;
    }
    return Math.exp(-gamma * s) + offset;
  };
}

/**
 * Fixes a kernel's parameters: a spec's missing bandwidth comes from `data` by the median heuristic
 * (seeded subsample of ≤ 1000 points); an already-resolved `Kernel` is returned as is.
 */
export function resolveKernel(spec: KernelSpec | Kernel | undefined, data: Mat, seed = 0): Kernel {
  const s = spec ?? { type: 'gaussian' };
  if (typeof s !== 'object' || s === null || !KERNEL_TYPES.includes((s as { type: string }).type)) {
    throw new DREInputError(
      'options.kernel',
      `a kernel spec with type ${KERNEL_TYPES.join(' | ')}`,
      describe(s),
    );
  }
  if ('eval' in s && typeof s.eval === 'function') return s as Kernel;
  const spec2 = s as KernelSpec;
  switch (spec2.type) {
    case 'gaussian': {
      let gamma: number;
      if (spec2.gamma !== undefined) gamma = positive('options.kernel.gamma', spec2.gamma);
      else if (spec2.sigma !== undefined)
        gamma = 1 / (2 * positive('options.kernel.sigma', spec2.sigma) ** 2);
      else {
        const bw = spec2.bandwidth ?? 'median';
        if (bw !== 'median' && bw !== 'median-reference') {
          throw new DREInputError('options.kernel.bandwidth', "'median' | 'median-reference'", describe(bw));
        }
        const med = medianDistance(data, { seed });
        gamma = bw === 'median' ? 1 / (2 * med * med) : 1 / med;
      }
      const offset = finite('options.kernel.offset', spec2.offset ?? 0);
      return gaussianKernel(gamma, offset);
    }
    case 'laplacian': {
      const gamma =
        spec2.gamma !== undefined
          ? positive('options.kernel.gamma', spec2.gamma)
          : 1 / medianDistance(data, { seed, metric: 'l1' });
      const offset = finite('options.kernel.offset', spec2.offset ?? 0);
      return {
        type: 'laplacian',
        gamma,
        offset,
        degree: 1,
        eval(x, xo, y, yo, d) {
          let s = 0;
          for (let c = 0; c < d; c++) s += Math.abs(x[xo + c] - y[yo + c]);
          return Math.exp(-gamma * s) + offset;
        },
      };
    }
    case 'linear': {
      const offset = finite('options.kernel.offset', spec2.offset ?? 0);
      return {
        type: 'linear',
        gamma: 0,
        offset,
        degree: 1,
        eval(x, xo, y, yo, d) {
          let s = offset;
          for (let c = 0; c < d; c++) s += x[xo + c] * y[yo + c];
          return s;
        },
      };
    }
    case 'polynomial': {
      const degree = spec2.degree ?? 3;
      if (!Number.isInteger(degree) || degree < 1) {
        throw new DREInputError('options.kernel.degree', 'a positive integer', describe(degree));
      }
      const gamma = spec2.gamma !== undefined ? positive('options.kernel.gamma', spec2.gamma) : 1 / data.cols;
      const offset = finite('options.kernel.coef0', spec2.coef0 ?? 1);
      return {
        type: 'polynomial',
        gamma,
        offset,
        degree,
        eval(x, xo, y, yo, d) {
          let s = 0;
          for (let c = 0; c < d; c++) s += x[xo + c] * y[yo + c];
          return (gamma * s + offset) ** degree;
        },
      };
    }
  }
}

/** The Gaussian kernel exp(−γ‖x − y‖²) + offset with fixed γ. */
export function gaussianKernel(gamma: number, offset = 0): Kernel {
  positive('gamma', gamma);
  return { type: 'gaussian', gamma, offset, degree: 1, eval: gaussianEval(gamma, offset) };
}

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new DREInputError(name, 'a finite number', describe(v));
  return v;
}

/**
 * The kernel (Gram) matrix k(X, Y) as a row-major [X.rows, Y.rows] Float64Array, computed row by
 * row from the two sample sets (memory O(X.rows·Y.rows), never an n×m×d buffer).
 */
export function gram(kernel: Kernel, X: Mat, Y: Mat): Float64Array {
  const n = X.rows;
  const m = Y.rows;
  const d = X.cols;
  const out = new Float64Array(n * m);
  const xd = X.data;
  const yd = Y.data;
  const same = X === Y;
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    const row = i * m;
    for (let j = same ? i : 0; j < m; j++) {
      const v = kernel.eval(xd, xo, yd, j * d, d);
      out[row + j] = v;
      if (same) out[j * m + i] = v;
    }
  }
  return out;
}

/**
 * Calls `fn(block, start, rows)` with consecutive row blocks of k(X, Y) ([rows, Y.rows] each), so
 * that sums over a large X need only `blockRows·Y.rows` numbers at a time.
 */
export function forEachGramBlock(
  kernel: Kernel,
  X: Mat,
  Y: Mat,
  blockRows: number,
  fn: (block: Float64Array, start: number, rows: number) => void,
): void {
  const m = Y.rows;
  const d = X.cols;
  const buf = new Float64Array(Math.min(blockRows, X.rows) * m);
  for (let start = 0; start < X.rows; start += blockRows) {
    const rows = Math.min(blockRows, X.rows - start);
    for (let r = 0; r < rows; r++) {
      const xo = (start + r) * d;
      for (let j = 0; j < m; j++) buf[r * m + j] = kernel.eval(X.data, xo, Y.data, j * d, d);
    }
    fn(buf.subarray(0, rows * m), start, rows);
  }
}

/** The kernel as plain JSON (for `getConfig`-style round trips). */
export function kernelToSpec(k: Kernel): KernelSpec {
  switch (k.type) {
    case 'gaussian':
      return { type: 'gaussian', gamma: k.gamma, offset: k.offset };
    case 'laplacian':
      return { type: 'laplacian', gamma: k.gamma, offset: k.offset };
    case 'linear':
      return { type: 'linear', offset: k.offset };
    case 'polynomial':
      return { type: 'polynomial', gamma: k.gamma, coef0: k.offset, degree: k.degree };
  }
}
