import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveNumber, fmtShape, NnclrInputError } from './errors';
import { l2Normalize } from './normalize';
import { SupportSet } from './support-set';

/** Options of {@link nnclrLoss}. */
export interface NnclrLossOptions {
  /** Softmax temperature τ. Default 0.1 (paper, solo-learn `nnclr_loss_func`). */
  temperature?: number;
  /**
   * `false` (default; paper Eq. 2, solo-learn, MAE-CT `transposed=False`): each neighbour is the
   * anchor and the predictions of the batch are the candidates, `logits = NN · pᵀ / τ`. `true`:
   * each prediction is the anchor, `logits = p · NNᵀ / τ` (MAE-CT `transposed=True`).
   */
  transposed?: boolean;
}

function checkPair(where: string, a: tf.Tensor, aName: string, b: tf.Tensor, bName: string): void {
  for (const [t, name] of [
    [a, aName],
    [b, bName],
  ] as const) {
    if (!(t instanceof tf.Tensor)) throw new NnclrInputError(where, name, 'a tf.Tensor', typeof t);
    if (t.rank !== 2 || t.shape[0] < 1 || (t.shape[1] ?? 0) < 1) {
      throw new NnclrInputError(where, name, 'a 2-D tensor [batch, dim]', `shape ${fmtShape(t.shape)}`);
    }
  }
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new NnclrInputError(
      where,
      bName,
      `shape ${fmtShape(a.shape)} (as ${aName})`,
      `shape ${fmtShape(b.shape)}`,
    );
  }
}

/**
 * Mean cross-entropy of `logits` (`[n, m]`, m ≥ n) with label i for row i (`arange`). Written as
 * `logsumexp − diagonal` with a one-hot mask, so that its gradient needs no `gather` (wasm lacks
 * the kernel that gather's gradient uses).
 */
function crossEntropyDiagonal(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [n, m] = logits.shape;
    const onehot = tf.oneHot(tf.range(0, n, 1, 'int32'), m);
    const picked = tf.sum(tf.mul(logits, onehot), 1);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked)) as tf.Scalar;
  });
}

/**
 * NNCLR's InfoNCE with nearest-neighbour positives, one direction (paper Eq. 2): for anchor
 * `NN(zᵢ)` the positive is `pᵢ` (the other view's prediction) and the other predictions of the
 * batch are the negatives. Both inputs are L2-normalised here. Matches solo-learn
 * `solo/losses/nnclr.py` `nnclr_loss_func(nn, p)` and MAE-CT `losses/nnclr_loss.py`
 * `nnclr_loss_fn(predicted, nn)` (single process).
 *
 * @param predicted `[batch, dim]` predictions p of one view (the gradient flows here).
 * @param neighbours `[batch, dim]` neighbours NN(z) of the other view (treat as a constant).
 */
export function nnclrLoss(
  predicted: tf.Tensor2D,
  neighbours: tf.Tensor2D,
  options: NnclrLossOptions = {},
): tf.Scalar {
  const where = 'nnclrLoss';
  checkPair(where, predicted, 'predicted', neighbours, 'neighbours');
  const temperature = assertPositiveNumber(where, 'options.temperature', options.temperature ?? 0.1);
  return tf.tidy(() => {
    const p = l2Normalize(predicted);
    const nn = l2Normalize(neighbours);
    const logits = options.transposed ? tf.matMul(p, nn, false, true) : tf.matMul(nn, p, false, true);
    return crossEntropyDiagonal(tf.div(logits, temperature) as tf.Tensor2D);
  });
}

/** Options of {@link ntXentLoss}. */
export interface NtXentLossOptions {
  /** Softmax temperature. Default 0.5 (lightly `NTXentLoss`). */
  temperature?: number;
  /**
   * Memory-bank negatives (MoCo form). A `[K, dim]` tensor is used as given (lightly keeps its
   * bank normalised); a {@link SupportSet} contributes the cosine similarity to its valid rows.
   * Absent (default): the SimCLR 2N form with in-batch negatives.
   */
  negatives?: tf.Tensor2D | SupportSet;
}

