import { Hopfield } from '@paperstack/hopfield-layer';
// Resolved to maect's source by the vitest alias (vitest.shared.ts), not a package dependency:
// maect depends on runtime, so a dependency back would be a cycle (turbo refuses it).
import { MAE_PRESETS, MaskedAutoencoder } from '@paperstack/maect';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { randomData } from './compare';
import { adamLosses, expectSameValues, webgpuOrWhyNot } from './webgpu';

// A few Adam steps of two model families on webgpu and on cpu, from the same weights and data:
// the losses must agree within float32 tolerance at every step. (VoxelNet, LRN, NNCLR, MAE-CT
// contrastive tuning and the other paths that used to read synchronously: webgpu-training.test.ts.)
const whyNot = await webgpuOrWhyNot();
if (whyNot) console.warn(`webgpu model training suite SKIPPED: ${whyNot}`);

describe.skipIf(whyNot !== undefined)('webgpu trains like cpu', () => {
  test('Hopfield (2 heads) regression: 3 Adam steps', { timeout: 30_000 }, async () => {
    const x = randomData([2, 6, 8], 31);
    const y = randomData([2, 6, 8], 32);
    const build = () => {
      const layer = new Hopfield({ inputSize: 8, numHeads: 2 });
      const xs = tf.tensor(x.values, x.shape);
      const ys = tf.tensor(y.values, y.shape);
      tf.dispose(layer.apply(xs) as tf.Tensor);
      // The same weights on both backends (initializers draw per backend).
      for (const [i, w] of layer.trainableWeights.entries()) {
        const v = tf.tensor(randomData(w.shape as number[], 40 + i).values, w.shape as number[]);
        w.write(v);
        v.dispose();
      }
      return {
        vars: layer.trainableWeights.map((w) => w.read() as tf.Variable),
        loss: () => tf.mean(tf.square(tf.sub(layer.apply(xs) as tf.Tensor, ys))) as tf.Scalar,
        dispose: () => {
          tf.dispose([xs, ys]);
          layer.dispose();
        },
      };
    };
    const cpu = await adamLosses('cpu', build, 3, 1e-3);
    const gpu = await adamLosses('webgpu', build, 3, 1e-3);
    expect(cpu[2]).toBeLessThan(cpu[0]);
    expectSameValues(gpu, cpu, 1e-4, 'Hopfield loss');
  });

  test('MAE (tiny preset, 32² images, batch 2): 2 Adam steps', { timeout: 60_000 }, async () => {
    const img = randomData([2, 32, 32, 3], 33);
    const build = () => {
      // Weights come from the model's own seeded initializers (the same on both backends).
      const model = new MaskedAutoencoder({ ...MAE_PRESETS.tiny, seed: 5 });
      const images = tf.tensor(
        img.values.map((v) => (v + 1) / 2),
        img.shape,
      );
      return {
        vars: model.trainableVariables(),
        loss: (s: number) => model.loss(images, { seed: 100 + s }),
        dispose: () => {
          images.dispose();
          model.dispose();
        },
      };
    };
    const cpu = await adamLosses('cpu', build, 2, 1e-3);
    const gpu = await adamLosses('webgpu', build, 2, 1e-3);
    expectSameValues(gpu, cpu, 1e-3, 'MAE loss');
  });
});
