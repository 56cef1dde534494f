import { hopfieldCore } from '@paperstack/hopfield-layer';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The attention core every ViT block calls (the one place to switch implementations):
 * per head, `softmax(β · q kᵀ) v` with `β = 1/sqrt(headDim)` — exactly one Hopfield update with the
 * state patterns `q` retrieving from the stored patterns `k` and the result projected through `v`
 * (Ramsauer et al. 2021, Eq. 10: transformer attention is the update rule with β = 1/√d_k). Built on
 * `hopfieldCore` of @paperstack/hopfield-layer with `updateStepsMax: 0` (the first softmax only).
 *
 * @param q `[batch, heads, tokens, headDim]` state patterns (queries)
 * @param k `[batch, heads, tokens, headDim]` stored patterns (keys)
 * @param v `[batch, heads, tokens, headDim]` pattern projections (values)
 * @returns `[batch, heads, tokens, headDim]`
 */
export function attentionCore(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, beta: number): tf.Tensor4D {
  const { output, association } = hopfieldCore(q, k, v, { scaling: beta, updateStepsMax: 0 });
  association.dispose();
  return output;
}