/**
 * lightly's `NTXentLoss` (`lightly/loss/ntx_ent_loss.py`), single process.
 *
 * Without `negatives` (SimCLR, Chen et al. 2020, Eq. 1): both inputs are L2-normalised; row i of
 * out0 scores `[out0ᵢ·out1ⱼ for all j, out0ᵢ·out0ⱼ for j ≠ i] / τ` with label i, and the rows of
 * out1 likewise; the loss is the mean over the 2N rows.
 *
 * With `negatives` (MoCo form): the logits of row i are `[out0ᵢ·out1ᵢ, out0ᵢ·negatives] / τ` with
 * label 0. Like lightly, the caller enqueues the normalised out1 into the bank after the loss.
 *
 * @param out0 `[batch, dim]` first view.
 * @param out1 `[batch, dim]` second view.
 */
export function ntXentLoss(out0: tf.Tensor2D, out1: tf.Tensor2D, options: NtXentLossOptions = {}): tf.Scalar {
  const where = 'ntXentLoss';
  checkPair(where, out0, 'out0', out1, 'out1');
  const temperature = assertPositiveNumber(where, 'options.temperature', options.temperature ?? 0.5);
  const { negatives } = options;
  if (negatives != null) {
    if (negatives instanceof SupportSet) {
      if (negatives.dim !== out0.shape[1]) {
        throw new NnclrInputError(
          where,
          'options.negatives',
          `a support set of dim ${out0.shape[1]}`,
          `dim ${negatives.dim}`,
        );
      }
    } else if (
      !(negatives instanceof tf.Tensor) ||
      negatives.rank !== 2 ||
      negatives.shape[1] !== out0.shape[1]
    ) {
      const got = negatives instanceof tf.Tensor ? `shape ${fmtShape(negatives.shape)}` : typeof negatives;
      throw new NnclrInputError(
        where,
        'options.negatives',
        `a tensor [K, ${out0.shape[1]}] or a SupportSet`,
        got,
      );
    }
  }
  return tf.tidy(() => {
    const a = l2Normalize(out0);
    const b = l2Normalize(out1);
    if (negatives != null) {
      const pos = tf.sum(tf.mul(a, b), 1, true);
      const neg =
        negatives instanceof SupportSet ? negatives.similarities(a) : tf.matMul(a, negatives, false, true);
      const logits = tf.div(tf.concat([pos, neg], 1), temperature) as tf.Tensor2D;
      return tf.mean(
        tf.sub(tf.logSumExp(logits, 1), tf.squeeze(tf.slice(logits, [0, 0], [-1, 1]), [1])),
      ) as tf.Scalar;
    }
    const n = a.shape[0];
    // The diagonal of the same-view blocks is removed from the softmax by a large negative
    // offset (exp underflows to exactly 0), which equals lightly's `logits[~diag_mask]`.
    const offDiag = tf.mul(tf.eye(n), -1e9);
    const l01 = tf.div(tf.matMul(a, b, false, true), temperature);
    const l00 = tf.add(tf.div(tf.matMul(a, a, false, true), temperature), offDiag);
    const l10 = tf.div(tf.matMul(b, a, false, true), temperature);
    const l11 = tf.add(tf.div(tf.matMul(b, b, false, true), temperature), offDiag);
    const logits = tf.concat([tf.concat([l01, l00], 1), tf.concat([l10, l11], 1)], 0) as tf.Tensor2D;
    // Label of row i (and of row n+i) is column i: the diagonal of l01 / l10.
    const onehot = tf.concat([tf.eye(n, 2 * n), tf.eye(n, 2 * n)], 0);
    const picked = tf.sum(tf.mul(logits, onehot), 1);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked)) as tf.Scalar;
  });
}

