import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { setupWebGpu } from '../src/webgpu/setup';
import type { Data } from './compare';

/**
 * Sets up the webgpu backend on whatever Dawn adapter exists (software allowed) for the parity
 * tests. Returns why not when it cannot (no `webgpu` package, no Mesa, no adapter), so the suite
 * can skip with that message instead of failing on machines without them.
 */
export async function webgpuOrWhyNot(): Promise<string | undefined> {
  const why = await whyNoWebGpu();
  // CI sets this after installing Mesa, so that a broken setup fails instead of skipping.
  if (why && process.env.PAPERSTACK_REQUIRE_WEBGPU === '1') {
    throw new Error(`PAPERSTACK_REQUIRE_WEBGPU=1 but the webgpu backend is unavailable: ${why}`);
  }
  return why;
}

async function whyNoWebGpu(): Promise<string | undefined> {
  try {
    const setup = await setupWebGpu({ allowSoftware: true });
    const ok = await tf.setBackend('webgpu');
    if (!ok) return 'tf.setBackend("webgpu") failed (see the warning above)';
    await tf.setBackend('cpu');
    const a = setup.adapter;
    console.log(`webgpu parity: adapter ${a.device || a.description} via ${a.api} (${a.featureLevel})`);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
}

export type Out = { shape: number[]; values: Float32Array | Int32Array }[];

/** Runs `f` on `backend` with `inputs` made into tensors there; plain arrays out, nothing kept. */
export async function runOn(
  backend: 'cpu' | 'webgpu',
  inputs: Data[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Out> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => {
    const xs = inputs.map((d) => tf.tensor(d.values, d.shape, d.dtype));
    const out = f(...xs);
    return Array.isArray(out) ? out : [out];
  });
  const result: Out = [];
  for (const t of outs)
    result.push({ shape: t.shape, values: (await t.data()) as Float32Array | Int32Array });
  tf.dispose(outs);
  expect(tf.memory().numTensors, `tensors left on ${backend}`).toBe(before);
  return result;
}

/**
 * Runs `f` on cpu and on webgpu and compares every output: same shapes, and
 * |gpu − cpu| ≤ atol + rtol·|cpu| with atol scaled by the output's largest magnitude (float32
 * sums of K terms differ by order K·eps·scale between summation orders).
 */
export async function expectParity(
  inputs: Data[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  { rtol = 1e-4, atol = 1e-4 }: { rtol?: number; atol?: number } = {},
): Promise<void> {
  const want = await runOn('cpu', inputs, f);
  const got = await runOn('webgpu', inputs, f);
  expect(got.length).toBe(want.length);
  for (let o = 0; o < want.length; o++) {
    expect(got[o].shape, `output ${o} shape`).toEqual(want[o].shape);
    let scale = 0;
    for (const v of want[o].values) scale = Math.max(scale, Math.abs(v));
    const tol = atol * Math.max(1, scale);
    let worst = 0;
    let at = -1;
    for (let i = 0; i < want[o].values.length; i++) {
      const w = want[o].values[i];
      const err = Math.abs(got[o].values[i] - w) - rtol * Math.abs(w);
      if (!(err <= worst)) {
        worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
        at = i;
      }
    }
    expect(
      worst,
      `output ${o}: element ${at}: webgpu ${got[o].values[at]} vs cpu ${want[o].values[at]} (tolerance ${tol})`,
    ).toBeLessThanOrEqual(tol);
  }
}

/** A model for {@link adamLosses}: its variables, its loss at a step, and how to free it. */
export interface TrainableCase {
  vars: tf.Variable[];
  loss: (step: number) => tf.Scalar;
  dispose: () => void;
}

/**
 * `steps` Adam steps (learning rate `learningRate`) of `build()`'s loss on `backend`; the losses are
 * read asynchronously (webgpu in Node has no synchronous read), and no tensors may be left behind.
 */
export async function adamLosses(
  backend: 'cpu' | 'webgpu',
  build: () => TrainableCase,
  steps: number,
  learningRate: number,
): Promise<number[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const model = build();
  const optimizer = tf.train.adam(learningRate);
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const value = optimizer.minimize(() => model.loss(s), true, model.vars) as tf.Scalar;
    out.push((await value.data())[0]);
    value.dispose();
  }
  optimizer.dispose();
  model.dispose();
  expect(tf.memory().numTensors, `tensors left on ${backend}`).toBe(before);
  return out;
}

/** Same length, finite, and every webgpu value within `rtol` (+1e-6) of the cpu value. */
export function expectSameValues(gpu: number[], cpu: number[], rtol: number, what: string): void {
  expect(gpu.length).toBe(cpu.length);
  gpu.forEach((l, i) => {
    expect(Number.isFinite(l), `${what} step ${i}: ${l}`).toBe(true);
    expect(Math.abs(l - cpu[i]), `${what} step ${i}: webgpu ${l} vs cpu ${cpu[i]}`).toBeLessThanOrEqual(
      rtol * Math.abs(cpu[i]) + 1e-6,
    );
  });
}
