/**
 * Multi-threaded tfjs-backend-wasm in Node (opt-in, see README "Threads").
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD binary but never uses it in Node, for three reasons
 * (tensorflow/tfjs: tfjs-backend-wasm/src/flags_wasm.ts, backend_wasm.ts, cc/backend.cc):
 * 1. the `WASM_HAS_MULTITHREAD_SUPPORT` flag is hard-wired to false in Node (tfjs issue #3830);
 * 2. the emscripten pthread workers are started from `blob:` URLs (the worker script and the
 *    module factory are turned into Blobs with `URL.createObjectURL`), which Node's
 *    `worker_threads` rejects (ERR_WORKER_PATH) and the worker's `importScripts` shim cannot read;
 * 3. the C++ side caps the thread pool at `emscripten_num_logical_cores() / 2`, i.e. half of
 *    `os.cpus().length`, so a 2-vCPU machine gets one thread whatever `setThreadsCount` says.
 *
 * `initWasmThreads` works around all three for the duration of the backend's initialization: it
 * sets the flag, records the two Blobs and writes them to files in a temporary directory (the
 * module factory with the bundle-level `require` aliases it refers to, the worker script told to
 * load that file), hands emscripten those paths, and reports enough cores for the requested
 * count. Everything is restored as soon as the backend is up.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

export interface WasmThreadsResult {
  requested: number;
  /** Threads the wasm backend's pool has (`getThreadsCount()`), 1 when it fell back. */
  threads: number;
  /** Why fewer threads than requested, if so. */
  detail?: string;
}

/** The module-level aliases of tf-backend-wasm.node.js 4.22.0 that the threaded factory uses. */
const BUNDLE_PRELUDE =
  "var commonjsGlobal=globalThis,require$$0=require('fs'),require$$1=require('path')," +
  "require$$3=require('perf_hooks'),require$$4=require('os');\n";
const FACTORY_PREFIX = 'var WasmBackendModuleThreadedSimd';
const SUPPORTED_VERSION = '4.22.0';

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');
/** The part of emscripten's pthread bookkeeping we touch (Node `Worker`s). */
type PThreadState = { unusedWorkers?: { unref?: () => void }[]; runningWorkers?: { unref?: () => void }[] };

/**
 * Initializes the wasm backend with `count` threads (must run before anything initialized the
 * wasm backend). Never throws: if the threaded binary cannot start, the backend is initialized
 * single-threaded as usual and `detail` says why.
 */
export async function initWasmThreads(wasm: WasmModule, count: number): Promise<WasmThreadsResult> {
  const fail = async (detail: string): Promise<WasmThreadsResult> => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
    await tf.setBackend('wasm');
    return { requested: count, threads: wasm.getThreadsCount(), detail };
  };
  if (tf.findBackend('wasm') !== null) {
    return {
      requested: count,
      threads: wasm.getThreadsCount(),
      detail: 'the wasm backend was already initialized',
    };
  }
  if (wasm.version_wasm !== SUPPORTED_VERSION) {
    return fail(
      `threads are supported with tfjs-backend-wasm ${SUPPORTED_VERSION}, found ${wasm.version_wasm}`,
    );
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'paperstack-wasm-threads-'));
  const factoryFile = join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const workerFile = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  const texts = new WeakMap<Blob, string>();
  const NativeBlob = globalThis.Blob;
  const nativeCreateObjectURL = URL.createObjectURL;
  const nativeCpus = os.cpus;
  let workerWritten = false;

  class RecordingBlob extends NativeBlob {
    constructor(
      parts: ConstructorParameters<typeof Blob>[0] = [],
      options?: ConstructorParameters<typeof Blob>[1],
    ) {
      super(parts, options);
      const text = [...parts].map((p) => (typeof p === 'string' ? p : '')).join('');
      texts.set(this, text);
      if (text.startsWith(FACTORY_PREFIX)) writeFileSync(factoryFile, BUNDLE_PRELUDE + text);
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => {
    const text = texts.get(obj);
    if (text === undefined || !text.includes('worker_threads')) return nativeCreateObjectURL(obj);
    // the worker loads the factory from our file instead of a blob
    const patched = text.replace(
      'if(typeof e.data.urlOrBlob=="string")',
      `e.data.urlOrBlob=${JSON.stringify(factoryFile)};if(true)`,
    );
    if (patched === text) throw new Error('unexpected worker script');
    writeFileSync(workerFile, patched);
    workerWritten = true;
    return workerFile;
  };
  // cc/backend.cc: threads ≤ logical cores / 2
  const cores = nativeCpus().length;
  if (cores < 2 * count) os.cpus = () => Array.from({ length: 2 * count }, (_, i) => nativeCpus()[i % cores]);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(count);
  let ok = false;
  let error = '';
  try {
    ok = await tf.setBackend('wasm');
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  } finally {
    globalThis.Blob = NativeBlob;
    URL.createObjectURL = nativeCreateObjectURL;
    os.cpus = nativeCpus;
    rmSync(dir, { recursive: true, force: true });
  }
  if (!ok || !workerWritten) {
    return fail(`threaded wasm failed to initialize${error ? `: ${error.split('\n')[0]}` : ''}`);
  }
  // The pool's workers would keep Node's event loop alive: let the process exit without them.
  const pthreads = (tf.backend() as unknown as { wasm?: { PThread?: PThreadState } }).wasm?.PThread;
  for (const w of [...(pthreads?.unusedWorkers ?? []), ...(pthreads?.runningWorkers ?? [])]) w.unref?.();
  const threads = wasm.getThreadsCount();
  return {
    requested: count,
    threads,
    detail: threads < count ? `the pool has ${threads} thread(s)` : undefined,
  };
}
