import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { useBestBackend } from '../backend';
import { nativeStatus } from './status';

// A custom gradient whose gradFunc calls zerosLike on its input after the caller disposed it (as
// @paperstack/nnclr's SupportSet.lookupOnDevice does): fine on cpu and wasm, whose ZerosLike
// reads only shape and dtype; tfjs-node's stock ZerosLike reads the freed data and fails.
function gradThroughStoppedInput(): number[] {
  const stop = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.mul(x, 2),
    gradFunc: () => tf.zerosLike(x),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  const v0 = tf.tensor1d([3, 1]);
  const g = tf.grad((v: tf.Tensor) => {
    const q = tf.mul(v, 3);
    const y = stop(q) as tf.Tensor;
    q.dispose();
    return tf.sum(tf.add(y, v));
  })(v0);
  const out = Array.from(g.dataSync());
  tf.dispose([g, v0]);
  return out;
}

describe.runIf(nativeStatus('cpu').ready)('native backend fixes', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('ZerosLike and OnesLike of a disposed tensor: shape and dtype only, as on cpu', async () => {
    await useBestBackend({ backend: 'cpu', log: false });
    expect(gradThroughStoppedInput()).toEqual([1, 1]);
    const choice = await useBestBackend({ backend: 'tensorflow', log: false });
    expect(choice.kernels).toEqual(['Cast', 'ZerosLike', 'OnesLike', 'Reshape', 'Transpose', 'Sum']);
    const before = tf.memory().numTensors;
    expect(gradThroughStoppedInput()).toEqual([1, 1]);
    expect(tf.memory().numTensors).toBe(before);
    const z = tf.tidy(() => [tf.zerosLike(tf.ones([2, 3], 'int32')), tf.onesLike(tf.zeros([2], 'bool'))]);
    expect(z.map((t) => [t.dtype, t.shape, Array.from(t.dataSync())])).toEqual([
      ['int32', [2, 3], [0, 0, 0, 0, 0, 0]],
      ['bool', [2], [1, 1]],
    ]);
    tf.dispose(z);
    // registering again changes nothing
    expect((await useBestBackend({ backend: 'tensorflow', log: false })).kernels).toEqual([
      'Cast',
      'ZerosLike',
      'OnesLike',
      'Reshape',
      'Transpose',
      'Sum',
    ]);
  });

  it('Cast to the same dtype shares the input (no TensorFlow op); other casts convert', async () => {
    await useBestBackend({ backend: 'tensorflow', log: false });
    const ids = () => tf.backend().numDataIds();
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const before = ids();
    const same = tf.cast(x, 'float32');
    expect(ids()).toBe(before);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
    const ints = tf.cast(same, 'int32');
    expect([ints.dtype, Array.from(ints.dataSync())]).toEqual(['int32', [1, -2, 3]]);
    const bools = tf.cast(tf.tensor1d([0, 2], 'int32'), 'bool');
    expect(Array.from(bools.dataSync())).toEqual([0, 1]);
    tf.dispose([same, ints, bools]);
  });

  it('Reshape, Transpose and Sum with cached shape/permutation/axes handles match the cpu backend', async () => {
    const cases = () =>
      tf.tidy(() => {
        const x = tf.tensor3d(
          Array.from({ length: 24 }, (_, i) => i * 0.5 - 3),
          [2, 3, 4],
        );
        const n = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
        const [dx] = tf.grads((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.transpose(tf.reshape(a, [6, 4]), [1, 0]), 2)),
        )([x]);
        return [
          tf.reshape(x, [4, 6]),
          tf.reshape(x, [-1]),
          tf.reshape(tf.tensor1d([1, 0, 1], 'bool'), [3, 1]),
          tf.transpose(x, [2, 0, 1]),
          tf.transpose(n),
          tf.sum(x),
          tf.sum(x, [0, 2], true),
          tf.sum(x, -1),
          tf.sum(n, 1),
          dx,
        ].map((t) => [t.dtype, t.shape, Array.from(t.dataSync())]);
      });
    await useBestBackend({ backend: 'cpu', log: false });
    const want = cases();
    await useBestBackend({ backend: 'tensorflow', log: false });
    const before = tf.memory().numTensors;
    expect(cases()).toEqual(want);
    // more distinct shapes than the cache keeps: it starts again and stays right
    for (let i = 1; i <= 1100; i++) {
      const s = tf.tidy(() => tf.sum(tf.reshape(tf.ones([i]), [1, i, 1])).dataSync()[0]);
      if (s !== i) expect(s).toBe(i);
    }
    expect(cases()).toEqual(want);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs with oneDNN off: the single-channel conv2d input gradient is right (it is not with oneDNN on)', async () => {
    const grad = () =>
      Array.from(
        tf
          .tidy(() =>
            tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 1, 1]), 1, 'same')))(
              tf.ones([1, 4, 4, 1]),
            ),
          )
          .dataSync(),
      );
    await useBestBackend({ backend: 'tensorflow', log: false });
    // TensorFlow read it when the library loaded; useBestBackend set it unless the caller had
    expect(process.env.TF_ENABLE_ONEDNN_OPTS).toBe('0');
    if (availableParallelism() <= 2) expect(process.env.TF_NUM_INTRAOP_THREADS).toBe('1');
    // each input pixel receives one count per output window covering it
    const want = [4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4];
    for (let i = 0; i < 10; i++) expect(grad()).toEqual(want);
  });
});
