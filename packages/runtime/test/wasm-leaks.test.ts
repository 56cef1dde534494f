import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSmallProductThreshold } from '../src/wasm/matmul-kernels';
import { setupBackends } from './compare';

beforeAll(async () => {
  await setupBackends();
  await tf.setBackend('wasm');
  setSmallProductThreshold(0, 200); // the small products below take the runtime's paths too
});
afterAll(() => setSmallProductThreshold());

/**
 * Heap size, live wasm tensors and tfjs tensors after `calls` runs of `f`. The wasm heap only
 * grows, so a per-call leak of any size (tensor buffers, XNNPACK operators cached per filter or
 * weight tensor) shows up as growth over 1,000 calls.
 */
function footprint(f: () => void, calls: number) {
  for (let i = 0; i < calls; i++) f();
  const backend = tf.backend() as BackendWasm;
  return {
    heapBytes: (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length,
    dataIds: backend.numDataIds(),
    tensors: tf.memory().numTensors,
  };
}

const x = () => tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 1);
const ops: Record<string, (t: tf.Tensor4D) => tf.Tensor | tf.Tensor[]> = {
  'Conv2DBackpropFilter (conv2d grads)': (t) =>
    tf.grads((a: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')),
    )([t, tf.ones([3, 3, 3, 4])]),
  'DepthwiseConv2dNativeBackprop* (depthwise grads)': (t) =>
    tf.grads((a: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')),
    )([t, tf.ones([3, 3, 3, 2])]),
  'DepthwiseConv2dNativeBackpropInput by phases (stride 2)': (t) =>
    tf.grads((a: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')),
    )([t, tf.ones([3, 3, 3, 2])]),
  'UnsortedSegmentSum (gather grad, some ids out of range)': (t) =>
    tf.unsortedSegmentSum(
      tf.reshape(t, [18, 27]),
      tf.tensor1d([0, 1, 2, -1, 9, 3, 1, 1, 0, 2, 5, 6, 7, 8, 8, 4, 3, 2], 'int32'),
      9,
    ),
  'GatherV2 (rows on axis 1)': (t) => tf.gather(t, tf.tensor1d([8, 0, 3, 3], 'int32'), 1),
  'BatchMatMul (batched, per-entry loop on heap aliases)': (t) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.matMul(a, b, false, true)))([
      tf.reshape(t, [6, 9, 9]),
      tf.ones([6, 4, 9]),
    ]),
  'BatchMatMul (transposed, batched)': (t) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.matMul(a, b, true, false)))([
      tf.reshape(t, [18, 3, 9]),
      tf.ones([18, 3, 9]),
    ]),
  '_FusedMatMul (transposed, bias, relu)': (t) =>
    tf.fused.matMul({
      a: tf.reshape(t, [54, 9]),
      b: tf.ones([5, 9]),
      transposeB: true,
      bias: tf.ones([5]),
      activation: 'relu',
    }),
};

describe('runtime wasm kernels free what they allocate', () => {
  for (const [name, op] of Object.entries(ops)) {
    it(`${name}: 1,000 calls leave the wasm heap and tensor counts unchanged`, () => {
      const input = x() as tf.Tensor4D;
      const call = () => tf.dispose(tf.tidy(() => op(input)));
      const warm = footprint(call, 20);
      const after = footprint(call, 1000);
      expect(after).toEqual(warm);
      input.dispose();
    });
  }
});
