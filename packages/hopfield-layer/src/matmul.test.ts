import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { batchMatMul, matMul } from './matmul';

describeBackends('matMul helper', () => {
  it('equals tf.matMul in value and gradient (2D, 3D, transposeB)', async () => {
    for (const [sa, sb, tb] of [
      [[5, 3], [3, 4], false],
      [[5, 3], [4, 3], true],
      [[2, 5, 3], [2, 3, 4], false],
      [[2, 5, 3], [2, 4, 3], true],
    ] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 1);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 2);
      const w = tf.randomNormal(tf.matMul(a, b, false, tb).shape, 0, 1, 'float32', 3);
      const want = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, tb), w)))([
        a,
        b,
      ]);
      const got = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x, y, tb), w)))([a, b]);
      expectClose(matMul(a, b, tb), tf.matMul(a, b, false, tb), { name: 'value' });
      expectClose(got[0], want[0], { name: 'd a' });
      expectClose(got[1], want[1], { name: 'd b' });
      await expectNoLeakedTensors(() =>
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMul(x, y, tb)))([a, b]),
      );
      tf.dispose([a, b, w, ...want, ...got]);
    }
  });
});

describeBackends('batchMatMul helper', () => {
  it('equals tf.matMul in value and gradient, on both sides of the per-entry threshold', async () => {
    for (const [sa, sb, tb] of [
      [[3, 4, 5], [3, 5, 6], false], // small: tf.matMul
      [[3, 256, 32], [3, 256, 32], true], // 2^21 MACs: per entry on wasm
      [[2, 256, 256], [2, 256, 32], false],
      [[1, 256, 32], [1, 32, 256], false],
    ] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 4);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 5);
      const w = tf.randomNormal(tf.matMul(a, b, false, tb).shape, 0, 1, 'float32', 6);
      const want = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, tb), w)))([
        a,
        b,
      ]);
      const got = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(batchMatMul(x, y, tb), w)))([a, b]);
      const [v1, v2] = [batchMatMul(a, b, tb), tf.matMul(a, b, false, tb)];
      expectClose(v1, v2, { rtol: 1e-4, atol: 1e-4, name: `value ${sa}` });
      expectClose(got[0], want[0], { rtol: 1e-4, atol: 1e-3, name: `d a ${sa}` });
      expectClose(got[1], want[1], { rtol: 1e-4, atol: 1e-3, name: `d b ${sa}` });
      await expectNoLeakedTensors(() =>
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(batchMatMul(x, y, tb)))([a, b]),
      );
      tf.dispose([a, b, w, v1, v2, ...want, ...got]);
    }
  });
});
