import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core alone registers no gradients; tfjs-layers registers all of them (DESIGN.md).
import '@tensorflow/tfjs-layers';
// Resolved to runtime's source by the vitest alias (vitest.shared.ts) — not a package dependency,
// since runtime's own tests use test-utils (a dependency would be a cycle).
import {
  nativeStatus,
  registerWasmFastKernels,
  registerWasmTrainingKernels,
  useBestBackend,
} from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';

/**
 * `tensorflow` is the native backend: `@tensorflow/tfjs-node` built by `pnpm native:setup`
 * against TensorFlow 2.21 (packages/runtime/README.md).
 */
export type TestBackend = 'cpu' | 'wasm' | 'tensorflow';

/**
 * Whether the native backend takes part: when `pnpm native:setup` has built it on this machine.
 * CI sets `PAPERSTACK_REQUIRE_NATIVE=1` after running the setup, so that a broken setup fails
 * every suite instead of silently dropping the third backend.
 */
function nativeBackends(): TestBackend[] {
  const status = nativeStatus('cpu');
  if (status.ready) return ['tensorflow'];
  if (process.env.PAPERSTACK_REQUIRE_NATIVE === '1') {
    throw new Error(`PAPERSTACK_REQUIRE_NATIVE=1 but the native backend is not set up: ${status.detail}`);
  }
  return [];
}

/** The backends every package is tested on: cpu, wasm, and the native one when set up. */
export const TEST_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm', ...nativeBackends()];

/**
 * Switches the global tfjs engine to `name` and waits until it is ready. On wasm it registers
 * @paperstack/runtime's training and fast kernels, as `useBestBackend()` does for apps: tests run
 * what users run. `tensorflow` is loaded through `useBestBackend` as apps load it.
 */
export async function useBackend(name: TestBackend): Promise<void> {
  if (name === 'tensorflow') {
    if (tf.findBackendFactory('tensorflow') === null) {
      await useBestBackend({ backend: 'tensorflow', log: false });
    }
  }
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
 * Declares `body` once per backend, as `describe('<title> [cpu]')`, `[wasm]` and (when set up)
 * `[tensorflow]`, each switching the engine to its backend before its tests run. Vitest runs a
 * file's suites in order, so each suite's tests see their own backend.
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
