import { type ImageSet, loadMnist } from '@paperstack/example-kit/data';
import { normal, permutation, uniform } from '../random';
import type { MilDataset } from './dataset';

/**
 * MNIST's pixel mean and standard deviation, the normalization of Ilse et al.'s MNIST-bags loader
 * (AMLab-Amsterdam/AttentionDeepMIL, dataloader.py).
 */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export interface MnistBagsOptions {
  /** Bags to draw. */
  numBags: number;
  /** The digit that makes a bag positive. Default 9 (Ilse et al.). */
  target?: number;
  /** Mean bag size. Default 10. */
  meanBagSize?: number;
  /**
   * Spread of the bag size. Default 2. Ilse et al. call it the variance, but their loader passes it
   * to numpy's `normal` as the scale (standard deviation); so does this one.
   */
  varBagSize?: number;
  seed?: number;
}

/** Rows of `images` per split: a fixed, seeded, per-class half split of the 10,000 digits. */
export interface MnistSplit {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Splits the `mnist` package's digits into two disjoint halves (per class, seeded), standing in for
 * MNIST's training and test sets: the package holds 10,000 digits and does not say which split they
 * come from, so training and test bags are drawn from disjoint halves of them.
 */
export function splitMnist(images: ImageSet, seed = 0): MnistSplit {
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < images.classNames.length; c++) {
    const rows = Array.from(images.labels, (l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
    const p = permutation(rows.length, seed * 17 + c);
    const half = Math.floor(rows.length / 2);
    for (let j = 0; j < p.length; j++) (j < half ? train : test).push(rows[p[j]]);
  }
  return {
    train: Int32Array.from(train.sort((a, b) => a - b)),
    test: Int32Array.from(test.sort((a, b) => a - b)),
  };
}

/**
 * MNIST-bags (Ilse et al., ICML 2018, §5.2): each bag holds ⌊N(mean, spread)⌋ digits (at least one)
 * drawn uniformly with replacement from `rows` of `images`, and is positive iff it contains the
 * target digit. Instances are the normalized 784 pixels; instance labels mark the target digits.
 */
export function mnistBags(images: ImageSet, rows: Int32Array, opts: MnistBagsOptions): MilDataset {
  const { numBags, target = 9, meanBagSize = 10, varBagSize = 2, seed = 0 } = opts;
  if (!Number.isInteger(numBags) || numBags < 1) {
    throw new Error(`mnistBags: numBags must be a positive integer, received ${numBags}`);
  }
  if (!Number.isInteger(target) || target < 0 || target >= images.classNames.length) {
    throw new Error(
      `mnistBags: target must be a class of ${images.name} (0–${images.classNames.length - 1}), received ${target}`,
    );
  }
  if (rows.length === 0) throw new Error('mnistBags: rows must not be empty');
  const dim = images.height * images.width * images.channels;
  const size = normal(seed * 2 + 1);
  const pick = uniform(seed * 2 + 2);
  const scale = 1 / (images.scale * MNIST_STD);
  const bags: Float32Array[] = [];
  const labels = new Int32Array(numBags);
  const instanceLabels: Int32Array[] = [];
  for (let b = 0; b < numBags; b++) {
    const n = Math.max(1, Math.trunc(meanBagSize + varBagSize * size()));
    const bag = new Float32Array(n * dim);
    const inst = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[Math.floor(pick() * rows.length)];
      for (let j = 0; j < dim; j++)
        bag[i * dim + j] = images.pixels[r * dim + j] * scale - MNIST_MEAN / MNIST_STD;
      inst[i] = images.labels[r] === target ? 1 : 0;
    }
    bags.push(bag);
    instanceLabels.push(inst);
    labels[b] = inst.includes(1) ? 1 : 0;
  }
  return {
    name: `mnist-bags (target ${target})`,
    dim,
    bags,
    labels,
    bagIds: Array.from({ length: numBags }, (_, b) => String(b)),
    instanceLabels,
  };
}

/** The `mnist` package's digits (see `loadMnist`) and their fixed training/test halves. */
export function mnistForBags(splitSeed = 0): { images: ImageSet; split: MnistSplit } {
  const images = loadMnist();
  return { images, split: splitMnist(images, splitSeed) };
}
