/**
 * Wasm `Identity` that shares its input's memory (a reference count, as the published wasm
 * `Reshape` and tfjs-backend-cpu's `Identity` do) instead of copying it. The published kernel
 * (tensorflow/tfjs: tfjs-backend-wasm/src/kernels/Identity.ts) allocates and copies; tfjs-core's
 * gradient tape calls it through `engine.clone` for every tensor a kernel saves for its backward
 * pass (`saveTensorsForBackwardMode`, and the saved outputs), weights included. A ViT-B/16 encoder
 * step at batch 2 thereby made ~14 weight-sized copies per block and passed the 4 GiB wasm32 heap
 * (bench/NOTES.md, "ViT-B on wasm"). No wasm kernel writes into its inputs, so sharing is safe.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockConfig } from './kernel-utils';

type Args = { inputs: { x: TensorInfo }; backend: BackendWasm };

function identity(args: Args): TensorInfo {
  const { x } = args.inputs;
  // strings live in JS, not on the heap: the published kernel handles them
  if (x.dtype === 'string') return stockConfig('Identity')!.kernelFunc(args as never) as TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const IDENTITY_KERNEL: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
