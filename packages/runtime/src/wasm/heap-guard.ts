/**
 * Turns an exhausted wasm heap into an error instead of memory corruption.
 *
 * tfjs-backend-wasm 4.22 is a wasm32 build whose heap grows up to 4 GiB (`getHeapMax()` =
 * 4,294,901,760 bytes in its emscripten glue). When an allocation does not fit, emscripten's
 * `malloc` returns 0, and `BackendWasm.write` (tfjs-backend-wasm/src/backend_wasm.ts) registers the
 * new tensor at address 0 without checking: the next kernel writes over the start of the heap and
 * the process fails later, somewhere else, with "memory access out of bounds" or "Aborted()".
 * This is how a ViT-B/16 training step failed on wasm (bench/NOTES.md, "ViT-B on wasm").
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmHeapExhaustedError } from '../errors';

/** tfjs-backend-wasm 4.22's maximum heap (its emscripten glue's `getHeapMax()`). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

type Malloc = (bytes: number) => number;
interface WasmModule {
  _malloc: Malloc;
  HEAPU8?: Uint8Array;
}

const guarded = new WeakSet<object>();

/**
 * Makes `backend`'s heap allocations throw {@link WasmHeapExhaustedError} when they fail.
 * Idempotent. `registerWasmTrainingKernels` / `registerWasmFastKernels` (and so `useBestBackend`)
 * call it for the wasm backend; call it yourself only if you set up the wasm backend without them.
 */
export function guardWasmHeap(backend: BackendWasm): void {
  const module = backend.wasm as unknown as WasmModule;
  if (guarded.has(module)) return;
  let inner = module._malloc;
  const malloc: Malloc = (bytes) => {
    const at = inner(bytes);
    if (at === 0 && bytes > 0) {
      throw new WasmHeapExhaustedError(bytes >>> 0, module.HEAPU8?.length ?? 0, WASM_HEAP_MAX_BYTES);
    }
    return at;
  };
  // emscripten's lazy export stub replaces `Module._malloc` with the raw export on its first call:
  // the setter takes that replacement as the inner function and keeps the check in front of it
  Object.defineProperty(module, '_malloc', {
    configurable: true,
    enumerable: true,
    get: () => malloc,
    set: (f: Malloc) => {
      inner = f;
    },
  });
  guarded.add(module);
}
