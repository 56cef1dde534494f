import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { WebGpuSyncReadError } from '../src/index';
import { data, randomData } from './compare';
import { expectParity, runOn, webgpuOrWhyNot } from './webgpu';

// The webgpu backend (tfjs-backend-webgpu on Dawn) against the cpu backend, forward and gradient,
// for the ops the paperstack packages train with. Runs on a software GPU (Mesa llvmpipe through
// OpenGL ES, compatibility mode) in CI; skips, saying why, where there is no adapter.
const whyNot = await webgpuOrWhyNot();
if (whyNot) {
  console.warn(
    `webgpu parity suite SKIPPED: ${whyNot}. It needs the npm package 'webgpu' and Mesa ` +
      '(apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri) or a GPU driver.',
  );
}

const r = randomData;
const T = 30_000;

describe.skipIf(whyNot !== undefined)('webgpu matches cpu', () => {
  test('matMul: plain, transposed, batched; and their gradients', { timeout: T }, async () => {
    const a = r([48, 40], 1);
    const b = r([40, 56], 2);
    await expectParity([a, b], (x, y) => [tf.matMul(x, y), tf.matMul(y, x, true, true)]);
    const qa = r([3, 20, 16], 3);
    const ka = r([3, 24, 16], 4);
    await expectParity([qa, ka], (q, k) =>
      tf.grads((x, y) => tf.sum(tf.sin(tf.matMul(x, y, false, true))))([q, k]),
    );
    await expectParity([a, b], (x, y) => tf.grads((u, v) => tf.sum(tf.square(tf.matMul(u, v))))([x, y]));
  });

  test('softmax, logSoftmax, logSumExp: forward and gradient', { timeout: T }, async () => {
    const x = r([6, 33], 5);
    const w = r([6, 33], 6);
    await expectParity([x], (v) => [tf.softmax(tf.mul(v, 8)), tf.logSoftmax(v), tf.logSumExp(v, -1)]);
    await expectParity([x, w], (v, u) =>
      tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.softmax(z), tf.logSumExp(z, -1, true)), u)))(v),
    );
  });

  test('layer norm pieces (moments, rsqrt) and GELU-style pointwise ops: forward and gradient', {
    timeout: T,
  }, async () => {
    const x = r([8, 64], 7);
    const w = r([8, 64], 8);
    const layerNorm = (v: tf.Tensor) => {
      const { mean, variance } = tf.moments(v, -1, true);
      return tf.mul(tf.sub(v, mean), tf.rsqrt(tf.add(variance, 1e-5)));
    };
    await expectParity([x], (v) => layerNorm(v));
    await expectParity([x, w], (v, u) => tf.grad((z: tf.Tensor) => tf.sum(tf.mul(layerNorm(z), u)))(v), {
      atol: 3e-4,
    });
    await expectParity([x, w], (v, u) =>
      tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.mul(z, tf.sigmoid(tf.mul(z, 1.702))), tf.tanh(u))))(v),
    );
  });

  test('conv2d (stride 1 same, stride 2 valid): forward and both gradients', { timeout: T }, async () => {
    const x = r([2, 9, 9, 3], 9);
    const w = r([3, 3, 3, 4], 10);
    for (const [stride, pad] of [
      [1, 'same'],
      [2, 'valid'],
    ] as const) {
      await expectParity([x, w], (u, v) => tf.conv2d(u as tf.Tensor4D, v as tf.Tensor4D, stride, pad));
      await expectParity([x, w], (u, v) =>
        tf.grads((p, q) => tf.sum(tf.square(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, stride, pad))))([
          u,
          v,
        ]),
      );
    }
  });

  test('conv3d: forward and both gradients', { timeout: T }, async () => {
    const x = r([1, 6, 6, 6, 2], 11);
    const w = r([3, 3, 3, 2, 3], 12);
    await expectParity([x, w], (u, v) => tf.conv3d(u as tf.Tensor5D, v as tf.Tensor5D, 1, 'same'));
    await expectParity([x, w], (u, v) =>
      tf.grads((p, q) => tf.sum(tf.square(tf.conv3d(p as tf.Tensor5D, q as tf.Tensor5D, [1, 2, 2], 'same'))))(
        [u, v],
      ),
    );
  });

  test('conv2dTranspose, depthwiseConv2d, pooling: forward and gradients', { timeout: T }, async () => {
    const x = r([2, 8, 8, 3], 20);
    const wt = r([4, 4, 5, 3], 21);
    const wd = r([3, 3, 3, 2], 22);
    await expectParity([x, wt], (u, v) =>
      tf.grads((p, q) =>
        tf.sum(tf.square(tf.conv2dTranspose(p as tf.Tensor4D, q as tf.Tensor4D, [2, 16, 16, 5], 2, 'same'))),
      )([u, v]),
    );
    await expectParity([x, wd], (u, v) =>
      tf.grads((p, q) =>
        tf.sum(tf.square(tf.depthwiseConv2d(p as tf.Tensor4D, q as tf.Tensor4D, 1, 'same'))),
      )([u, v]),
    );
    await expectParity([x], (u) =>
      tf.grad((p: tf.Tensor) =>
        tf.add(
          tf.sum(tf.square(tf.maxPool(p as tf.Tensor4D, 2, 2, 'valid'))),
          tf.sum(tf.square(tf.avgPool(p as tf.Tensor4D, 3, 1, 'same'))),
        ),
      )(u),
    );
  });

  test('shape ops and activations (concat, slice, pad, transpose, relu, elu, erf, exp): gradients', {
    timeout: T,
  }, async () => {
    const x = r([4, 6, 5], 23);
    const y = r([4, 6, 3], 24);
    await expectParity([x, y], (u, v) =>
      tf.grads((p, q) => {
        const c = tf.concat([p, q], 2);
        const s = tf.slice(
          tf.pad(c, [
            [0, 0],
            [1, 1],
            [0, 0],
          ]),
          [1, 0, 2],
          [2, 7, 5],
        );
        const t = tf.transpose(s, [2, 0, 1]);
        return tf.sum(tf.mul(tf.add(tf.relu(t), tf.elu(t)), tf.add(tf.erf(t), tf.exp(tf.mul(t, 0.5)))));
      })([u, v]),
    );
  });

  test('gather (embedding lookup) and its gradient with repeated ids', { timeout: T }, async () => {
    const table = r([10, 6], 13);
    const ids = data([7], [3, 1, 3, 9, 0, 3, 1], 'int32');
    const w = r([7, 6], 14);
    await expectParity([table, ids], (t, i) => tf.gather(t, i));
    await expectParity([table, ids, w], (t, i, u) =>
      tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.gather(z, i), u)))(t),
    );
  });

  test('addN of more inputs than a shader has storage buffers (chunked), and its gradient', {
    timeout: T,
  }, async () => {
    // 40 inputs: more than maxStorageBuffersPerShaderStage − 1 (15 on llvmpipe), so the runtime's
    // chunked AddN (src/webgpu/setup.ts) sums in chunks; tfjs' own fails validation there.
    const xs = Array.from({ length: 40 }, (_, i) => r([3, 5], 100 + i));
    await expectParity(xs, (...ts) => tf.addN(ts));
    await expectParity(xs.slice(0, 17), (...ts) => tf.addN(ts.map((t) => tf.sum(tf.square(t)))));
    await expectParity(xs.slice(0, 20), (...ts) =>
      tf.grads((...zs: tf.Tensor[]) => tf.sum(tf.square(tf.addN(zs))))(ts),
    );
  });

  test('rank-5 ops with a 1-D operand and rank-5 pad (3-D conv nets), and their gradients', {
    timeout: T,
  }, async () => {
    // tfjs' shaders index a vec5 struct here (invalid WGSL); the runtime reshapes (src/webgpu/kernels.ts).
    const x = r([2, 3, 4, 5, 6], 120);
    const c = r([6], 121);
    const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.squaredDifference] as const;
    await expectParity([x, c], (a, b) => ops.map((op) => op(a, tf.add(tf.abs(b), 0.5))));
    await expectParity([x, c], (a, b) => [tf.sub(b, a), tf.mul(b, a), tf.greater(a, b)]);
    const pads: [number, number][] = [
      [0, 0],
      [1, 1],
      [0, 2],
      [1, 0],
      [0, 0],
    ];
    await expectParity([x], (a) => tf.pad(a, pads, 0.5));
    await expectParity([x, c], (a, b) =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.pad(tf.mul(tf.add(p, q), q), pads))))([
        a,
        b,
      ]),
    );
  });

  test('a small tf.layers model trains the same for 3 steps', { timeout: T }, async () => {
    const x = r([8, 6, 6, 2], 15);
    const y = r([8, 5], 16);
    const train = async (backend: 'cpu' | 'webgpu') => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({
            inputShape: [6, 6, 2],
            filters: 4,
            kernelSize: 3,
            activation: 'relu',
            kernelInitializer: 'ones',
            biasInitializer: 'zeros',
          }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 5, kernelInitializer: 'ones', biasInitializer: 'zeros' }),
          tfl.layers.layerNormalization(),
        ],
      });
      // Deterministic weights on both backends (initializers are random per backend).
      const init = model.getWeights().map((w, i) => tf.tensor(r(w.shape, 100 + i).values, w.shape));
      model.setWeights(init);
      tf.dispose(init);
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const xs = tf.tensor(x.values, x.shape);
      const ys = tf.tensor(y.values, y.shape);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) losses.push((await model.trainOnBatch(xs, ys)) as number);
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      tf.dispose([xs, ys]);
      model.dispose();
      tf.disposeVariables();
      expect(tf.memory().numTensors, `tensors left on ${backend}`).toBeLessThanOrEqual(before);
      return { losses, weights };
    };
    const want = await train('cpu');
    const got = await train('webgpu');
    for (let s = 0; s < 3; s++) expect(got.losses[s]).toBeCloseTo(want.losses[s], 4);
    for (let i = 0; i < want.weights.length; i++) {
      for (let j = 0; j < want.weights[i].length; j++) {
        expect(Math.abs(got.weights[i][j] - want.weights[i][j]), `weight ${i}[${j}]`).toBeLessThan(1e-4);
      }
    }
  });

  test('a synchronous read of a GPU tensor fails with WebGpuSyncReadError, not a missing OffscreenCanvas', async () => {
    await tf.setBackend('webgpu');
    const onCpu = tf.tensor([1, 2, 3]);
    // Values written from the CPU are still there: dataSync works.
    expect(Array.from(onCpu.dataSync())).toEqual([1, 2, 3]);
    const onGpu = tf.matMul(tf.reshape(onCpu, [3, 1]), tf.reshape(onCpu, [1, 3]));
    expect(() => onGpu.dataSync()).toThrow(WebGpuSyncReadError);
    expect(() => onGpu.arraySync()).toThrow(/read synchronously .* expected an asynchronous read/);
    expect(Array.from(await onGpu.data())).toEqual([1, 2, 3, 2, 4, 6, 3, 6, 9]);
    // Once read asynchronously, the values are cached on the CPU and dataSync works.
    expect(onGpu.dataSync()[8]).toBe(9);
    tf.dispose([onCpu, onGpu]);
  });

  test('runOn leaves no tensors on webgpu', { timeout: T }, async () => {
    const out = await runOn('webgpu', [r([4, 4], 17)], (v) => tf.matMul(v, v));
    expect(out[0].shape).toEqual([4, 4]);
  });
});
