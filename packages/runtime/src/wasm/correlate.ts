import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernel-utils';

export interface CorrelateSpec {
  /** 'Conv2D' (filter [fh,fw,C,O]) or 'DepthwiseConv2dNative' (filter [fh,fw,C,m]). */
  kernel: 'Conv2D' | 'DepthwiseConv2dNative';
  stride: [number, number];
  dilation: [number, number];
  /** Output rows and columns wanted. */
  outHeight: number;
  outWidth: number;
  /** Rows/columns of implicit zeros before the input; negative means skip that many input rows. */
  padTop: number;
  padLeft: number;
}

/**
 * out[b,i,j,o] = Σ_{p,q,c} xPadded[b, i·stride + p·dilation, j·stride + q·dilation, c] · filter[p,q,c,o]
 * with exactly `outHeight`×`outWidth` outputs, where xPadded has `padTop`/`padLeft` zeros (or
 * crops when negative) before the input and as many zeros (or crops) after it as needed. The
 * forward wasm convolution kernels (XNNPACK) do the work; only a crop needs an extra Slice.
 */
export function correlate(
  s: KernelScope,
  x: TensorInfo,
  filter: TensorInfo,
  spec: CorrelateSpec,
): TensorInfo {
  const [, h, w, c] = x.shape;
  const [fh, fw] = filter.shape;
  const need = (out: number, f: number, st: number, dl: number) => (out - 1) * st + (f - 1) * dl + 1;
  const rows = edges(spec.padTop, need(spec.outHeight, fh, spec.stride[0], spec.dilation[0]), h);
  const cols = edges(spec.padLeft, need(spec.outWidth, fw, spec.stride[1], spec.dilation[1]), w);
  if (rows.size <= 0 || cols.size <= 0) {
    // the window never touches the input: every output is a sum of padding zeros
    const out = spec.kernel === 'Conv2D' ? filter.shape[3] : c * filter.shape[3];
    const shape = [x.shape[0], spec.outHeight, spec.outWidth, out];
    return s.constant(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1)));
  }
  let input = x;
  if (rows.begin > 0 || rows.size < h || cols.begin > 0 || cols.size < w) {
    input = s.run(
      'Slice',
      { x },
      { begin: [0, rows.begin, cols.begin, 0], size: [x.shape[0], rows.size, cols.size, c] },
    );
  }
  const pad = [
    [0, 0],
    [rows.padBefore, rows.padAfter],
    [cols.padBefore, cols.padAfter],
    [0, 0],
  ];
  return s.run(
    spec.kernel,
    { x: input, filter },
    {
      strides: spec.stride,
      dilations: spec.dilation,
      pad,
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    },
  );
}

/** Turns "pad `before`, then need `total` positions from an axis of `size`" into a crop and a pad. */
function edges(before: number, total: number, size: number) {
  const begin = Math.max(0, -before);
  const padBefore = Math.max(0, before);
  // positions taken from the input after the crop at the start
  const fromInput = Math.min(size - begin, total - padBefore);
  const padAfter = total - padBefore - fromInput;
  return { begin, size: fromInput, padBefore, padAfter };
}
