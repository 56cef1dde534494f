import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError, shapeString } from './errors';
import { type DataFormat, patchify } from './patchify';

/** Options of {@link maeLoss}. */
export interface MaeLossOptions {
  /** Side of a square patch in pixels. */
  patchSize: number;
  /**
   * Standardize every target patch by its own mean and (unbiased) variance before the MSE
   * (MAE §A.1 / Table 1d "w/ norm pix": better representations). Default true, although the reference
   * constructor defaults to false: MAE's reported representations and MAE-CT's stage 1 use it.
   */
  normPixLoss?: boolean;
  /** Layout of `imgs`. Default `'channelsLast'`. */
  dataFormat?: DataFormat;
}

/**
 * MAE reconstruction loss (He et al. 2022, §3 "Reconstruction target"): mean squared error per patch,
 * averaged over the REMOVED patches only — `Σ mean_f (pred − target)² · mask / Σ mask`. With
 * `normPixLoss` the target is `(t − mean)/sqrt(var + 1e-6)` with the unbiased variance (divisor
 * `p²·C − 1`, as `torch.var` in facebookresearch/mae `models_mae.py` `forward_loss`). The images receive
 * a gradient through the target, as in the reference.
 *
 * @param imgs `[batch, height, width, channels]` (or channels-first, see `dataFormat`)
 * @param pred `[batch, patches, p²·channels]` decoder output
 * @param mask `[batch, patches]`, 1 = removed (scored), 0 = kept
 * @returns scalar loss
 */
export function maeLoss(imgs: tf.Tensor, pred: tf.Tensor, mask: tf.Tensor, opts: MaeLossOptions): tf.Scalar {
  const { patchSize, normPixLoss = true, dataFormat } = opts;
  return tf.tidy(() => {
    const target = patchify(imgs, patchSize, { dataFormat });
    if (pred.shape.join() !== target.shape.join())
      throw new MaectInputError(
        'pred',
        `shape ${shapeString(target.shape)} (the patchified imgs)`,
        `shape ${shapeString(pred.shape)}`,
      );
    if (mask.shape.join() !== target.shape.slice(0, 2).join())
      throw new MaectInputError(
        'mask',
        `shape ${shapeString(target.shape.slice(0, 2))} [batch, patches]`,
        `shape ${shapeString(mask.shape)}`,
      );
    let t: tf.Tensor = target;
    if (normPixLoss) {
      const f = target.shape[2];
      if (f < 2)
        throw new MaectInputError('pred', 'at least 2 features per patch for normPixLoss', String(f));
      const mean = tf.mean(target, -1, true);
      const centered = tf.sub(target, mean);
      const varUnbiased = tf.div(tf.sum(tf.square(centered), -1, true), f - 1);
      t = tf.div(centered, tf.sqrt(tf.add(varUnbiased, 1e-6)));
    }
    const perPatch = tf.mean(tf.square(tf.sub(pred, t)), -1);
    const m = tf.cast(mask, 'float32');
    return tf.div(tf.sum(tf.mul(perPatch, m)), tf.sum(m)) as tf.Scalar;
  });
}
