export {
  type BackendAttempt,
  type BackendCandidate,
  type BackendChoice,
  type BackendRequest,
  DEFAULT_ORDER,
  NATIVE_ENV_DEFAULTS,
  type UseBestBackendOptions,
  useBestBackend,
} from './backend';
export {
  BackendUnavailableError,
  NativeBackendNotSetUpError,
  NativeSetupError,
  type NativeSetupProblem,
  WasmHeapExhaustedError,
  WebGpuSyncReadError,
} from './errors';
export {
  type NativeSetupOptions,
  type NativeSetupResult,
  setupNative,
} from './native/setup';
export {
  type BuildMarker,
  type NativeStatus,
  type NativeVariant,
  nativeCacheRoot,
  nativeStatus,
  SETUP_COMMAND,
  TENSORFLOW_VERSION,
  tensorflowCacheDir,
} from './native/status';
export { guardWasmHeap, WASM_HEAP_MAX_BYTES } from './wasm/heap-guard';
export {
  registerWasmFastKernels,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  type WasmKernelReport,
} from './wasm/register';
export type { DawnApi, WebGpuAdapterSummary, WebGpuModules } from './webgpu/setup';
