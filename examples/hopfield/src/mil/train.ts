import * as tf from '@tensorflow/tfjs-core';
import { permutation } from '../random';
import { type MilDataset, padBatch } from './dataset';
import type { MilModel } from './model';

export interface MilTrainOptions {
  epochs: number;
  batchSize: number;
  /** Adam learning rate. Default 1e-3 (hflayers' bit-pattern notebook). */
  learningRate?: number;
  /** Decoupled weight decay (AdamW, as PyTorch: w ← w(1 − lr·wd) before each step). Default 0.01 (PyTorch's AdamW default). */
  weightDecay?: number;
  /** Clip the global gradient norm to this value. Default 1 (the notebook's clip_grad_norm_). */
  clipNorm?: number;
  seed?: number;
  /** Called after every epoch with the mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void | Promise<void>;
}

/** Binary cross-entropy with logits, mean over the batch (numerically stable form). */
export function bceWithLogits(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() =>
    tf.mean(
      tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
    ),
  ) as tf.Scalar;
}

/**
 * Trains `model` on the bags of `ds` with AdamW, BCE-with-logits and global-norm gradient
 * clipping on seeded shuffled mini-batches (each padded to its largest bag). Returns the mean loss
 * per epoch.
 */
export async function trainMil(model: MilModel, ds: MilDataset, opts: MilTrainOptions): Promise<number[]> {
  const { epochs, batchSize, learningRate = 1e-3, weightDecay = 0.01, clipNorm = 1, seed = 0 } = opts;
  const n = ds.bags.length;
  if (n === 0) throw new Error('trainMil: empty dataset');
  // build the layers on a first batch so that the variables exist
  {
    const { x, mask } = padBatch(ds, [0]);
    tf.dispose([model.logits(x, mask), x, mask]);
  }
  const vars = model.variables();
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
  const decay = tf.scalar(1 - learningRate * weightDecay);
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(n, seed * 10007 + epoch);
      // The epoch's loss sum stays on the backend and is read once per epoch, asynchronously
      // (webgpu in Node cannot read synchronously; elsewhere this saves a stall per batch).
      let sum: tf.Scalar = tf.scalar(0);
      let batches = 0;
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.subarray(start, Math.min(n, start + batchSize));
        const { x, mask } = padBatch(ds, idx);
        const y = tf.tensor1d(Float32Array.from(idx, (i) => ds.labels[i]));
        if (weightDecay > 0) {
          for (const v of vars) {
            const decayed = tf.mul(v, decay);
            v.assign(decayed);
            decayed.dispose();
          }
        }
        const { value, grads } = tf.variableGrads(() => bceWithLogits(model.logits(x, mask, true), y), vars);
        const clipped = tf.tidy(() => {
          const list = Object.values(grads);
          const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
          const scale = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6)));
          const out: tf.NamedTensorMap = {};
          for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
          return out;
        });
        optimizer.applyGradients(clipped as tf.NamedTensorMap as Record<string, tf.Variable>);
        const total = tf.add(sum, value) as tf.Scalar;
        sum.dispose();
        sum = total;
        batches++;
        tf.dispose([x, mask, y, value, grads, clipped]);
      }
      const mean = ((await sum.data())[0] as number) / batches;
      sum.dispose();
      losses.push(mean);
      await opts.onEpoch?.(epoch + 1, mean);
    }
  } finally {
    optimizer.dispose();
    decay.dispose();
  }
  return losses;
}

/** Bag logits for every bag of `ds` (inference mode), read back asynchronously. */
export async function predictMil(model: MilModel, ds: MilDataset, batchSize = 64): Promise<Float32Array> {
  const out = new Float32Array(ds.bags.length);
  for (let start = 0; start < ds.bags.length; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, ds.bags.length - start) }, (_, i) => start + i);
    const { x, mask } = padBatch(ds, idx);
    const logits = model.logits(x, mask, false);
    out.set((await logits.data()) as Float32Array, start);
    tf.dispose([x, mask, logits]);
  }
  return out;
}

/**
 * Stratified k-fold split, seeded: the positives and the negatives are each shuffled and dealt
 * round-robin to the folds. Returns the test indices of each fold.
 */
export function stratifiedKFold(labels: ArrayLike<number>, k: number, seed: number): Int32Array[] {
  if (!Number.isInteger(k) || k < 2 || k > labels.length) {
    throw new Error(`stratifiedKFold: k must be an integer in [2, ${labels.length}], received ${k}`);
  }
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const cls of [1, 0]) {
    const members = Array.from(labels, (l, i) => (l === cls ? i : -1)).filter((i) => i >= 0);
    const p = permutation(members.length, seed * 31 + cls);
    for (let i = 0; i < members.length; i++) folds[next++ % k].push(members[p[i]]);
  }
  return folds.map((f) => Int32Array.from(f.sort((a, b) => a - b)));
}
