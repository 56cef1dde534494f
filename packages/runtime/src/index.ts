export {
  type BackendAttempt,
  type BackendCandidate,
  type BackendChoice,
  type BackendRequest,
  DEFAULT_ORDER,
  type UseBestBackendOptions,
  useBestBackend,
} from './backend';
export { BackendUnavailableError, WasmHeapExhaustedError, WebGpuSyncReadError } from './errors';
export { guardWasmHeap, WASM_HEAP_MAX_BYTES } from './wasm/heap-guard';
export {
  registerWasmFastKernels,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  type WasmKernelReport,
} from './wasm/register';
export type { DawnApi, WebGpuAdapterSummary, WebGpuModules } from './webgpu/setup';
