/**
 * Faster wasm `GatherV2` for the common case (no batch dimensions, 4-byte dtypes): the rows are
 * copied inside the wasm heap with `TypedArray.copyWithin`, one contiguous slice per index. The
 * published kernel (tensorflow/tfjs: tfjs-backend-wasm/src/cc/kernels/Gather.cc) computes every
 * element's position separately and takes ~180 ms to gather 4,096 rows of 128 floats here.
 * Index checks and their message are the published kernel's; other cases go to it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type GatherV2Attrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { f32Index, heapF32, stockConfig } from './kernel-utils';

type Args = { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: GatherV2Attrs };

function gatherV2(args: Args): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  const { axis, batchDims } = attrs;
  const published = () => stockConfig('GatherV2')!.kernelFunc(args as never) as TensorInfo;
  if ((batchDims ?? 0) !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') {
    return published();
  }
  const parsedAxis = util.parseAxisParam(axis, x.shape)[0];
  const dimSize = x.shape[parsedAxis];
  const ids = (backend.typedArrayFromHeap(indices) as Int32Array).slice();
  for (let i = 0; i < ids.length; i++) {
    const index = ids[i];
    util.assert(
      index <= dimSize - 1 && index >= 0,
      () => `GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`,
    );
  }
  const info = backend_util.segment_util.collectGatherOpShapeInfo(
    x as never,
    indices as never,
    parsedAxis,
    0,
  );
  const out = backend.makeOutput(info.outputShape, x.dtype);
  const { outerSize, sliceSize } = info;
  if (util.sizeFromShape(info.outputShape) === 0) return out;
  const data = (t: TensorInfo) => f32Index(backend.dataIdMap.get(t.dataId)!.memoryOffset);
  const heap = heapF32(backend);
  const from = data(x);
  let to = data(out);
  for (let o = 0; o < outerSize; o++) {
    const base = from + o * dimSize * sliceSize;
    for (let i = 0; i < ids.length; i++) {
      const start = base + ids[i] * sliceSize;
      heap.copyWithin(to, start, start + sliceSize);
      to += sliceSize;
    }
  }
  return out;
}

export const GATHER_KERNEL: KernelConfig = {
  kernelName: 'GatherV2',
  backendName: 'wasm',
  kernelFunc: gatherV2 as unknown as KernelFunc,
};
