import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core alone registers no gradients; tfjs-layers registers all of them (DESIGN.md).
import '@tensorflow/tfjs-layers';
// Resolved to runtime's source by the vitest alias (vitest.shared.ts) — not a package dependency,
// since runtime's own tests use test-utils (a dependency would be a cycle).
import { registerWasmFastKernels, registerWasmTrainingKernels } from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';

export type TestBackend = 'cpu' | 'wasm';

/** The backends every package is tested on (DESIGN.md: CI runs wasm and cpu). */
export const TEST_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm'];

/**
 * Switches the global tfjs engine to `name` and waits until it is ready. On wasm it registers
 * @paperstack/runtime's training and fast kernels, as `useBestBackend()` does for apps: tests run
 * what users run.
 */
export async function useBackend(name: TestBackend): Promise<void> {
  if (name === 'wasm') {
    registerWasmTrainingKernels();
    registerWasmFastKernels();
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`test-utils: backend '${name}' failed to initialize`);
  }
  await tf.ready();
}

/**
 * Declares `body` once per backend, as `describe('<title> [cpu]')` and `[wasm]`, each switching
 * the engine to its backend before its tests run. Vitest runs a file's suites in order, so each
 * suite's tests see their own backend.
 */
export function describeBackends(
  title: string,
  body: (backend: TestBackend) => void,
  backends: readonly TestBackend[] = TEST_BACKENDS,
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(() => useBackend(backend));
      body(backend);
    });
  }
}
