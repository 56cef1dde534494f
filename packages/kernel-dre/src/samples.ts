import type * as tf from '@tensorflow/tfjs-core';
import { DREInputError, describe } from './errors';

/** A row-major sample matrix: `rows` points of dimension `dim`, `data.length === rows·dim`. */
export interface Samples {
  data: Float64Array;
  dim: number;
}

/** A dense matrix with its row count (always row-major float64): what `gram` and the low-level path functions take. */
export interface Mat {
  data: Float64Array;
  rows: number;
  cols: number;
}

/**
 * What every estimator accepts as a sample set [n, d]: rows as `number[][]`, a row-major
 * `Float64Array` with its dimension (`{ data, dim }`), or a `tf.Tensor2D` (read synchronously with
 * `dataSync`; not disposed).
 */
export type SampleInput = number[][] | Samples | tf.Tensor2D;

function isTensor(x: unknown): x is tf.Tensor {
  return (
    typeof x === 'object' &&
    x !== null &&
    'dataSync' in x &&
    typeof (x as tf.Tensor).dataSync === 'function' &&
    Array.isArray((x as tf.Tensor).shape)
  );
}

/**
 * Converts and validates a sample set: at least `minRows` rows, all values finite, and (when
 * `dim` is given) that dimension.
 */
export function toMat(x: SampleInput, name: string, opts: { minRows?: number; dim?: number } = {}): Mat {
  const { minRows = 1, dim } = opts;
  let m: Mat;
  if (isTensor(x)) {
    if (x.shape.length !== 2) {
      throw new DREInputError(name, 'a tf.Tensor2D [n, d]', `tensor of shape [${x.shape}]`);
    }
    m = { data: Float64Array.from(x.dataSync() as ArrayLike<number>), rows: x.shape[0], cols: x.shape[1] };
  } else if (Array.isArray(x)) {
    const rows = x.length;
    const first = x[0];
    if (rows > 0 && !Array.isArray(first) && !ArrayBuffer.isView(first)) {
      throw new DREInputError(name, 'rows as number[][]', `array whose first element is ${describe(first)}`);
    }
    const cols = rows > 0 ? (first as number[]).length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = x[i];
      if (!Array.isArray(r) && !ArrayBuffer.isView(r)) {
        throw new DREInputError(`${name}[${i}]`, 'a row (number[])', describe(r));
      }
      if (r.length !== cols) {
        throw new DREInputError(`${name}[${i}]`, `a row of length ${cols} (as row 0)`, `length ${r.length}`);
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = r[j];
    }
    m = { data, rows, cols };
  } else if (typeof x === 'object' && x !== null && 'data' in x && 'dim' in x) {
    const { data, dim: d } = x as Samples;
    if (!Number.isInteger(d) || d < 1)
      throw new DREInputError(`${name}.dim`, 'a positive integer', describe(d));
    if (!(data instanceof Float64Array) && !Array.isArray(data)) {
      throw new DREInputError(`${name}.data`, 'a Float64Array (row-major)', describe(data));
    }
    if (data.length % d !== 0) {
      throw new DREInputError(`${name}.data`, `a length divisible by dim = ${d}`, `length ${data.length}`);
    }
    m = { data: Float64Array.from(data), rows: data.length / d, cols: d };
  } else {
    throw new DREInputError(name, 'number[][], { data: Float64Array, dim } or tf.Tensor2D', describe(x));
  }
  if (m.rows < minRows) {
    throw new DREInputError(name, `at least ${minRows} samples`, `${m.rows} samples`);
  }
  if (m.cols < 1) throw new DREInputError(name, 'dimension ≥ 1', `dimension ${m.cols}`);
  if (dim !== undefined && m.cols !== dim) {
    throw new DREInputError(name, `dimension ${dim} (as the training data)`, `dimension ${m.cols}`);
  }
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const r = Math.floor(i / m.cols);
      throw new DREInputError(`${name}[${r}]`, 'finite values', `${d[i]} at column ${i % m.cols}`);
    }
  }
  return m;
}

/** Rows `idx` of `m` as a new matrix. */
export function takeRows(m: Mat, idx: ArrayLike<number>): Mat {
  const out = new Float64Array(idx.length * m.cols);
  for (let k = 0; k < idx.length; k++) {
    out.set(m.data.subarray(idx[k] * m.cols, (idx[k] + 1) * m.cols), k * m.cols);
  }
  return { data: out, rows: idx.length, cols: m.cols };
}

/** Stacks `a` over `b` (same `cols`). */
export function vstack(a: Mat, b: Mat): Mat {
  const out = new Float64Array((a.rows + b.rows) * a.cols);
  out.set(a.data, 0);
  out.set(b.data, a.data.length);
  return { data: out, rows: a.rows + b.rows, cols: a.cols };
}
