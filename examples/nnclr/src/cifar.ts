/**
 * Real images for the NNCLR experiment: CIFAR-10 from the example kit's cached loader, 2×2
 * area-averaged to 16×16 RGB, and the SimCLR-style augmentations (Chen et al. 2020 §3, NNCLR
 * paper §4.1 uses the same family) at that size.
 */
import { randInt } from '@paperstack/example-kit';
import { type DataOptions, type ImageSet, loadCifar10, perClassRows } from '@paperstack/example-kit/data';
import type { Augmentation } from './augment';
import type { Dataset } from './shapes';

/** Side of a CIFAR-10 image after the 2×2 area-average. */
export const CIFAR_SIDE = 16;
/** Values per downsampled CIFAR-10 image (16 · 16 · 3, HWC). */
export const CIFAR_DIM = CIFAR_SIDE * CIFAR_SIDE * 3;

/**
 * `trainImages` images of CIFAR-10's train split and `testImages` of its test split (both
 * multiples of 10, balanced: the first images of each class in stored order), interleaved by class
 * (so the first `10k` images hold `k` of every class), as 16×16 RGB in [0, 1].
 * @throws DataUnavailableError when CIFAR-10 is neither cached nor downloadable.
 */
export async function loadCifarDataset(
  trainImages: number,
  testImages: number,
  data: DataOptions = {},
): Promise<{ train: Dataset; test: Dataset }> {
  for (const [name, v] of Object.entries({ trainImages, testImages }))
    if (!(Number.isInteger(v) && v >= 10 && v % 10 === 0))
      throw new RangeError(
        `loadCifarDataset: expected ${name} to be a positive multiple of 10, received ${v}`,
      );
  const cifar = await loadCifar10(data);
  return { train: take(cifar.train, trainImages / 10), test: take(cifar.test, testImages / 10) };
}

function take(set: ImageSet, perClass: number): Dataset {
  const grouped = perClassRows(set, perClass);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < perClass; i++)
    for (let c = 0; c < 10; c++) {
      const r = grouped[c * perClass + i];
      images.push(downsample(set.pixels, r * 3072, set.scale));
      labels.push(set.labels[r]);
    }
  return { images, labels };
}

function downsample(px: ArrayLike<number>, from: number, scale: number): Float32Array {
  const out = new Float32Array(CIFAR_DIM);
  for (let y = 0; y < CIFAR_SIDE; y++)
    for (let x = 0; x < CIFAR_SIDE; x++)
      for (let ch = 0; ch < 3; ch++) {
        const p = (a: number, b: number) => px[from + ((2 * y + a) * 32 + 2 * x + b) * 3 + ch];
        out[(y * CIFAR_SIDE + x) * 3 + ch] = (p(0, 0) + p(0, 1) + p(1, 0) + p(1, 1)) / (4 * scale);
      }
  return out;
}

/**
 * One augmented view of a 16×16 RGB image in [0, 1]: a random translation by up to ±2 px with the
 * border replicated (the crop of SimCLR at this size) and a horizontal flip with p 0.5; with
 * `full`, also colour jitter with p 0.8 (brightness, contrast and saturation factors each
 * U(0.6, 1.4), in that order) and grayscale with p 0.2, clamped to [0, 1]. Draws from `rand` in
 * a fixed order, so a seed fixes every view.
 */
export function augmentColor(
  img: Float32Array,
  rand: () => number,
  augmentation: Augmentation = 'full',
): Float32Array {
  if (img.length !== CIFAR_DIM)
    throw new RangeError(`augmentColor: img must hold ${CIFAR_DIM} values (16×16×3), received ${img.length}`);
  const S = CIFAR_SIDE;
  const sx = randInt(rand, 5) - 2;
  const sy = randInt(rand, 5) - 2;
  const flip = rand() < 0.5;
  const jitter = rand() < 0.8;
  const brightness = 0.6 + 0.8 * rand();
  const contrast = 0.6 + 0.8 * rand();
  const saturation = 0.6 + 0.8 * rand();
  const gray = rand() < 0.2;
  const full = augmentation === 'full';
  const out = new Float32Array(CIFAR_DIM);
  const clamp = (v: number, hi: number) => (v < 0 ? 0 : Math.min(v, hi));
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const ox = clamp((flip ? S - 1 - x : x) - sx, S - 1);
      const oy = clamp(y - sy, S - 1);
      for (let ch = 0; ch < 3; ch++) out[(y * S + x) * 3 + ch] = img[(oy * S + ox) * 3 + ch];
    }
  if (!full) return out;
  const luma = (p: number) => 0.299 * out[p] + 0.587 * out[p + 1] + 0.114 * out[p + 2];
  if (jitter) {
    for (let k = 0; k < CIFAR_DIM; k++) out[k] = clamp(out[k] * brightness, 1);
    let m = 0;
    for (let p = 0; p < CIFAR_DIM; p += 3) m += luma(p);
    m /= S * S;
    for (let k = 0; k < CIFAR_DIM; k++) out[k] = clamp(m + (out[k] - m) * contrast, 1);
    for (let p = 0; p < CIFAR_DIM; p += 3) {
      const l = luma(p);
      for (let ch = 0; ch < 3; ch++) out[p + ch] = clamp(l + (out[p + ch] - l) * saturation, 1);
    }
  }
  if (gray)
    for (let p = 0; p < CIFAR_DIM; p += 3) {
      const l = luma(p);
      out[p] = l;
      out[p + 1] = l;
      out[p + 2] = l;
    }
  return out;
}
