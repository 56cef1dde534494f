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
