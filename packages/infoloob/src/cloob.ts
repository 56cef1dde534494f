import * as tf from '@tensorflow/tfjs-core';
import { type ContrastiveOptions, infoLoobLoss } from './losses';
import { cloobRetrievals } from './retrieval';
import { checkNormalized, checkPair, checkPositive } from './validate';

export interface CloobOptions extends ContrastiveOptions {
  /** β of the Hopfield retrieval (reference `scale_hopfield`). Default 8 (CLOOB's CC recipe). */
  hopfieldBeta?: number;
  /** Multiply each InfoLOOB term by τ, as the reference does. Default true. */
  scaleByTau?: boolean;
}

/** The CLOOB loss and its two InfoLOOB halves (paper Eq. 5), as returned by {@link cloobLossParts}. */
export interface CloobLossParts {
  /** loss = lossImage + lossText */
  loss: tf.Scalar;
  /** InfoLOOB(U_x, U_y): anchors are the images' retrievals from the image memory. */
  lossImage: tf.Scalar;
  /** InfoLOOB(V_y, V_x): anchors are the texts' retrievals from the text memory. */
  lossText: tf.Scalar;
}

/**
 * The CLOOB objective and its two halves (paper Eq. 5; ml-jku/cloob `methods.py` `cloob`):
 * InfoLOOB(U_x, U_y) + InfoLOOB(V_y, V_x), with U = retrievals from the image memory and V from
 * the text memory (`hopfieldRetrieval`). The caller disposes the three scalars.
 *
 * @param image `[batch, dim]` L2-normalized image embeddings.
 * @param text `[batch, dim]` L2-normalized text embeddings; row i pairs with image row i.
 */
export function cloobLossParts(
  image: tf.Tensor2D,
  text: tf.Tensor2D,
  opts: CloobOptions = {},
): CloobLossParts {
  const fn = 'cloobLoss';
  const { hopfieldBeta = 8 } = opts;
  checkPair(fn, 'image', image, 'text', text);
  checkPositive(fn, 'hopfieldBeta', hopfieldBeta);
  if (opts.checkNormalized ?? true) {
    checkNormalized(fn, 'image', image);
    checkNormalized(fn, 'text', text);
  }
  return tf.tidy(() => {
    const r = cloobRetrievals(image, text, hopfieldBeta);
    const inner = { ...opts, checkNormalized: false };
    const lossImage = infoLoobLoss(r.imageFromImages, r.textFromImages, inner);
    const lossText = infoLoobLoss(r.textFromTexts, r.imageFromTexts, inner);
    return { loss: tf.add(lossImage, lossText) as tf.Scalar, lossImage, lossText };
  });
}

/** The CLOOB loss as one scalar (see `cloobLossParts`). */
export function cloobLoss(image: tf.Tensor2D, text: tf.Tensor2D, opts: CloobOptions = {}): tf.Scalar {
  return tf.tidy(() => cloobLossParts(image, text, opts).loss);
}
