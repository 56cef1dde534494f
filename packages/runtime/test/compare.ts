import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmFastKernels, registerWasmTrainingKernels } from '../src/index';

/** Plain data of a tensor, so that values can cross backends. */
export interface Data {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: number[];
}

export function data(shape: number[], values: number[], dtype: 'float32' | 'int32' = 'float32'): Data {
  return { shape, dtype, values };
}

/** Deterministic pseudo-random values in [-1, 1) (a fast-check seed in, reproducible data out). */
export function randomData(shape: number[], seed: number): Data {
  let s = seed >>> 0 || 1;
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = s / 2 ** 31 - 1;
  }
  return { shape, dtype: 'float32', values };
}

export async function setupBackends(): Promise<void> {
  registerWasmTrainingKernels();
  registerWasmFastKernels();
  await tf.setBackend('wasm');
  await tf.setBackend('cpu');
}

/**
 * Runs `f` on `backend` with the inputs made into tensors there; returns the outputs as plain
 * arrays and disposes everything.
 */
export function runOn(
  backend: 'cpu' | 'wasm',
  inputs: Data[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): { shape: number[]; values: Float32Array | Int32Array }[] {
  if (tf.getBackend() !== backend) tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((d) => tf.tensor(d.values, d.shape, d.dtype));
    const out = f(...xs);
    return (Array.isArray(out) ? out : [out]).map((t) => ({
      shape: t.shape,
      values: t.dataSync() as Float32Array | Int32Array,
    }));
  });
}

/** Largest |x| of the arrays (for tolerances that scale with the data). */
export function scale(...arrays: ArrayLike<number>[]): number {
  let m = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
