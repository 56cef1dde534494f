// VoxelNet loss, §2.2 Eq. 2:
//   L = α·(1/N_pos)·Σ_pos L_cls(p_i, 1) + β·(1/N_neg)·Σ_neg L_cls(p_j, 0) + (1/N_pos)·Σ_pos SmoothL1(u_i − u*_i)
// with L_cls the binary cross-entropy, α = 1.5, β = 1. The focal loss (Lin et al. 2017, as in
// OpenPCDet's SigmoidFocalClassificationLoss, normalised by N_pos) is available as an option.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from './errors';
import type { AnchorTargets } from './target-assigner';

/** Options of {@link voxelnetLoss}. Defaults: the paper's (§2.2, §3.1). */
export interface LossOptions {
  /** Weight of the positive-anchor classification term. Default 1.5. */
  alpha?: number;
  /** Weight of the negative-anchor classification term. Default 1. */
  beta?: number;
  /** Weight of the regression term. Default 1. */
  regressionWeight?: number;
  /** SmoothL1 σ: quadratic below |x| < 1/σ² (qianguih/voxelnet uses 3). Default 3. */
  sigma?: number;
  /** Use the sigmoid focal loss instead of the α/β-normalised cross-entropy. Default false. */
  focal?: boolean | { gamma?: number; alpha?: number };
}

/** The loss and its parts (scalars; the caller disposes them). */
export interface LossParts {
  total: tf.Scalar;
  classification: tf.Scalar;
  regression: tf.Scalar;
}

/**
 * Loss of one frame: `scores` [1, H, W, A] logits and `boxes` [1, H, W, A·7] residuals from the
 * anchor head, against the anchor targets (N = H·W·A anchors in (y, x, a) order).
 */
export function voxelnetLoss(
  scores: tf.Tensor,
  boxes: tf.Tensor,
  targets: AnchorTargets,
  options: LossOptions = {},
): LossParts {
  const { alpha = 1.5, beta = 1, regressionWeight = 1, sigma = 3, focal = false } = options;
  const n = targets.labels.length;
  if (scores.size !== n) {
    throw new InvalidArgumentError('voxelnetLoss', 'scores', `${n} logits (one per anchor)`, scores.shape);
  }
  if (boxes.size !== n * 7)
    throw new InvalidArgumentError('voxelnetLoss', 'boxes', `${n}×7 residuals`, boxes.shape);
  const pos = new Float32Array(n);
  const neg = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (targets.labels[i] === 1) pos[i] = 1;
    else if (targets.labels[i] === 0) neg[i] = 1;
  }
  const nPos = Math.max(1, targets.numPositive);
  const nNeg = Math.max(1, targets.numNegative);
  const [total, classification, regression] = tf.tidy(() => {
    const logits = tf.reshape(scores, [n]);
    const posT = tf.tensor1d(pos);
    const negT = tf.tensor1d(neg);
    let cls: tf.Tensor;
    if (focal) {
      const { gamma = 2, alpha: fa = 0.25 } = typeof focal === 'object' ? focal : {};
      const p = tf.sigmoid(logits);
      // −log p = softplus(−x), −log(1 − p) = softplus(x)
      const lossPos = tf.mul(tf.mul(tf.pow(tf.sub(1, p), gamma), tf.softplus(tf.neg(logits))), fa);
      const lossNeg = tf.mul(tf.mul(tf.pow(p, gamma), tf.softplus(logits)), 1 - fa);
      cls = tf.div(tf.add(tf.sum(tf.mul(lossPos, posT)), tf.sum(tf.mul(lossNeg, negT))), nPos);
    } else {
      const lp = tf.div(tf.sum(tf.mul(tf.softplus(tf.neg(logits)), posT)), nPos);
      const ln = tf.div(tf.sum(tf.mul(tf.softplus(logits), negT)), nNeg);
      cls = tf.add(tf.mul(lp, alpha), tf.mul(ln, beta));
    }
    const diff = tf.sub(tf.reshape(boxes, [n, 7]), tf.tensor2d(targets.regression, [n, 7]));
    const ad = tf.abs(diff);
    const s2 = sigma * sigma;
    // SmoothL1 as ½σ²q² + (|x| − q) with q = min(|x|, 1/σ²): equal to the piecewise form, and
    // differentiable through min (tfjs has no gradient for the comparison a `where` would need)
    const q = tf.minimum(ad, 1 / s2);
    const sl1 = tf.add(tf.mul(tf.square(q), 0.5 * s2), tf.sub(ad, q));
    const reg = tf.div(tf.sum(tf.mul(tf.sum(sl1, 1), posT)), nPos);
    const tot = tf.add(cls, tf.mul(reg, regressionWeight));
    return [tot, cls, reg] as tf.Scalar[];
  });
  return { total, classification, regression };
}
