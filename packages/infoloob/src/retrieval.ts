import { hopfieldUpdate } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';
import { InfoLoobArgumentError } from './errors';

/**
 * CLOOB's Hopfield retrieval (paper Eq. 4; ml-jku/cloob `methods.py` `hopfield`): the state
 * patterns ξ query the stored patterns X of the batch with one static Hopfield update,
 * U_ξ = X softmax(β Xᵀ ξ), and each retrieved row is L2-normalized again.
 *
 * @param state `[batch, dim]` queries (normalized embeddings).
 * @param stored `[memory, dim]` the memory (the batch of one modality).
 * @param beta inverse temperature β of the Hopfield update (> 0).
 * @returns `[batch, dim]` retrieved, re-normalized patterns.
 */
export function hopfieldRetrieval(state: tf.Tensor2D, stored: tf.Tensor2D, beta: number): tf.Tensor2D {
  if (!(beta > 0) || !Number.isFinite(beta)) {
    throw new InfoLoobArgumentError(`hopfieldRetrieval: beta must be a finite number > 0, received ${beta}`);
  }
  return tf.tidy(() => {
    // hflayers' all-static mode with one step (@paperstack/hopfield-layer), as ml-jku/cloob configures it
    const retrieved = hopfieldUpdate(state, stored, beta);
    return tf.div(retrieved, tf.norm(retrieved, 'euclidean', 1, true)) as tf.Tensor2D;
  });
}

/** The four CLOOB retrievals: U_x, U_y from the image memory, V_x, V_y from the text memory. */
export interface CloobRetrievals {
  /** `[batch, dim]` images retrieving from the image memory (U_x, reference `p_xx`). */
  imageFromImages: tf.Tensor2D;
  /** `[batch, dim]` texts retrieving from the image memory (U_y, `p_xy`). */
  textFromImages: tf.Tensor2D;
  /** `[batch, dim]` texts retrieving from the text memory (V_y, `p_yy`). */
  textFromTexts: tf.Tensor2D;
  /** `[batch, dim]` images retrieving from the text memory (V_x, `p_yx`). */
  imageFromTexts: tf.Tensor2D;
}

/** All four retrievals of CLOOB (paper §2, Fig. 1). The caller disposes them. */
export function cloobRetrievals(image: tf.Tensor2D, text: tf.Tensor2D, beta: number): CloobRetrievals {
  return {
    imageFromImages: hopfieldRetrieval(image, image, beta),
    textFromImages: hopfieldRetrieval(text, image, beta),
    textFromTexts: hopfieldRetrieval(text, text, beta),
    imageFromTexts: hopfieldRetrieval(image, text, beta),
  };
}