/** The two views' predictions and neighbours, each `[batch, dim]`. */
export interface TwoViews {
  /** p₀ = predictor(projector(view 0)). */
  predicted0: tf.Tensor2D;
  /** p₁ = predictor(projector(view 1)). */
  predicted1: tf.Tensor2D;
  /** NN(z₀): neighbours of view 0's projections. */
  neighbours0: tf.Tensor2D;
  /** NN(z₁): neighbours of view 1's projections. */
  neighbours1: tf.Tensor2D;
}

/** How {@link nnclrTwoViewLoss} combines the two views. */
export type NnclrVariant = 'one-directional' | 'symmetric' | 'ntxent';

/** Options of {@link nnclrTwoViewLoss}. */
export interface NnclrTwoViewLossOptions {
  /**
   * - `'one-directional'` (default; solo-learn `NNCLR.training_step`, MAE-CT `NnclrHead._get_loss`):
   *   ½[ℓ(NN(z₀) → p₁) + ℓ(NN(z₁) → p₀)], each term {@link nnclrLoss} with the neighbour as anchor.
   * - `'symmetric'` (paper §3.2 "we symmetrize the loss", as in VISSL and keras-io): the mean of
   *   those two terms and their transposes (prediction as anchor), four terms in all.
   * - `'ntxent'` (lightly's NNCLR example): ½[NTXent(NN(z₀), p₁) + NTXent(NN(z₁), p₀)] with
   *   {@link ntXentLoss}, whose in-view negatives are the other neighbours / predictions.
   */
  variant?: NnclrVariant;
  /** Softmax temperature. Default 0.1 (paper). */
  temperature?: number;
}

/**
 * NNCLR's loss over the two augmented views of a batch (paper §3, Eq. 2 and §3.2), in the variant
 * a user's reference uses. The neighbours are constants: the gradient flows only into the
 * predictions (as in every reference, where NN is found under `no_grad`).
 */
export function nnclrTwoViewLoss(views: TwoViews, options: NnclrTwoViewLossOptions = {}): tf.Scalar {
  const where = 'nnclrTwoViewLoss';
  if (views == null || typeof views !== 'object') {
    throw new NnclrInputError(
      where,
      'views',
      '{predicted0, predicted1, neighbours0, neighbours1}',
      String(views),
    );
  }
  const { predicted0, predicted1, neighbours0, neighbours1 } = views;
  checkPair(where, predicted0, 'views.predicted0', predicted1, 'views.predicted1');
  checkPair(where, predicted0, 'views.predicted0', neighbours0, 'views.neighbours0');
  checkPair(where, predicted0, 'views.predicted0', neighbours1, 'views.neighbours1');
  const variant = options.variant ?? 'one-directional';
  const temperature = options.temperature ?? 0.1;
  return tf.tidy(() => {
    switch (variant) {
      case 'one-directional':
        return tf.mul(
          tf.add(
            nnclrLoss(predicted1, neighbours0, { temperature }),
            nnclrLoss(predicted0, neighbours1, { temperature }),
          ),
          0.5,
        ) as tf.Scalar;
      case 'symmetric':
        return tf.mul(
          tf.addN([
            nnclrLoss(predicted1, neighbours0, { temperature }),
            nnclrLoss(predicted0, neighbours1, { temperature }),
            nnclrLoss(predicted1, neighbours0, { temperature, transposed: true }),
            nnclrLoss(predicted0, neighbours1, { temperature, transposed: true }),
          ]),
          0.25,
        ) as tf.Scalar;
      case 'ntxent':
        return tf.mul(
          tf.add(
            ntXentLoss(neighbours0, predicted1, { temperature }),
            ntXentLoss(neighbours1, predicted0, { temperature }),
          ),
          0.5,
        ) as tf.Scalar;
      default:
        throw new NnclrInputError(
          where,
          'options.variant',
          "'one-directional', 'symmetric' or 'ntxent'",
          String(variant),
        );
    }
  });
}
