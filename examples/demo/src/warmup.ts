import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Progress } from './progress';

export interface WarmupResult {
  steps: number;
  firstLoss: number;
  lastLoss: number;
  accuracy: number;
  msPerStep: number;
}

/**
 * The smallest end-to-end check that the backend trains: a 2-layer MLP learns a noisy XOR-like
 * rule on seeded synthetic points with Adam. Returns the loss trajectory and train accuracy.
 */
export async function trainWarmupModel(steps: number, report: Progress, seed = 1): Promise<WarmupResult> {
  const n = 256;
  const { x, y } = tf.tidy(() => {
    const x = tf.randomUniform([n, 2], -1, 1, 'float32', seed);
    const label = tf.cast(
      tf.greater(tf.mul(tf.slice(x, [0, 0], [n, 1]), tf.slice(x, [0, 1], [n, 1])), 0),
      'float32',
    );
    return { x, y: label };
  });
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [2],
        units: 32,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
      tfl.layers.dense({
        units: 1,
        activation: 'sigmoid',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
  const optimizer = tf.train.adam(0.03);
  model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 1; step <= steps; step++) {
    const [loss] = (await model.trainOnBatch(x, y)) as number[];
    losses.push(loss);
    report.tick(step, { loss });
  }
  const msPerStep = (performance.now() - t0) / steps;
  const correct = tf.tidy(() => {
    const pred = tf.cast(tf.greater(model.predict(x) as tf.Tensor, 0.5), 'float32');
    return tf.mean(tf.cast(tf.equal(pred, y), 'float32'));
  });
  // read asynchronously: webgpu in Node cannot read a GPU tensor synchronously
  const accuracy = (await correct.data())[0];
  correct.dispose();
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { steps, firstLoss: losses[0], lastLoss: losses[losses.length - 1], accuracy, msPerStep };
}
