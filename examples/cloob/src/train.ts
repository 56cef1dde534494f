import { uniform } from '@paperstack/example-kit';
import { clipLoss, cloobLoss, InverseTemperature } from '@paperstack/infoloob';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type PairedDataset, size } from './data/paired';
import { type EncoderOptions, embed, encoder } from './model';

export type Objective = 'clip' | 'cloob';

export interface TrainOptions extends EncoderOptions {
  objective: Objective;
  /** Optimizer steps. Default 400. */
  steps?: number;
  /** Pairs per batch (the contrastive negatives). Default 128. */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  learningRate?: number;
  /** Initial (or fixed) inverse temperature 1/τ. Default 30 (CLOOB's CC recipe). */
  invTau?: number;
  /** Learn 1/τ (log-parameterized, clamped to [1, 100] as in ml-jku/cloob). Default false (the reference default). */
  learnableInvTau?: boolean;
  /** β of CLOOB's Hopfield retrieval. Default 8 (CLOOB's CC recipe). */
  hopfieldBeta?: number;
  /** Called after every step with the step (1-based) and the loss. */
  onStep?: (step: number, loss: number) => void;
}

export interface TrainedModels {
  imageEncoder: tfl.Sequential;
  textEncoder: tfl.Sequential;
  /** Loss after each step. */
  losses: number[];
  /** Final 1/τ. */
  invTau: number;
  dispose(): void;
}

/** Trains the two encoders with CLIP's or CLOOB's objective on shuffled mini-batches. */
export function trainEncoders(data: PairedDataset, opts: TrainOptions): TrainedModels {
  const {
    objective,
    steps = 400,
    batchSize = 128,
    learningRate = 1e-3,
    invTau = 30,
    learnableInvTau = false,
    hopfieldBeta = 8,
    seed = 0,
  } = opts;
  const n = size(data);
  if (batchSize > n) throw new Error(`trainEncoders: batchSize ${batchSize} exceeds the dataset size ${n}`);
  const imageEncoder = encoder(data.imageDim, { ...opts, seed: seed * 2 + 1 });
  const textEncoder = encoder(data.textDim, { ...opts, seed: seed * 2 + 2 });
  const temperature = new InverseTemperature({ init: invTau, trainable: learnableInvTau });
  const images = tf.tensor2d(data.images, [n, data.imageDim]);
  const texts = tf.tensor2d(data.texts, [n, data.textDim]);
  const optimizer = tf.train.adam(learningRate);
  const vars = [...imageEncoder.trainableWeights, ...textEncoder.trainableWeights].map(
    (w) => w.read() as tf.Variable,
  );
  if (learnableInvTau) vars.push(temperature.variable);

  const rand = uniform(seed * 7 + 3);
  let order = new Int32Array(0);
  let cursor = n;
  const nextBatch = () => {
    if (cursor + batchSize > n) {
      order = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      cursor = 0;
    }
    cursor += batchSize;
    return order.subarray(cursor - batchSize, cursor);
  };

  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const idx = tf.tensor1d(nextBatch(), 'int32');
    const loss = optimizer.minimize(
      () => {
        const x = embed(imageEncoder, tf.gather(images, idx) as tf.Tensor2D);
        const y = embed(textEncoder, tf.gather(texts, idx) as tf.Tensor2D);
        const opts = { invTau: temperature.value(), checkNormalized: false };
        return objective === 'cloob' ? cloobLoss(x, y, { ...opts, hopfieldBeta }) : clipLoss(x, y, opts);
      },
      true,
      vars,
    ) as tf.Scalar;
    if (learnableInvTau) temperature.clamp();
    const value = loss.dataSync()[0];
    tf.dispose([loss, idx]);
    losses.push(value);
    opts.onStep?.(step, value);
  }
  const finalInvTau = temperature.value();
  const result = finalInvTau.dataSync()[0];
  tf.dispose([images, texts, finalInvTau]);
  optimizer.dispose();
  temperature.dispose();
  return {
    imageEncoder,
    textEncoder,
    losses,
    invTau: result,
    dispose() {
      imageEncoder.dispose();
      textEncoder.dispose();
    },
  };
}
