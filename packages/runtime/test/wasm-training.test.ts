import { expectClose } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBestBackend } from '../src/index';

/**
 * A model with every layer the published wasm backend cannot train: conv2d, conv2dTranspose,
 * depthwiseConv2d and embedding (plus dense, which exercises the matMul kernels).
 */
function buildModel(): tfl.LayersModel {
  const image = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', seed: 1 } as never)
    .apply(image) as tfl.SymbolicTensor;
  x = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', seed: 2 } as never)
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const tokens = tfl.input({ shape: [5], dtype: 'int32' });
  let e = tfl.layers.embedding({ inputDim: 20, outputDim: 6 }).apply(tokens) as tfl.SymbolicTensor;
  e = tfl.layers.flatten().apply(e) as tfl.SymbolicTensor;
  const joined = tfl.layers.concatenate().apply([x, e]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2 }).apply(joined) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [image, tokens], outputs: out });
}

function batch(seed: number) {
  const images = tf.randomUniform([6, 8, 8, 3], -1, 1, 'float32', seed);
  const tokens = tf.cast(tf.randomUniform([6, 5], 0, 20, 'float32', seed + 1), 'int32');
  const targets = tf.randomUniform([6, 2], -1, 1, 'float32', seed + 2);
  return { images, tokens, targets };
}

/** Gradients of the mse loss for every trainable weight, on the active backend. */
function gradients(weights: tf.Tensor[][]): Float32Array[] {
  const model = buildModel();
  model.setWeights(weights.map((w) => w[0]));
  const { images, tokens, targets } = batch(7);
  const { grads } = tf.variableGrads(
    () => tf.mean(tf.square(tf.sub(model.predict([images, tokens]) as tf.Tensor, targets))) as tf.Scalar,
  );
  const out = model.trainableWeights.map((w) => grads[w.originalName].dataSync() as Float32Array);
  tf.dispose([images, tokens, targets, ...Object.values(grads)]);
  model.dispose();
  return out;
}

describe('training on wasm after useBestBackend()', () => {
  beforeAll(async () => {
    await useBestBackend({ backend: 'wasm', log: false });
  });
  afterAll(() => tf.setBackend('cpu'));

  it('gives conv2d, depthwiseConv2d, conv2dTranspose and embedding the cpu backend’s gradients', async () => {
    await tf.setBackend('cpu');
    const reference = buildModel();
    const values = reference.getWeights().map((w) => ({ shape: w.shape, data: Array.from(w.dataSync()) }));
    reference.dispose();
    const make = () => values.map((v) => [tf.tensor(v.data, v.shape)]);
    const cpu = gradients(make());
    await tf.setBackend('wasm');
    const wasm = gradients(make());
    expect(wasm).toHaveLength(cpu.length);
    for (let i = 0; i < cpu.length; i++)
      expectClose(wasm[i], cpu[i], { rtol: 1e-3, atol: 1e-5, name: `grad ${i}` });
  });

  it('trains with model.fit and lowers the loss', async () => {
    await tf.setBackend('wasm');
    const model = buildModel();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const { images, tokens, targets } = batch(3);
    const before = tf.getBackend();
    const history = await model.fit([images, tokens], targets, { epochs: 8, batchSize: 3, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(before).toBe('wasm');
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(loss[loss.length - 1]).toBeLessThan(loss[0]);
    tf.dispose([images, tokens, targets]);
    model.dispose();
  });
});
