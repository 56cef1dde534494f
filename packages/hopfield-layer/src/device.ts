/**
 * Helpers for code that must not read tensor values synchronously on the backends where that is
 * impossible or slow: tfjs' `webgpu` backend has no synchronous read in Node (Dawn's binding has no
 * blocking buffer map; tfjs-backend-webgpu 4.22 falls back to `OffscreenCanvas`, a browser API) and
 * a slow one in browsers. There, data-dependent checks run on the device instead (see
 * `hopfieldCore`).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Test hook (not exported from the package): `true` or `false` overrides {@link canReadSync}, so
 * that the device-side paths can be tested on the cpu backend.
 */
export const deviceChecks: { forceNoSyncRead: boolean | null } = { forceNoSyncRead: null };

/**
 * Whether code should read tensors synchronously (`dataSync`, `arraySync`) on the active backend:
 * false on `webgpu`, true elsewhere (cpu, wasm, tensorflow, webgl).
 */
export function canReadSync(): boolean {
  if (deviceChecks.forceNoSyncRead != null) return !deviceChecks.forceNoSyncRead;
  return tf.getBackend() !== 'webgpu';
}

/** Identity whose gradient is zero (tfjs has no stopGradient op). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
