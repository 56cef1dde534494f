import * as tf from '@tensorflow/tfjs-core';

/**
 * The attention core every ViT block calls (the one place to switch implementations):
 * per head, `softmax(β · q kᵀ) v` with `β = 1/sqrt(headDim)` — one Hopfield update step with the
 * state patterns `q` retrieving from the stored patterns `k` (Ramsauer et al. 2021, Eq. 10 with
 * β = 1/√d_k is transformer attention).
 *
 * @param q `[batch, heads, tokens, headDim]` state patterns (queries)
 * @param k `[batch, heads, tokens, headDim]` stored patterns (keys)
 * @param v `[batch, heads, tokens, headDim]` pattern projections (values)
 * @returns `[batch, heads, tokens, headDim]`
 */
export function attentionCore(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, beta: number): tf.Tensor4D {
  return tf.tidy(() => {
    const logits = tf.mul(tf.matMul(q, k, false, true), beta);
    return tf.matMul(tf.softmax(logits, -1), v) as tf.Tensor4D;
  });
}
