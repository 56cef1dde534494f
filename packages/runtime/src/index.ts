export {
  type BackendAttempt,
  type BackendCandidate,
  type BackendChoice,
  type BackendRequest,
  DEFAULT_ORDER,
  type UseBestBackendOptions,
  useBestBackend,
} from './backend';
export { BackendUnavailableError, WebGpuSyncReadError } from './errors';
export {
  registerWasmFastKernels,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  type WasmKernelReport,
} from './wasm/register';
export type { DawnApi, WebGpuAdapterSummary, WebGpuModules } from './webgpu/setup';
