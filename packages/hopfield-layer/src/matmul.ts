/**
 * Matrix products for the hot paths, with gradients that avoid slow kernel forms.
 *
 * tfjs-backend-wasm 4.22 runs a 2D `matMul` without transpose flags on XNNPACK (fast) but any
 * transposed 2D product and the batched `transposeA` form on a slow generic loop (measured here:
 * `xᵀ·dy` for x `[4096, 256]` 851 ms with `transposeA` vs 78 ms as `transpose(x)·dy`). tfjs' own
 * gradient of `matMul` uses exactly those slow forms, so on wasm these helpers compute the same
 * 2D products with explicit transposes instead (fwd+bwd of that product: 1418 ms → 179 ms, same
 * machine and run). Other backends use `tf.matMul`.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `a · b` (or `a · bᵀ` with `transposeB`), rank 2 or 3 (same batch), differentiable. Batched
 * products keep tfjs' kernels and gradients: A/B runs here showed no gain from rewriting them.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeB = false): tf.Tensor {
  if (tf.getBackend() !== 'wasm' || a.rank !== 2) return tf.matMul(a, b, false, transposeB);
  const f = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    save([x, y]);
    // Only flag-free 2D products (XNNPACK).
    const value = transposeB ? tf.matMul(x, tf.transpose(y)) : tf.matMul(x, y);
    const gradFunc = (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) =>
      transposeB
        ? [tf.matMul(dy, sb), tf.transpose(tf.matMul(tf.transpose(sa), dy))]
        : [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(a, b);
}
