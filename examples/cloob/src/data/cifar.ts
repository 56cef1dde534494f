import { uniform } from '@paperstack/example-kit';
import {
  CIFAR10_CLASSES,
  type DataOptions,
  type ImageSet,
  loadCifar10,
  perClassRows,
} from '@paperstack/example-kit/data';
import { hashedBagOfWords } from './folder';
import type { PairedDataset } from './paired';

/**
 * Words a caption may use for each CIFAR-10 class (the first is the class name the zero-shot
 * prompts use): several synonyms per class, so that a caption is not a fixed label token.
 */
export const CIFAR10_SYNONYMS: Record<(typeof CIFAR10_CLASSES)[number], string[]> = {
  airplane: ['airplane', 'plane', 'aircraft', 'jet', 'airliner'],
  automobile: ['automobile', 'car', 'sedan', 'hatchback', 'coupe'],
  bird: ['bird', 'sparrow', 'finch', 'songbird', 'ostrich'],
  cat: ['cat', 'kitten', 'kitty', 'tabby', 'moggy'],
  deer: ['deer', 'fawn', 'stag', 'doe', 'elk'],
  dog: ['dog', 'puppy', 'pup', 'hound', 'terrier'],
  frog: ['frog', 'toad', 'bullfrog', 'treefrog', 'amphibian'],
  horse: ['horse', 'pony', 'stallion', 'mare', 'foal'],
  ship: ['ship', 'boat', 'vessel', 'freighter', 'ferry'],
  truck: ['truck', 'lorry', 'pickup', 'tipper', 'semi'],
};

/** Caption templates of the training (and held-out) pairs; `{}` is a synonym of the class. */
export const CAPTION_TEMPLATES = [
  '{}',
  'a photo of a {}',
  'my {} in the picture',
  'look at this {}!',
  'a {} seen from far away',
  'snapshot: {} outdoors',
  'the {} again, sorry for the quality',
  'a small {} in a low resolution image',
  'there is a {} here',
  'another {} picture from my collection',
];

/**
 * The zero-shot prompt ensemble (CLIP/CLOOB's protocol: each class's prompts are embedded,
 * normalized, averaged and re-normalized; cloob `zero_shot.py`). No template here is a caption
 * template, and the prompts use the class name only.
 */
export const ZERO_SHOT_TEMPLATES = [
  'a photo of the {}.',
  'a blurry photo of a {}.',
  'a close-up photo of a {}.',
  'a bright photo of the {}.',
  'a pixelated photo of the {}.',
  'a cropped photo of a {}.',
  'a good photo of the {}.',
];

/** Options of {@link loadCifarPairs}. */
export interface CifarPairsOptions extends DataOptions {
  /** Training pairs, a multiple of 10: the first `trainPairs / 10` images of each class of CIFAR-10's train split. */
  trainPairs: number;
  /** Held-out pairs, a multiple of 10: the first `testPairs / 10` images of each class of the test split. */
  testPairs: number;
  /** Seed of the captions (template and synonym of every pair). Default 0. */
  seed?: number;
  /** Caption features: hashed bag-of-words buckets (as `loadPairedFolder`). Default 512. */
  textDim?: number;
}

/**
 * A real paired image–caption set from CIFAR-10 (`loadCifar10` of the example kit): each image
 * gets a caption made from a random template of {@link CAPTION_TEMPLATES} and a random synonym of
 * its class ({@link CIFAR10_SYNONYMS}); zero-shot prompts are the class names in the
 * {@link ZERO_SHOT_TEMPLATES} ensemble (`promptsPerClass` rows per class). Images are 2×2
 * area-averaged to 16×16 RGB (768 values) and standardized per channel with the training pairs'
 * mean and std; captions are hashed bag-of-words vectors as in {@link loadPairedFolder}.
 * @throws DataUnavailableError when CIFAR-10 is neither cached nor downloadable.
 */
export async function loadCifarPairs(
  opts: CifarPairsOptions,
): Promise<{ train: PairedDataset; test: PairedDataset }> {
  const { trainPairs, testPairs, seed = 0, textDim = 512 } = opts;
  for (const [name, v] of Object.entries({ trainPairs, testPairs }))
    if (!(Number.isInteger(v) && v >= 10 && v % 10 === 0))
      throw new RangeError(`loadCifarPairs: expected ${name} to be a positive multiple of 10, received ${v}`);
  const cifar = await loadCifar10(opts);
  const rand = uniform(seed * 31 + 17);
  const trainRows = perClassRows(cifar.train, trainPairs / 10);
  const testRows = perClassRows(cifar.test, testPairs / 10);
  const trainImages = downsample(cifar.train, trainRows);
  const testImages = downsample(cifar.test, testRows);
  const { mean, std } = channelStats(trainImages);
  for (const x of [trainImages, testImages])
    for (let k = 0; k < x.length; k++) x[k] = (x[k] - mean[k % 3]) / std[k % 3];
  const classNames = [...CIFAR10_CLASSES];
  const prompts = new Float32Array(classNames.length * ZERO_SHOT_TEMPLATES.length * textDim);
  for (const [c, name] of classNames.entries())
    for (const [j, t] of ZERO_SHOT_TEMPLATES.entries())
      prompts.set(
        hashedBagOfWords(t.replace('{}', name), textDim),
        (c * ZERO_SHOT_TEMPLATES.length + j) * textDim,
      );
  const make = (set: ImageSet, rows: Int32Array, images: Float32Array): PairedDataset => {
    const texts = new Float32Array(rows.length * textDim);
    const labels = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      const c = set.labels[r];
      labels[i] = c;
      const words = CIFAR10_SYNONYMS[CIFAR10_CLASSES[c]];
      const template = CAPTION_TEMPLATES[Math.floor(rand() * CAPTION_TEMPLATES.length)];
      const word = words[Math.floor(rand() * words.length)];
      texts.set(hashedBagOfWords(template.replace('{}', word), textDim), i * textDim);
    });
    return {
      images,
      texts,
      labels,
      prompts,
      promptsPerClass: ZERO_SHOT_TEMPLATES.length,
      imageDim: 16 * 16 * 3,
      textDim,
      classNames,
    };
  };
  return { train: make(cifar.train, trainRows, trainImages), test: make(cifar.test, testRows, testImages) };
}

/** 2×2 area-average of 32×32 RGB bytes to 16×16 RGB in [0, 1], rows `rows`. */
function downsample(set: ImageSet, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * 768);
  rows.forEach((r, i) => {
    const src = r * 3072;
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++)
        for (let ch = 0; ch < 3; ch++) {
          const p = (a: number, b: number) => set.pixels[src + ((2 * y + a) * 32 + 2 * x + b) * 3 + ch];
          out[i * 768 + (y * 16 + x) * 3 + ch] = (p(0, 0) + p(0, 1) + p(1, 0) + p(1, 1)) / (4 * set.scale);
        }
  });
  return out;
}

function channelStats(x: Float32Array): { mean: number[]; std: number[] } {
  const mean = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let k = 0; k < x.length; k++) {
    mean[k % 3] += x[k];
    sq[k % 3] += x[k] * x[k];
  }
  const n = x.length / 3;
  return {
    mean: mean.map((m) => m / n),
    std: mean.map((m, c) => Math.sqrt(Math.max(sq[c] / n - (m / n) ** 2, 1e-12))),
  };
}
