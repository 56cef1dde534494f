import * as tf from '@tensorflow/tfjs-core';
import { DREInputError, DRENotFittedError, describe, positive, positiveInt } from './errors';
import { forEachGramBlock, type Kernel, type KernelSpec, kernelToSpec, resolveKernel } from './kernels';
import { type Mat, type SampleInput, type Samples, toMat, vstack } from './samples';

/**
 * How the fitted function f(x) = Σ_l w_l k(x, c_l) becomes a ratio value r̂(x):
 * - `identity`: r̂ = f (KuLSIF, uLSIF, RuLSIF, KLIEP);
 * - `exp`: r̂ = exp(f) (logistic loss);
 * - `exp2`: r̂ = exp(2f) (exponential / boosting loss);
 * - `square-cpe`: r̂ = (1 + f)/(1 − f), f clipped to [−1, 1 − 1e-12] (square-loss classifier with ±1 labels);
 * - `square-cpe-reference`: r̂ = (2f − 1)/(2 − 2f), the link coded in lugruber/dre_iter_reg
 *   `IterSquare.predict` (kept only for comparison; it is not the ratio, see README).
 */
export type Link = 'identity' | 'exp' | 'exp2' | 'square-cpe' | 'square-cpe-reference';

/** Options every estimator takes (defaults documented once, here). */
export interface EstimatorOptions {
  /** Regularization parameter λ > 0. Default 1e-3 (the reference's `reg_par` default). */
  lambda?: number;
  /** Tikhonov iterations t ≥ 1 (t = 1: plain Tikhonov; t > 1: iterated Tikhonov). Default 1. */
  iterations?: number;
  /** Kernel; missing bandwidths come from the median heuristic on numerator ∪ denominator. Default `{ type: 'gaussian' }`. */
  kernel?: KernelSpec | Kernel;
  /** Seed for every random choice (centers, subsampling, splits). Default 0. */
  seed?: number;
}

/** The fitted expansion f(x) = Σ_l weights[l]·k(x, centers[l]), read-only. */
export interface Coefficients {
  /** [b] expansion weights. */
  weights: Float64Array;
  /** [b, d] expansion points (row-major). */
  centers: Samples;
}

/** The interface shared by every estimator in this package. */
export interface DensityRatioEstimator {
  /** Fits r = p_numerator / p_denominator from samples [m, d] and [n, d]; returns `this`. */
  fit(numerator: SampleInput, denominator: SampleInput): this;
  /** r̂(x) for each row of x [k, d] → [k]. */
  predict(x: SampleInput): Float64Array;
  /** The fitted expansion. */
  readonly coefficients: Coefficients;
  /** The kernel with its fitted bandwidth. */
  readonly kernel: Kernel;
}

/** Validates the shared options and the two sample sets. */
export function prepare(
  name: string,
  numerator: SampleInput,
  denominator: SampleInput,
): { num: Mat; den: Mat } {
  const num = toMat(numerator, `${name}.fit: numerator`, { minRows: 2 });
  const den = toMat(denominator, `${name}.fit: denominator`, { minRows: 2, dim: num.cols });
  return { num, den };
}

export function checkCommon(opts: EstimatorOptions): { lambda: number; iterations: number; seed: number } {
  if (typeof opts !== 'object' || opts === null)
    throw new DREInputError('options', 'an options object', describe(opts));
  const lambda = positive('options.lambda', opts.lambda ?? 1e-3);
  const iterations = positiveInt('options.iterations', opts.iterations ?? 1);
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new DREInputError('options.seed', 'an integer', describe(seed));
  return { lambda, iterations, seed };
}

/**
 * Base class for estimators whose result is a kernel expansion followed by a link. Subclasses set
 * `fitted` in `fit`.
 */
export abstract class KernelExpansionEstimator implements DensityRatioEstimator {
  protected fitted: {
    centers: Mat;
    weights: Float64Array;
    kernel: Kernel;
    link: Link;
    /** Kernel smoothing Σ w k / Σ k instead of Σ w k (KMM's extension to new points). */
    normalize?: boolean;
  } | null = null;
  protected abstract readonly estimatorName: string;

  abstract fit(numerator: SampleInput, denominator: SampleInput): this;

