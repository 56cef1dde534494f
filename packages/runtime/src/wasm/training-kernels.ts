/**
 * Training kernels that tfjs-backend-wasm 4.22 lacks (tensorflow/tfjs#8474, #8082), built from its
 * own kernels (Transpose, Reshape, Slice, PadV2, Reverse, Sum, Conv2D, DepthwiseConv2dNative,
 * GatherV2, ScatterNd), so the data never leaves the wasm heap.
 *
 * Semantics follow the cpu backend (tensorflow/tfjs: tfjs-backend-cpu/src/kernels/
 * Conv2DBackpropFilter.ts, DepthwiseConv2dNativeBackpropFilter.ts,
 * DepthwiseConv2dNativeBackpropInput.ts, UnsortedSegmentSum.ts); the shape bookkeeping uses
 * tfjs-core's own `backend_util.computeConv2DInfo`, as every backend does.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { byPhases } from './conv-input-kernel';
import { correlate } from './correlate';
import { type KernelScope, withScope } from './kernel-utils';

type Args<A> = { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: A };

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function assertShape(kernel: string, arg: string, actual: readonly number[], expected: readonly number[]) {
  util.assert(
    sameShape(actual, expected),
    () => `Error in ${kernel}: ${arg} must have shape [${expected}], received [${actual}].`,
  );
}

/** Every named input must be a rank-4 float32 tensor (ranks checked first, then dtypes). */
function assertFloat4D(kernel: string, named: Record<string, TensorInfo>) {
  for (const [arg, t] of Object.entries(named)) {
    util.assert(
      t.shape.length === 4,
      () => `Error in ${kernel}: ${arg} must be rank 4, received rank ${t.shape.length} ([${t.shape}]).`,
    );
  }
  for (const [arg, t] of Object.entries(named)) {
    util.assert(
      t.dtype === 'float32',
      () => `Error in ${kernel}: ${arg} must be float32 on the wasm backend, received ${t.dtype}.`,
    );
  }
}

/**
 * dW[p,q,c,o] = Σ_{n,i,j} x[n, i·sh + p − top, j·sw + q − left, c] · dy[n,i,j,o].
 * Read with the batch as the reduction channel, that is one forward convolution of
 * x[c,h,w,n] (batch c) with dy[i,j,n,o] as a filter, dilated by the strides.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: Args<Conv2DBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const kernel = 'Conv2DBackpropFilter';
  assertFloat4D(kernel, { x, dy });
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  assertShape(kernel, 'dy', dy.shape, info.outShape);
  return withScope(backend, (s) => {
    // x: [n,h,w,c] (or [n,c,h,w]) → [c,h,w,n];  dy: [n,oh,ow,o] (or [n,o,oh,ow]) → [oh,ow,n,o]
    const xT = s.transpose(x, format === 'channelsFirst' ? [1, 2, 3, 0] : [3, 1, 2, 0]);
    const dyT = s.transpose(dy, format === 'channelsFirst' ? [2, 3, 0, 1] : [1, 2, 0, 3]);
    const out = correlate(s, xT, dyT, {
      kernel: 'Conv2D',
      stride: [1, 1],
      dilation: [info.strideHeight, info.strideWidth],
      outHeight: info.filterHeight,
      outWidth: info.filterWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    });
    // [c,fh,fw,o] → [fh,fw,c,o]
    return s.transpose(out, [1, 2, 0, 3]);
  });
}

/**
 * dW[p,q,c,k] = Σ_{n,i,j} x[n, i·sh + p·dh − top, j·sw + q·dw − left, c] · dy[n,i,j,c·m+k].
 * With batch and channel folded into the channels of one image, that is one depthwise
 * convolution of x[1,h,w,(n,c)] with dy[i,j,(n,c),k] (strided by the dilations, dilated by the
 * strides), summed over n.
 */
function depthwiseBackpropFilter({
  inputs,
  backend,
  attrs,
}: Args<DepthwiseConv2dNativeBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const kernel = 'DepthwiseConv2dNativeBackpropFilter';
  assertFloat4D(kernel, { x, dy });
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  assertShape(kernel, 'dy', dy.shape, info.outShape);
  const [n, h, w, c] = x.shape;
  const m = filterShape[3];
  const [, oh, ow] = dy.shape;
  return withScope(backend, (s) => {
    const xT = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
    const dy5 = s.reshape(dy, [n, oh, ow, c, m]);
    const dyT = s.reshape(s.transpose(dy5, [1, 2, 0, 3, 4]), [oh, ow, n * c, m]);
    const out = correlate(s, xT, dyT, {
      kernel: 'DepthwiseConv2dNative',
      stride: [info.dilationHeight, info.dilationWidth],
      dilation: [info.strideHeight, info.strideWidth],
      outHeight: info.filterHeight,
      outWidth: info.filterWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    });
    // [1,fh,fw,(n,c,k)] → Σ_n → [fh,fw,c,k]
    const perBatch = s.reshape(out, [info.filterHeight, info.filterWidth, n, c * m]);
    const summed = n === 1 ? perBatch : s.run('Sum', { x: perBatch }, { axis: [2], keepDims: false });
    return s.reshape(summed, filterShape);
  });
}

