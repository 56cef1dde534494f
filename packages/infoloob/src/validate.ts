import { canReadSync } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';
import { InfoLoobArgumentError } from './errors';

const fail = (fn: string, msg: string): never => {
  throw new InfoLoobArgumentError(`${fn}: ${msg}`);
};

/** `a` and `b` are both `[batch, dim]` with the same batch and dim. */
export function checkPair(fn: string, aName: string, a: tf.Tensor, bName: string, b: tf.Tensor): void {
  if (a.rank !== 2) fail(fn, `${aName} must be [batch, dim], received shape [${a.shape}]`);
  if (b.rank !== 2) fail(fn, `${bName} must be [batch, dim], received shape [${b.shape}]`);
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    fail(fn, `${aName} [${a.shape}] and ${bName} [${b.shape}] must have the same [batch, dim]`);
  }
  if (a.shape[0] < 2) fail(fn, `${aName} needs a batch of at least 2 (negatives), received ${a.shape[0]}`);
}

/** A positive finite number, or a scalar tensor (e.g. a learnable inverse temperature). */
export function checkPositive(fn: string, name: string, v: number | tf.Scalar): void {
  if (typeof v === 'number') {
    if (!(v > 0) || !Number.isFinite(v)) fail(fn, `${name} must be a finite number > 0, received ${v}`);
  } else if (v.rank !== 0) {
    fail(fn, `${name} must be a number or a scalar tensor, received shape [${v.shape}]`);
  }
}

/**
 * Rows must have unit L2 norm (within `tol`): the objectives assume normalized embeddings. A
 * synchronous read, so skipped on backends that cannot read synchronously (`webgpu`; see
 * `canReadSync` of @paperstack/hopfield-layer).
 */
export function checkNormalized(fn: string, name: string, x: tf.Tensor2D, tol = 1e-3): void {
  if (!canReadSync()) return;
  const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.norm(x, 'euclidean', 1), 1))).dataSync()[0]);
  if (!(worst <= tol)) {
    fail(fn, `${name} rows must be L2-normalized (|‖row‖ − 1| ≤ ${tol}), received a row off by ${worst}`);
  }
}

/**
 * The 0/1 positive-pair mask `[batch, batch]` (1 = (i, j) is a positive pair). Every row needs a
 * positive and a negative. Default: the identity (the i-th x pairs with the i-th y). The values are
 * checked with a synchronous read of `positives`, except on backends that cannot read synchronously
 * (`webgpu`), where only the shape is checked.
 */
export function positiveMask(fn: string, batch: number, positives?: tf.Tensor): tf.Tensor2D {
  if (positives === undefined) return tf.eye(batch);
  if (positives.rank !== 2 || positives.shape[0] !== batch || positives.shape[1] !== batch) {
    fail(fn, `positives must be [${batch}, ${batch}] (0/1), received shape [${positives.shape}]`);
  }
  if (!canReadSync()) return tf.cast(positives, 'float32') as tf.Tensor2D;
  const m = positives.dataSync();
  for (let i = 0; i < batch; i++) {
    let pos = 0;
    for (let j = 0; j < batch; j++) {
      const v = m[i * batch + j];
      if (v !== 0 && v !== 1) fail(fn, `positives must hold only 0 and 1, received ${v} at [${i}, ${j}]`);
      pos += v;
    }
    if (pos === 0) fail(fn, `positives row ${i} has no positive pair`);
    if (pos === batch) fail(fn, `positives row ${i} has no negative (every pair is positive)`);
  }
  return tf.cast(positives, 'float32') as tf.Tensor2D;
}
