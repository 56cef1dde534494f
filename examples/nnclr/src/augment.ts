/**
 * The simple augmentations that make NNCLR's and SimCLR's two views of an image, and the seeded
 * stream of two-view batches both methods train on. Pure JS except the batch tensors.
 */
import { randInt, uniform } from '@paperstack/example-kit';
import type { TwoViewBatch } from '@paperstack/nnclr';
import * as tf from '@tensorflow/tfjs-core';
import { type Dataset, gaussian, PIXELS, SIDE } from './shapes';

/**
 * Which augmentations make a view: `full` = translation, contrast, random erasing and noise;
 * `shift` = the translation alone (the "fewer augmentations" setting of NNCLR paper §5 / Table 6).
 */
export type Augmentation = 'full' | 'shift';

/** Side of the square that random erasing zeroes. */
const ERASE = 5;

/**
 * One augmented view of a `SIDE × SIDE` image: translation by up to ±3 px (zero fill); with
 * `full`, also contrast × U(0.6, 1.4), random erasing of a 5×5 patch with p = 0.5 and additive
 * N(0, 0.1²) noise. Draws from `rand` in a fixed order, so a seed fixes every view.
 */
export function augment(
  img: Float32Array,
  rand: () => number,
  augmentation: Augmentation = 'full',
): Float32Array {
  if (img.length !== PIXELS)
    throw new RangeError(`augment: img must hold ${PIXELS} pixels (${SIDE}×${SIDE}), received ${img.length}`);
  const shiftOnly = augmentation === 'shift';
  const sx = randInt(rand, 7) - 3;
  const sy = randInt(rand, 7) - 3;
  const gain = shiftOnly ? 1 : 0.6 + rand() * 0.8;
  const erase = !shiftOnly && rand() < 0.5;
  // The patch corner is drawn in both modes, so the stream's layout does not depend on the mode.
  const ex = randInt(rand, SIDE - ERASE);
  const ey = randInt(rand, SIDE - ERASE);
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const ox = x - sx;
      const oy = y - sy;
      let v = ox >= 0 && ox < SIDE && oy >= 0 && oy < SIDE ? img[oy * SIDE + ox] * gain : 0;
      if (erase && x >= ex && x < ex + ERASE && y >= ey && y < ey + ERASE) v = 0;
      out[y * SIDE + x] = shiftOnly ? v : v + 0.1 * gaussian(rand);
    }
  }
  return out;
}

/** Options of {@link twoViewBatches}. */
export interface TwoViewBatchOptions {
  /** Number of batches. */
  steps: number;
  /** Images per batch, drawn uniformly with replacement. */
  batchSize: number;
  /** Seed of the sampling and augmentation stream. */
  seed: number;
  /** Augmentations of each view. Default `full`. */
  augmentation?: Augmentation;
  /** Makes one view of an image (default {@link augment}, the shape images' augmentations). */
  view?: (img: Float32Array, rand: () => number, augmentation: Augmentation) => Float32Array;
}

/**
 * `steps` batches of two independently augmented views of `batchSize` images drawn from `data`,
 * as `[batchSize, values per image]` tensors with the images' indices (`ids`, for NNCLR's self-exclusion)
 * and labels (only for the neighbour-accuracy metric). Lazy: each batch is made when requested and
 * its tensors belong to the consumer.
 */
export function* twoViewBatches(data: Dataset, o: TwoViewBatchOptions): Generator<TwoViewBatch> {
  const rand = uniform(o.seed);
  const n = o.batchSize;
  const dim = data.images[0]?.length ?? PIXELS;
  const view = o.view ?? augment;
  const aug = o.augmentation ?? 'full';
  for (let s = 0; s < o.steps; s++) {
    const idx = Array.from({ length: n }, () => randInt(rand, data.images.length));
    const v0 = new Float32Array(n * dim);
    const v1 = new Float32Array(n * dim);
    idx.forEach((j, i) => {
      v0.set(view(data.images[j], rand, aug), i * dim);
      v1.set(view(data.images[j], rand, aug), i * dim);
    });
    yield {
      view0: tf.tensor2d(v0, [n, dim]),
      view1: tf.tensor2d(v1, [n, dim]),
      ids: idx,
      labels: idx.map((j) => data.labels[j]),
    };
  }
}
