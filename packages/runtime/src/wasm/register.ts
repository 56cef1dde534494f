import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  engine,
  getKernel,
  type KernelConfig,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { CONV_INPUT_KERNEL } from './conv-input-kernel';
import { GATHER_KERNEL } from './gather-kernel';
import { guardWasmHeap } from './heap-guard';
import { CAST_KERNEL, IDENTITY_KERNEL } from './identity-kernel';
import { captureStock, stockConfig } from './kernel-utils';
import { MATMUL_KERNELS } from './matmul-kernels';
import { SLICE_KERNEL, SPLITV_KERNEL } from './slice-kernels';
import { TRAINING_KERNELS } from './training-kernels';

/** What a `registerWasm…Kernels()` call did. */
export interface WasmKernelReport {
  /** Kernels now served by @paperstack/runtime. */
  registered: string[];
  /** Kernels left alone, with why (already ours, or the wasm backend has its own). */
  skipped: { kernel: string; reason: string }[];
}

const ours = new WeakSet<KernelConfig>();
const isOurs = (c: KernelConfig) => ours.has(c);

/** Guards the heap of the wasm backend if it is initialized already (else the setupFuncs will). */
function guardInitializedWasm(): void {
  const backend = engine().registry.wasm as BackendWasm | undefined;
  if (backend !== undefined) guardWasmHeap(backend);
}

function install(config: KernelConfig, replaceStock: boolean, report: WasmKernelReport) {
  const name = config.kernelName;
  const current = getKernel(name, 'wasm');
  if (current !== undefined && isOurs(current)) {
    report.skipped.push({ kernel: name, reason: 'already registered' });
    return;
  }
  if (current !== undefined && !replaceStock) {
    report.skipped.push({ kernel: name, reason: 'the wasm backend has its own' });
    return;
  }
  const stock = captureStock(name, isOurs);
  // Keep the published kernel's setup (it binds its wasm function when the backend initializes);
  // ours call the published kernel for the cases it already does fast.
  // (and guard the heap of a wasm backend initialized after this, see heap-guard.ts)
  const mine: KernelConfig = {
    ...config,
    setupFunc: (backend) => {
      guardWasmHeap(backend as BackendWasm);
      stock?.setupFunc?.(backend);
    },
    disposeFunc: stock?.disposeFunc,
  };
  ours.add(mine);
  if (current !== undefined) unregisterKernel(name, 'wasm');
  registerKernel(mine);
  report.registered.push(name);
}

/**
 * Adds the wasm kernels that training needs and tfjs-backend-wasm 4.22 lacks —
 * `Conv2DBackpropFilter` (gradients of conv2d and conv2dTranspose),
 * `DepthwiseConv2dNativeBackpropFilter/Input` and `UnsortedSegmentSum` (gradient of gather,
 * i.e. embeddings) — only where the backend has none — and makes a full wasm heap throw
 * `WasmHeapExhaustedError` (`guardWasmHeap`). Idempotent; `useBestBackend()` calls it
 * when it picks wasm. Works before or after `tf.setBackend('wasm')`.
 */
export function registerWasmTrainingKernels(): WasmKernelReport {
  guardInitializedWasm();
  const report: WasmKernelReport = { registered: [], skipped: [] };
  for (const k of TRAINING_KERNELS) install(k, false, report);
  return report;
}

const FAST_KERNELS = [
  ...MATMUL_KERNELS,
  CONV_INPUT_KERNEL,
  GATHER_KERNEL,
  IDENTITY_KERNEL,
  CAST_KERNEL,
  SLICE_KERNEL,
  SPLITV_KERNEL,
];

/**
 * Replaces published wasm kernels that training leans on with faster ones built on XNNPACK:
 * `BatchMatMul` and `_FusedMatMul` (the published ones use XNNPACK only for unbatched,
 * untransposed products; same results, broadcasting, bias and activations) and
 * `Conv2DBackpropInput` (a direct loop in the published backend; here forward convolutions) and
 * `GatherV2` (embedding lookups; row copies inside the wasm heap) and `Identity` (shares memory
 * instead of copying: the gradient tape clones every tensor it saves, weights included) and `Cast`
 * to the same dtype (shares memory too) and `Slice` / `SplitV` (a contiguous slice copies only itself,
 * not the whole input).
 * Idempotent; `useBestBackend()` calls it when it picks wasm.
 */
export function registerWasmFastKernels(): WasmKernelReport {
  guardInitializedWasm();
  const report: WasmKernelReport = { registered: [], skipped: [] };
  for (const k of FAST_KERNELS) install(k, true, report);
  return report;
}

/** Puts back the kernels tfjs-backend-wasm registered itself and removes the ones we added. */
export function restoreStockWasmKernels(): void {
  for (const k of [...TRAINING_KERNELS, ...FAST_KERNELS]) {
    const current = getKernel(k.kernelName, 'wasm');
    if (current === undefined || !isOurs(current)) continue;
    unregisterKernel(k.kernelName, 'wasm');
    const stock = stockConfig(k.kernelName);
    if (stock !== undefined) registerKernel(stock);
  }
}
