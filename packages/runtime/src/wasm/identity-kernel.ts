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

/**
 * Wasm `Cast` that shares its input's memory when the dtype does not change, as tfjs-backend-cpu's
 * `Cast` does; the published kernel (tfjs-backend-wasm/src/kernels/Cast.ts) copies. tfjs-core's
 * gradients cast to float32 what already is (e.g. both inputs in `Multiply`'s gradient): 126 such
 * copies in one MAE training step of examples/maect. Other casts keep the published kernel.
 */
function cast(args: Args & { attrs: { dtype: string } }): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype !== args.attrs.dtype || x.dtype === 'string')
    return stockConfig('Cast')!.kernelFunc(args as never) as TensorInfo;
  return identity(args);
}

export const CAST_KERNEL: KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelFunc,
};
