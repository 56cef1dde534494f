/** A backend that was asked for (by option or `PAPERSTACK_BACKEND`) could not be set up. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

/**
 * A synchronous read (`dataSync`, `arraySync`, `bufferSync`, or a kernel that reads values on the
 * CPU) of a tensor that lives on the webgpu backend in Node. tfjs-backend-webgpu 4.22 reads
 * synchronously through `OffscreenCanvas` (browser only), and Dawn's Node binding offers no
 * blocking buffer map, so only `await tensor.data()` / `tensor.array()` can read GPU tensors.
 */
export class WebGpuSyncReadError extends Error {
  override name = 'WebGpuSyncReadError';
}

/**
 * The wasm heap could not grow for an allocation: tfjs-backend-wasm's heap is a wasm32 memory of
 * at most 4 GiB (see `guardWasmHeap`). Thrown at the allocation instead of the memory corruption
 * ("memory access out of bounds") that the unchecked allocation caused later.
 */
export class WasmHeapExhaustedError extends Error {
  override name = 'WasmHeapExhaustedError';
  /**
   * @param requestedBytes the allocation that failed
   * @param heapBytes the heap's size when it failed
   * @param maxHeapBytes the most the heap can grow to
   */
  constructor(
    readonly requestedBytes: number,
    readonly heapBytes: number,
    readonly maxHeapBytes: number,
  ) {
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
    super(
      `wasm heap exhausted: allocation of ${mib(requestedBytes)} (${requestedBytes} bytes) failed with the heap at ` +
        `${mib(heapBytes)} of at most ${mib(maxHeapBytes)} (tfjs-backend-wasm is a wasm32 build); expected the tensors ` +
        'of one step to fit in the heap: use a smaller batch or model, or a native backend',
    );
  }
}

/**
 * The native backend (`tensorflow`, from `@tensorflow/tfjs-node` or `-gpu`) was asked for but its
 * binding has not been built against a TensorFlow library on this machine (or its cache is gone).
 * The message names the setup command.
 */
export class NativeBackendNotSetUpError extends BackendUnavailableError {
  override name = 'NativeBackendNotSetUpError';
}

/** What went wrong in `paperstack-native setup`, one code per cause (see the README's table). */
export type NativeSetupProblem =
  | 'unsupported-platform'
  | 'no-tfjs-node'
  | 'no-python'
  | 'no-pip'
  | 'no-compiler'
  | 'download-failed'
  | 'not-a-wheel'
  | 'wrong-platform'
  | 'wrong-python'
  | 'no-c-api'
  | 'build-failed'
  | 'load-failed';

/** `paperstack-native setup` could not set the native backend up; `message` is one sentence. */
export class NativeSetupError extends Error {
  override name = 'NativeSetupError';
  /**
   * @param problem which cause (stable, for programs)
   * @param message what is wrong and what to do, one sentence
   */
  constructor(
    readonly problem: NativeSetupProblem,
    message: string,
  ) {
    super(message);
  }
}