  /**
   * The kernel a subclass fits with: `spec` as given, or with its missing bandwidth set by the
   * median heuristic on denominator ∪ numerator (`resolveKernel`, seeded by `seed`).
   * @param num - numerator samples `[m, d]`.
   * @param den - denominator samples `[n, d]`.
   */
  protected resolveKernel(spec: KernelSpec | Kernel | undefined, num: Mat, den: Mat, seed: number): Kernel {
    return resolveKernel(spec, vstack(den, num), seed);
  }

  /**
   * The fitted expansion (centers, weights, kernel, link) that `fit` stored in `fitted`.
   * @throws DRENotFittedError before `fit`.
   */
  protected state() {
    if (!this.fitted) throw new DRENotFittedError(this.estimatorName);
    return this.fitted;
  }

  get kernel(): Kernel {
    return this.state().kernel;
  }

  get coefficients(): Coefficients {
    const s = this.state();
    return { weights: s.weights.slice(), centers: { data: s.centers.data.slice(), dim: s.centers.cols } };
  }

  /** The fitted function f(x) before the link, [k]. */
  decisionFunction(x: SampleInput): Float64Array {
    const s = this.state();
    const X = toMat(x, `${this.estimatorName}.predict: x`, { dim: s.centers.cols });
    return expansion(s.kernel, s.centers, s.weights, X, s.normalize);
  }

  predict(x: SampleInput): Float64Array {
    const f = this.decisionFunction(x);
    return applyLink(f, this.state().link);
  }

  /**
   * r̂(x) as a float32 tfjs computation, [k, d] → [k]: differentiable with respect to `x` (for the
   * gaussian, laplacian, linear and polynomial kernels), e.g. to inspect ∇_x r̂. The caller owns
   * the result; nothing else is kept.
   */
  predictTensor(x: tf.Tensor2D): tf.Tensor1D {
    const s = this.state();
    if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== s.centers.cols) {
      throw new DREInputError(
        `${this.estimatorName}.predictTensor: x`,
        `a tf.Tensor2D [k, ${s.centers.cols}]`,
        describe(x),
      );
    }
    return tf.tidy(() => {
      const c = tf.tensor2d(Float32Array.from(s.centers.data), [s.centers.rows, s.centers.cols], 'float32');
      const w = tf.tensor2d(Float32Array.from(s.weights), [s.weights.length, 1], 'float32');
      const k = kernelTensor(s.kernel, x, c);
      let f = tf.reshape(tf.matMul(k, w), [-1]) as tf.Tensor1D;
      if (s.normalize) f = tf.div(f, tf.sum(k, 1));
      return linkTensor(f, s.link);
    });
  }

  /** The fitted model as plain JSON numbers (kernel spec, link, centers, weights). */
  toJSON(): FittedModelJSON {
    const s = this.state();
    return {
      estimator: this.estimatorName,
      kernel: kernelToSpec(s.kernel),
      link: s.link,
      centers: { data: Array.from(s.centers.data), dim: s.centers.cols },
      weights: Array.from(s.weights),
      normalize: s.normalize ?? false,
    };
  }
}

/** f(x_i) = Σ_l w_l k(x_i, c_l) for the rows of X, computed in row blocks. */
export function expansion(
  kernel: Kernel,
  centers: Mat,
  weights: Float64Array,
  X: Mat,
  normalize = false,
): Float64Array {
  const out = new Float64Array(X.rows);
  const b = centers.rows;
  forEachGramBlock(kernel, X, centers, 256, (blk, start, rows) => {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const o = r * b;
      let z = 0;
      for (let l = 0; l < b; l++) {
        s += blk[o + l] * weights[l];
        z += blk[o + l];
      }
      out[start + r] = normalize ? s / z : s;
    }
  });
  return out;
}