/** dy with (stride − 1) zeros after every row and column: [n, oh·sh, ow·sw, ch]. */
export function spreadByStride(s: KernelScope, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, ch] = dy.shape;
  const six = s.reshape(dy, [n, oh, 1, ow, 1, ch]);
  const padded = s.run(
    'PadV2',
    { x: six },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  return s.reshape(padded, [n, oh * sh, ow * sw, ch]);
}

/**
 * dx[n,y,x,c] = Σ_{p,q,k} dy[n,i,j,c·m+k] · W[p,q,c,k] over i·sh + p·dh − top = y (same for x):
 * a depthwise correlation of dy with the flipped filter (one channel per (c,k)), summed over k —
 * per output phase when strided (as Conv2DBackpropInput), on dy spread by the strides when both
 * strides and dilations exceed 1.
 */
function depthwiseBackpropInput({
  inputs,
  backend,
  attrs,
}: Args<DepthwiseConv2dNativeBackpropInputAttrs>): TensorInfo {
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const kernel = 'DepthwiseConv2dNativeBackpropInput';
  assertFloat4D(kernel, { dy, filter });
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  assertShape(kernel, 'dy', dy.shape, info.outShape);
  const [n, h, w, c] = inputShape;
  const [fh, fw, , m] = filter.shape;
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  if (strided && info.dilationHeight === 1 && info.dilationWidth === 1) {
    // one stride-1 correlation per output phase, no multiply-adds on zeros (conv-input-kernel.ts)
    return withScope(backend, (s) => byPhases(s, dy, filter, info, inputShape, true));
  }
  return withScope(backend, (s) => {
    const spread = spreadByStride(s, dy, info.strideHeight, info.strideWidth);
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const f = s.reshape(flipped, [fh, fw, c * m, 1]);
    const out = correlate(s, spread, f, {
      kernel: 'DepthwiseConv2dNative',
      stride: [1, 1],
      dilation: [info.dilationHeight, info.dilationWidth],
      outHeight: h,
      outWidth: w,
      padTop: (fh - 1) * info.dilationHeight - info.padInfo.top,
      padLeft: (fw - 1) * info.dilationWidth - info.padInfo.left,
    });
    if (m === 1) return out;
    return s.run('Sum', { x: s.reshape(out, [n, h, w, c, m]) }, { axis: [4], keepDims: false });
  });
}

/**
 * out[s, r…, t…] = Σ_n [ids[n, r…] = s] · x[n, r…, t…] for s in [0, numSegments); ids outside that
 * range contribute nothing (as on the cpu backend, which sums a mask over axis 0). The ids are
 * read from the wasm heap to build flat scatter indices; the data moves only through GatherV2
 * (when some ids are out of range) and ScatterNd, which sums duplicate indices.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: Args<UnsortedSegmentSumAttrs>): TensorInfo {
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  const kernel = 'UnsortedSegmentSum';
  util.assert(
    segmentIds.dtype === 'int32',
    () => `Error in ${kernel}: segmentIds must be int32, received ${segmentIds.dtype}.`,
  );
  util.assert(
    Number.isInteger(numSegments) && numSegments >= 0,
    () => `Error in ${kernel}: numSegments must be a non-negative integer, received ${numSegments}.`,
  );
  const idRank = segmentIds.shape.length;
  util.assert(
    idRank >= 1 && idRank <= x.shape.length && sameShape(x.shape.slice(0, idRank), segmentIds.shape),
    () =>
      `Error in ${kernel}: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}].`,
  );
  const outShape = [numSegments, ...x.shape.slice(1)];
  const rest = util.sizeFromShape(segmentIds.shape.slice(1));
  const tail = util.sizeFromShape(x.shape.slice(idRank));
  // a copy: allocations below may grow (and so detach) the heap view
  const ids = (backend.typedArrayFromHeap(segmentIds) as Int32Array).slice();
  return withScope(backend, (s) => {
    const targets = new Int32Array(ids.length);
    let valid = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= 0 && id < numSegments) targets[valid++] = id * rest + (i % rest);
    }
    if (valid === 0 || tail === 0) {
      const zeros =
        x.dtype === 'int32'
          ? new Int32Array(util.sizeFromShape(outShape))
          : new Float32Array(util.sizeFromShape(outShape));
      return s.constant(outShape, x.dtype === 'int32' ? 'int32' : 'float32', zeros);
    }
    let rows = s.reshape(x, [ids.length, tail]);
    if (valid < ids.length) {
      const keep = new Int32Array(valid);
      for (let i = 0, j = 0; i < ids.length; i++) {
        if (ids[i] >= 0 && ids[i] < numSegments) keep[j++] = i;
      }
      const keepT = s.constant([valid], 'int32', keep);
      rows = s.run('GatherV2', { x: rows, indices: keepT }, { axis: 0, batchDims: 0 });
    }
    const indices = s.constant([valid, 1], 'int32', targets.subarray(0, valid));
    const summed = s.run('ScatterNd', { indices, updates: rows }, { shape: [numSegments * rest, tail] });
    return s.reshape(summed, outShape);
  });
}

const kernel = (kernelName: string, kernelFunc: unknown): KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: kernelFunc as KernelFunc,
});

/** The kernels `registerWasmTrainingKernels` adds where the wasm backend lacks them. */
export const TRAINING_KERNELS: readonly KernelConfig[] = [
  kernel('Conv2DBackpropFilter', conv2DBackpropFilter),
  kernel('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter),
  kernel('DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput),
  kernel('UnsortedSegmentSum', unsortedSegmentSum),
];
