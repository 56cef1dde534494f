/**
 * Faster wasm `Conv2DBackpropInput` (the gradient of conv2d with respect to its input, and the
 * forward pass of conv2dTranspose). The published kernel (tensorflow/tfjs:
 * tfjs-backend-wasm/src/cc/kernels/Conv2DBackpropInput.cc) is a direct loop, about 15× slower than
 * the forward convolution on XNNPACK for a 3×3, 32-channel layer. Here it is one forward
 * convolution: dy spread by the strides (zeros between rows and columns), correlated with the
 * filter flipped in space and with its channel axes swapped. NCHW data and shapes the published
 * kernel would reject keep going to it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { correlate } from './correlate';
import { stockConfig, withScope } from './kernel-utils';
import { spreadByStride } from './training-kernels';

type Args = { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs };

function conv2DBackpropInput(args: Args): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const published = () => stockConfig('Conv2DBackpropInput')!.kernelFunc(args as never) as TensorInfo;
  if (format !== 'channelsLast' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return published();
  if (dy.shape.length !== 4 || filter.shape.length !== 4 || inputShape.length !== 4) return published();
  let info: backend_util.Conv2DInfo;
  try {
    info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      format,
    );
  } catch {
    return published();
  }
  const expected = info.outShape;
  if (!dy.shape.every((d, i) => d === expected[i]) || filter.shape[2] !== inputShape[3]) return published();
  const [, h, w] = inputShape;
  const [fh, fw] = filter.shape;
  return withScope(backend, (s) => {
    const spread = spreadByStride(s, dy, info.strideHeight, info.strideWidth);
    // W[p,q,c,o] → W'[fh-1-p, fw-1-q, o, c]
    const flipped = s.transpose(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    return correlate(s, spread, flipped, {
      kernel: 'Conv2D',
      stride: [1, 1],
      dilation: [1, 1],
      outHeight: h,
      outWidth: w,
      padTop: fh - 1 - info.padInfo.top,
      padLeft: fw - 1 - info.padInfo.left,
    });
  });
}

export const CONV_INPUT_KERNEL: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
