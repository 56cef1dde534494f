import * as tf from '@tensorflow/tfjs-core';
import { checkNormalized, checkPair, checkPositive, positiveMask } from './validate';

/** Options shared by the contrastive objectives. */
export interface ContrastiveOptions {
  /** Inverse temperature 1/τ (a number, or a scalar tensor such as `InverseTemperature.value()`). Default 30 (CLOOB's CC recipe). */
  invTau?: number | tf.Scalar;
  /**
   * `[batch, batch]` 0/1 mask of positive pairs (1 = x_i and y_j belong together), for batches where
   * captions repeat. Default: the identity.
   */
  positives?: tf.Tensor2D;
  /**
   * Throw when an input row is not unit-norm (costs one synchronous read-back). Default true; not
   * checked on the `webgpu` backend, which cannot read synchronously in Node.
   */
  checkNormalized?: boolean;
}

export interface InfoLoobOptions extends ContrastiveOptions {
  /** Multiply the bound by τ as ml-jku/cloob `infoLOOB_loss` does (its loss scale). Default true. */
  scaleByTau?: boolean;
}

const DEFAULT_INV_TAU = 30;

function logits(x: tf.Tensor2D, y: tf.Tensor2D, invTau: number | tf.Scalar): tf.Tensor2D {
  return tf.mul(tf.matMul(x, y, false, true), invTau);
}

/** Mean over each row's positives of `k` (`[batch]`). */
function positiveMean(k: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.div(tf.sum(tf.mul(k, mask), 1), tf.sum(mask, 1));
}

/**
 * InfoLOOB, the leave-one-out upper bound on mutual information (CLOOB paper Eq. 3; ml-jku/cloob
 * `src/training/methods.py` `infoLOOB_loss`):
 *
 *   L = τ · mean_i [ −k_ii + log Σ_{j ∉ P(i)} exp(k_ij) ],  k = τ⁻¹ x yᵀ,
 *
 * where P(i) = {i} by default. The positive is *left out* of the log-sum-exp (that is what makes
 * it a leave-one-out bound). With a `positives` mask, the positive term is averaged over P(i) and
 * every positive is left out. The reference leaves the positive out by setting its logit to −1000;
 * here it is −∞, which is the same to float64 precision and exact in float32.
 *
 * @param x `[batch, dim]` anchors (L2-normalized rows).
 * @param y `[batch, dim]` their partners (L2-normalized rows).
 * @returns scalar loss.
 */
export function infoLoobLoss(x: tf.Tensor2D, y: tf.Tensor2D, opts: InfoLoobOptions = {}): tf.Scalar {
  const { invTau = DEFAULT_INV_TAU, positives, scaleByTau = true } = opts;
  checkInputs('infoLoobLoss', ['x', 'y'], x, y, opts);
  return tf.tidy(() => {
    const mask = positiveMask('infoLoobLoss', x.shape[0], positives);
    const k = logits(x, y, invTau);
    const negatives = tf.where(tf.cast(mask, 'bool'), tf.fill(k.shape, Number.NEGATIVE_INFINITY), k);
    const perRow = tf.sub(tf.logSumExp(negatives, 1), positiveMean(k, mask));
    const loss = tf.mean(perRow);
    return (scaleByTau ? tf.div(loss, invTau) : loss) as tf.Scalar;
  });
}

/** Row-wise InfoNCE: mean_i [ −mean_{p ∈ P(i)} k_ip + log Σ_j exp(k_ij) ]. */
function crossEntropyRows(k: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sub(tf.logSumExp(k, 1), positiveMean(k, mask)));
}

function checkInputs(
  fn: string,
  names: [string, string],
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  opts: ContrastiveOptions,
) {
  checkPair(fn, names[0], x, names[1], y);
  checkPositive(fn, 'invTau', opts.invTau ?? DEFAULT_INV_TAU);
  if (opts.checkNormalized ?? true) {
    checkNormalized(fn, names[0], x);
    checkNormalized(fn, names[1], y);
  }
}

/**
 * One-directional InfoNCE (Oord et al. 2018; CLOOB paper Eq. 2): the cross-entropy of each x_i
 * over all y_j, the positive included in the denominator,
 *
 *   L = mean_i [ −mean_{p ∈ P(i)} k_ip + log Σ_j exp(k_ij) ],  k = τ⁻¹ x yᵀ.
 *
 * @param x `[batch, dim]`, @param y `[batch, dim]` (L2-normalized rows). @returns scalar loss.
 */
export function infoNceLoss(x: tf.Tensor2D, y: tf.Tensor2D, opts: ContrastiveOptions = {}): tf.Scalar {
  checkInputs('infoNceLoss', ['x', 'y'], x, y, opts);
  return tf.tidy(() => {
    const mask = positiveMask('infoNceLoss', x.shape[0], opts.positives);
    return crossEntropyRows(logits(x, y, opts.invTau ?? DEFAULT_INV_TAU), mask);
  });
}

/**
 * The CLIP objective (Radford et al. 2021; ml-jku/cloob `methods.py` `clip`): symmetric
 * cross-entropy, InfoNCE(image → text)/2 + InfoNCE(text → image)/2, with logits τ⁻¹ x yᵀ.
 *
 * @param image `[batch, dim]`, @param text `[batch, dim]` (L2-normalized rows). @returns scalar loss.
 */
export function clipLoss(image: tf.Tensor2D, text: tf.Tensor2D, opts: ContrastiveOptions = {}): tf.Scalar {
  checkInputs('clipLoss', ['image', 'text'], image, text, opts);
  return tf.tidy(() => {
    const mask = positiveMask('clipLoss', image.shape[0], opts.positives);
    const k = logits(image, text, opts.invTau ?? DEFAULT_INV_TAU);
    const a = crossEntropyRows(k, mask);
    const b = crossEntropyRows(tf.transpose(k), tf.transpose(mask));
    return tf.div(tf.add(a, b), 2) as tf.Scalar;
  });
}
