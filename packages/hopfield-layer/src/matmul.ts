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

/** Turns the wasm routing of {@link matMul} / {@link batchMatMul} off (plain `tf.matMul`). */
export const matMulRouting = { enabled: true };

const stockCache = new WeakMap<object, boolean>();

/**
 * True when the active backend is wasm with tfjs-backend-wasm's own `BatchMatMul` kernel. Apps that
 * register faster matMul kernels (e.g. @paperstack/runtime's `registerWasmFastKernels`, which
 * `useBestBackend()` installs) get plain `tf.matMul`: there the routing below only adds copies
 * (same-run A/B, [8, 1024, 64] attention forward: 270 ms plain vs 913 ms routed). The published
 * kernel is recognised by its own error message in its source; an app can also set the tfjs flag
 * `PAPERSTACK_WASM_FAST_MATMUL` to true.
 */
function stockWasmMatMul(): boolean {
  if (!matMulRouting.enabled || tf.getBackend() !== 'wasm') return false;
  if ((tf.env().getFlags() as Record<string, unknown>).PAPERSTACK_WASM_FAST_MATMUL === true) return false;
  const k = tf.getKernel('BatchMatMul', 'wasm');
  if (k == null) return false;
  let stock = stockCache.get(k);
  if (stock === undefined) {
    stock = String(k.kernelFunc).includes('BatchMatMul for non non-float32');
    stockCache.set(k, stock);
  }
  return stock;
}

/**
 * `a · b` (or `a · bᵀ` with `transposeB`), rank 2 or 3 (same batch), differentiable. Batched
 * products keep tfjs' kernels and gradients: A/B runs here showed no gain from rewriting them.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeB = false): tf.Tensor {
  if (a.rank !== 2 || !stockWasmMatMul()) return tf.matMul(a, b, false, transposeB);
  const f = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    save([x, y]);
    // Only flag-free 2D products (XNNPACK).
    const value = transposeB ? tf.matMul(x, tf.transpose(y)) : tf.matMul(x, y);
    // dB is computed transposed so that only the operands with the short dimension are transposed
    // (for ξ·V that avoids transposing the [L, S] association matrix). The tidy frees the
    // transposes now rather than at the end of the whole backward pass.
    const gradFunc = (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) =>
      tf.tidy(() =>
        transposeB
          ? [tf.matMul(dy, sb), tf.transpose(tf.matMul(tf.transpose(sa), dy))]
          : [tf.matMul(dy, tf.transpose(sb)), tf.transpose(tf.matMul(tf.transpose(dy), sa))],
      );
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(a, b);
}

/**
 * Multiply-adds per matrix from which a batched product runs faster as one XNNPACK 2D product per
 * batch entry than in tfjs-wasm's batched kernel (same-run A/B here: 2²¹ MACs per matrix
 * [64×256×32]: 172 vs 318 ms; 2²⁰ [64×128×64]: 320 vs 117 ms; 2²⁶ [8×1024×64]: 323 vs 1050 ms).
 */
export const PER_ENTRY_MIN_MACS = 1 << 21;

/**
 * Batched `a · b` / `a · bᵀ` for `[n, m, k]` operands, differentiable. On wasm, large matrices go
 * through {@link matMul} one batch entry at a time; everything else uses `tf.matMul`.
 */
export function batchMatMul(a: tf.Tensor, b: tf.Tensor, transposeB = false): tf.Tensor {
  if (a.rank !== 3 || !stockWasmMatMul()) return tf.matMul(a, b, false, transposeB);
  const [n, m, k] = a.shape as [number, number, number];
  const cols = (transposeB ? b.shape[1] : b.shape[2]) as number;
  if (m * k * cols < PER_ENTRY_MIN_MACS) return tf.matMul(a, b, false, transposeB);
  return tf.tidy(() => {
    const bShape = b.shape.slice(1) as [number, number];
    const as = n === 1 ? [a] : tf.split(a, n, 0);
    const bs = n === 1 ? [b] : tf.split(b, n, 0);
    const parts = as.map((ai, i) => matMul(tf.reshape(ai, [m, k]), tf.reshape(bs[i], bShape), transposeB));
    if (n === 1) return tf.reshape(parts[0], [1, m, cols]);
    const out = tf.reshape(tf.concat(parts, 0), [n, m, cols]);
    tf.dispose(parts); // concat's gradient needs only their shapes
    return out;
  });
}