/** r̂ = link(f) elementwise: fitted function values to ratio values (see {@link Link}). */
export function applyLink(f: Float64Array, link: Link): Float64Array {
  const r = new Float64Array(f.length);
  for (let i = 0; i < f.length; i++) {
    const v = f[i];
    switch (link) {
      case 'identity':
        r[i] = v;
        break;
      case 'exp':
        r[i] = Math.exp(v);
        break;
      case 'exp2':
        r[i] = Math.exp(2 * v);
        break;
      case 'square-cpe': {
        const c = Math.min(Math.max(v, -1), 1 - 1e-12);
        r[i] = (1 + c) / (1 - c);
        break;
      }
      case 'square-cpe-reference':
        r[i] = (2 * v - 1) / (2 - 2 * v);
        break;
    }
  }
  return r;
}

function linkTensor(f: tf.Tensor1D, link: Link): tf.Tensor1D {
  switch (link) {
    case 'identity':
      return f;
    case 'exp':
      return tf.exp(f);
    case 'exp2':
      return tf.exp(tf.mul(f, 2)) as tf.Tensor1D;
    case 'square-cpe': {
      const c = tf.clipByValue(f, -1, 1 - 1e-6);
      return tf.div(tf.add(1, c), tf.sub(1, c));
    }
    case 'square-cpe-reference':
      return tf.div(tf.sub(tf.mul(f, 2), 1), tf.sub(2, tf.mul(f, 2)));
  }
}

/** k(X, C) as a float32 tensor [k, b], differentiable in X (tfjs functional ops only). */
export function kernelTensor(kernel: Kernel, x: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    switch (kernel.type) {
      case 'gaussian': {
        const xx = tf.sum(tf.square(x), 1, true);
        const cc = tf.reshape(tf.sum(tf.square(c), 1), [1, -1]);
        const d2 = tf.relu(tf.sub(tf.add(xx, cc), tf.mul(2, tf.matMul(x, c, false, true))));
        return tf.add(tf.exp(tf.mul(-kernel.gamma, d2)), kernel.offset) as tf.Tensor2D;
      }
      case 'laplacian': {
        const diff = tf.sub(tf.expandDims(x, 1), tf.expandDims(c, 0));
        const d1 = tf.sum(tf.abs(diff), 2);
        return tf.add(tf.exp(tf.mul(-kernel.gamma, d1)), kernel.offset) as tf.Tensor2D;
      }
      case 'linear':
        return tf.add(tf.matMul(x, c, false, true), kernel.offset) as tf.Tensor2D;
      case 'polynomial':
        return tf.pow(
          tf.add(tf.mul(kernel.gamma, tf.matMul(x, c, false, true)), kernel.offset),
          kernel.degree,
        ) as tf.Tensor2D;
    }
  });
}

/** The JSON form written by `toJSON()` of any fitted estimator. */
export interface FittedModelJSON {
  estimator: string;
  kernel: KernelSpec;
  link: Link;
  centers: { data: number[]; dim: number };
  weights: number[];
  normalize?: boolean;
}

const LINKS: Link[] = ['identity', 'exp', 'exp2', 'square-cpe', 'square-cpe-reference'];

/**
 * A fitted model restored from `toJSON()` (predict, decisionFunction, predictTensor, coefficients);
 * it cannot be refit — construct the original estimator for that.
 */
export class FittedRatioModel extends KernelExpansionEstimator {
  protected readonly estimatorName: string;
  constructor(json: FittedModelJSON) {
    super();
    if (typeof json !== 'object' || json === null)
      throw new DREInputError('json', 'the output of toJSON()', describe(json));
    if (!LINKS.includes(json.link))
      throw new DREInputError('json.link', LINKS.join(' | '), describe(json.link));
    const centers = toMat(
      { data: Float64Array.from(json.centers?.data ?? []), dim: json.centers?.dim },
      'json.centers',
    );
    const weights = Float64Array.from(json.weights ?? []);
    if (weights.length !== centers.rows) {
      throw new DREInputError(
        'json.weights',
        `${centers.rows} weights (one per center)`,
        `${weights.length}`,
      );
    }
    this.estimatorName = String(json.estimator ?? 'FittedRatioModel');
    const kernel = resolveKernel(json.kernel, centers);
    this.fitted = { centers, weights, kernel, link: json.link, normalize: json.normalize ?? false };
  }
  fit(): this {
    throw new DREInputError(
      `${this.estimatorName}.fit`,
      'a fresh estimator (a restored model cannot be refit)',
      'a FittedRatioModel',
    );
  }
}
