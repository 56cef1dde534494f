import * as tf from '@tensorflow/tfjs-core';

/**
 * Row-wise L2 normalisation `x / max(‖x‖₂, eps)` along the last axis, with PyTorch's
 * `F.normalize` floor (eps = 1e-12) so that a zero row stays zero instead of becoming NaN.
 * Differentiable; uses no gather.
 */
export function l2Normalize<T extends tf.Tensor>(x: T, eps = 1e-12): T {
  return tf.tidy(() => {
    // max(‖x‖, eps) written as sqrt(max(‖x‖², eps²)): same value, and a zero row gets a zero
    // gradient instead of sqrt's 0/0.
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), eps * eps));
    return tf.div(x, norm) as T;
  });
}
