import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { resolveDataOptions } from './cache';
import type { ImageSet } from './images';
import { type SklearnDataOptions, sklearnDataFile } from './sklearn-file';

/**
 * sha256 of scikit-learn's `sklearn/datasets/data/digits.csv.gz` once decompressed (the gzip
 * header differs between builds; the CSV is the same in Debian's python3-sklearn 1.4 and the
 * scikit-learn 1.9.1 wheel): 1,797 lines of 64 pixel values in 0…16 and the digit.
 */
export const DIGITS_CSV_SHA256 = '6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8';
const CSV_IN_PACKAGE = 'sklearn/datasets/data/digits.csv.gz';

/** Options of {@link loadDigits}. */
export type DigitsOptions = SklearnDataOptions;

/**
 * sklearn's digits (UCI optical recognition of handwritten digits, the 1,797 8×8 images of
 * `sklearn.datasets.load_digits`): pixels 0…16 (`scale` 16), ordered as in the file.
 * Where from, in this order, the first that verifies: the cache (`<cacheDir>/sklearn-digits/digits.csv`),
 * the `digits.csv.gz` of a scikit-learn installed for one of `pythons`, or the scikit-learn wheel
 * that `python -m pip download scikit-learn --no-deps` brings (unzipped with fflate). The CSV is
 * checked against {@link DIGITS_CSV_SHA256} and cached.
 * @throws DataUnavailableError naming every route tried when none gives the file.
 * @throws ChecksumError when the cached file is not the pinned one.
 */
export function loadDigits(opts: DigitsOptions = {}): ImageSet {
  const o = resolveDataOptions(opts);
  const csv = sklearnDataFile(
    {
      dataset: 'sklearn digits',
      fileInPackage: CSV_IN_PACKAGE,
      cacheFile: join(o.cacheDir, 'sklearn-digits', 'digits.csv'),
      sha256: DIGITS_CSV_SHA256,
      decode: (gz) => gunzipSync(gz),
      pythons: opts.pythons ?? ['python3', '/usr/bin/python3'],
    },
    o,
  );
  return parseDigitsCsv(Buffer.from(csv).toString('utf8'));
}

/** Parses the digits CSV (64 pixel columns and the label per line). */
export function parseDigitsCsv(text: string): ImageSet {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const n = lines.length;
  const pixels = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  lines.forEach((line, i) => {
    const v = line.split(',').map(Number);
    if (v.length !== 65 || v.some((x) => !Number.isFinite(x)))
      throw new RangeError(
        `parseDigitsCsv: line ${i + 1}: expected 65 numbers, received '${line.slice(0, 40)}…'`,
      );
    pixels.set(v.slice(0, 64), i * 64);
    labels[i] = v[64];
  });
  return {
    name: 'sklearn-digits',
    pixels,
    scale: 16,
    labels,
    n,
    height: 8,
    width: 8,
    channels: 1,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}
