import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  guardWasmHeap,
  registerWasmFastKernels,
  restoreStockWasmKernels,
  WASM_HEAP_MAX_BYTES,
  WasmHeapExhaustedError,
} from '../src/index';
import { f32Index } from '../src/wasm/kernel-utils';
import { setupBackends } from './compare';

/**
 * Regression tests for the ViT-B/16 training step that failed on wasm with "memory access out of
 * bounds" (bench/NOTES.md, "ViT-B on wasm"): the tape's clones copied every saved tensor, offsets
 * above 2 GiB turned negative, and the exhausted heap went unnoticed until it was corrupted.
 */
beforeAll(async () => {
  await setupBackends(); // registers before the wasm backend initializes: the setupFuncs guard it
  await tf.setBackend('wasm');
});
afterAll(() => tf.setBackend('cpu'));

const buffers = () => (tf.backend() as BackendWasm).numDataIds();

describe('wasm Identity (engine.clone, the gradient tape’s saved tensors)', () => {
  it('shares the input’s memory, and the values outlive the original', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const before = buffers();
    const y = tf.clone(x);
    expect(buffers()).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(buffers()).toBe(before - 1);
  });

  it('records a matMul on a weight without copying the weight', () => {
    const w = tf.variable(tf.randomNormal([64, 64], 0, 1, 'float32', 1));
    const x = tf.randomNormal([4, 64], 0, 1, 'float32', 2);
    const bytesOf = (f: () => void) => {
      // the tape's saved tensors are alive inside the gradient call: count live heap buffers there
      let inside = 0;
      const before = buffers();
      const { value, grads } = tf.variableGrads(() => {
        const y = tf.sum(tf.matMul(x, w)) as tf.Scalar;
        inside = buffers() - before;
        f();
        return y;
      }, [w]);
      tf.dispose([value, grads[w.name]]);
      return inside;
    };
    const shared = bytesOf(() => {});
    restoreStockWasmKernels();
    const copied = bytesOf(() => {});
    registerWasmFastKernels();
    // inside the call: the product and the sum; the published Identity adds a copy of every
    // tensor saved for the backward pass (x and the weight among them), ours shares them
    expect(shared).toBe(2);
    expect(copied).toBeGreaterThanOrEqual(shared + 2);
    tf.dispose([w, x]);
  });

  it('Cast to the same dtype shares the input too; other casts convert', () => {
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const before = buffers();
    const same = tf.cast(x, 'float32');
    expect(buffers()).toBe(before);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
    const ints = tf.cast(same, 'int32');
    expect([ints.dtype, Array.from(ints.dataSync())]).toEqual(['int32', [1, -2, 3]]);
    tf.dispose([same, ints]);
  });

  it('keeps string tensors on the published path', () => {
    const s = tf.tensor1d(['a', 'b'], 'string');
    const c = tf.clone(s);
    expect(c.arraySync()).toEqual(['a', 'b']);
    tf.dispose([s, c]);
  });

  it('gives the same gradients as the cpu backend through a variable update', () => {
    const grad = () =>
      tf.tidy(() => {
        const w = tf.variable(tf.tensor2d([0.5, -1, 2, 0.25], [2, 2]));
        const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
        const step = () => tf.variableGrads(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar, [w]);
        const g1 = step().grads[w.name];
        w.assign(tf.sub(w, tf.mul(g1, 0.01))); // the saved clone of w must keep the old values
        const g2 = step().grads[w.name];
        const out = [Array.from(g1.dataSync()), Array.from(g2.dataSync())];
        w.dispose();
        return out;
      });
    const wasm = grad();
    tf.setBackend('cpu');
    const cpu = grad();
    tf.setBackend('wasm');
    expect(wasm).toEqual(cpu);
  });
});

describe('wasm heap limit', () => {
  it('throws WasmHeapExhaustedError where tfjs allocates, and the backend stays usable', () => {
    // emscripten's malloc returns 0 when the heap cannot grow; simulate that for one allocation
    // (a real one needs ~4 GiB of memory) through the guard's setter, which replaces the raw
    // function behind the check, as emscripten's glue does
    const module = (tf.backend() as BackendWasm).wasm as unknown as {
      _malloc: (bytes: number) => number;
      asm: { malloc: (bytes: number) => number };
    };
    const raw = module.asm.malloc;
    const before = buffers();
    module._malloc = () => 0;
    let caught: unknown;
    try {
      tf.fill([1000], 1);
    } catch (err) {
      caught = err;
    } finally {
      module._malloc = raw;
    }
    expect(caught).toBeInstanceOf(WasmHeapExhaustedError);
    expect((caught as WasmHeapExhaustedError).requestedBytes).toBe(4000);
    expect((caught as WasmHeapExhaustedError).maxHeapBytes).toBe(WASM_HEAP_MAX_BYTES);
    expect(String(caught)).toMatch(
      /wasm heap exhausted: allocation of 0 MiB \(4000 bytes\) failed .* at most 4096 MiB/,
    );
    expect(buffers()).toBe(before);
    const y = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(y.dataSync())).toEqual([4, 6]);
    y.dispose();
  });

  it('guards a module whose lazy malloc export replaces itself on first call (emscripten glue)', () => {
    const raw = (bytes: number) => (bytes > 100 ? 0 : 8);
    const module: { _malloc: (bytes: number) => number; HEAPU8: Uint8Array } = {
      _malloc(bytes: number) {
        module._malloc = raw; // what emscripten's `var _malloc = Module._malloc = function () {…}` does
        return raw(bytes);
      },
      HEAPU8: new Uint8Array(16),
    };
    guardWasmHeap({ wasm: module } as unknown as BackendWasm);
    expect(module._malloc(4)).toBe(8);
    expect(module._malloc(4)).toBe(8);
    expect(() => module._malloc(1000)).toThrow(WasmHeapExhaustedError);
    guardWasmHeap({ wasm: module } as unknown as BackendWasm); // idempotent
    expect(() => module._malloc(1000)).toThrow(WasmHeapExhaustedError);
  });

  it('indexes float32s above 2 GiB of the heap without a sign flip', () => {
    expect(f32Index(2 ** 31 + 8)).toBe(2 ** 29 + 2);
    expect(f32Index(WASM_HEAP_MAX_BYTES - 4)).toBe(WASM_HEAP_MAX_BYTES / 4 - 1);
    expect(f32Index(16)).toBe(4);
  });
});
