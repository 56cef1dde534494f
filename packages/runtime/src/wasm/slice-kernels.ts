/**
 * Wasm `Slice` and `SplitV` whose contiguous slices copy only the slice. The published `Slice`
 * (tfjs-backend-wasm/src/kernels/Slice.ts) starts with `backend.readSync(x)`, a copy of the whole
 * input out of the heap, for every slice; its `SplitV` is one such slice per part. Splitting the
 * 220k-element flat update of `@paperstack/nnclr`'s AdamW into a MAE model's 92 variables took 11 ms
 * that way (tf.profile) — 92 copies of the whole input. Non-contiguous slices and strings keep the
 * published kernel.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type SliceAttrs,
  type SplitVAttrs,
  slice_util,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { stockConfig } from './kernel-utils';

type SliceArgs = { inputs: { x: TensorInfo }; attrs: SliceAttrs; backend: BackendWasm };

function slice(args: SliceArgs): TensorInfo {
  const { x } = args.inputs;
  const [begin, size] = slice_util.parseSliceParams(x, args.attrs.begin, args.attrs.size);
  if (x.dtype === 'string' || !slice_util.isSliceContinous(x.shape, begin, size))
    return stockConfig('Slice')!.kernelFunc(args as never) as TensorInfo;
  const offset = slice_util.computeFlatOffset(begin, util.computeStrides(x.shape));
  const out = args.backend.makeOutput(size, x.dtype);
  // views taken after makeOutput: allocating may grow the heap, which detaches older views
  const n = util.sizeFromShape(size);
  args.backend.typedArrayFromHeap(out).set(args.backend.typedArrayFromHeap(x).subarray(offset, offset + n));
  return out;
}

function splitV(args: { inputs: { x: TensorInfo }; attrs: SplitVAttrs; backend: BackendWasm }): TensorInfo[] {
  const { x } = args.inputs;
  const axis = util.parseAxisParam(args.attrs.axis, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits, axis);
  const begin: number[] = new Array(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = slice({ inputs: { x }, attrs: { begin: [...begin], size }, backend: args.backend });
    begin[axis] += s;
    return out;
  });
}

export const SLICE_KERNEL: KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: slice as unknown as KernelFunc,
};

export const SPLITV_KERNEL: KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: splitV as unknown as KernelFunc,
};
