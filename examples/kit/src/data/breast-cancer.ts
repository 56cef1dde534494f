import { join } from 'node:path';
import { resolveDataOptions } from './cache';
import { type SklearnDataOptions, sklearnDataFile } from './sklearn-file';

/**
 * sha256 of scikit-learn's `sklearn/datasets/data/breast_cancer.csv` (stored uncompressed): a header
 * line `569,30,malignant,benign`, then 569 lines of 30 features and the class (0 malignant, 1 benign).
 * Checked against Debian's python3-sklearn 1.2.1.
 */
export const BREAST_CANCER_CSV_SHA256 = 'fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed';
const CSV_IN_PACKAGE = 'sklearn/datasets/data/breast_cancer.csv';

/** A numeric table with one class label per row (row-major features). */
export interface LabelledTable {
  name: string;
  /** Row-major [n, d] features, as in the file (not standardised). */
  x: Float64Array;
  n: number;
  d: number;
  labels: Int32Array;
  classNames: string[];
}

/**
 * sklearn's Wisconsin diagnostic breast cancer data (`sklearn.datasets.load_breast_cancer`): 569 rows of
 * 30 real features, labels 0 = malignant (212), 1 = benign (357), ordered as in the file. Found like
 * {@link loadDigits} (cache `<cacheDir>/sklearn-breast-cancer/breast_cancer.csv`, an installed
 * scikit-learn, or the scikit-learn wheel) and checked against {@link BREAST_CANCER_CSV_SHA256}.
 * @throws DataUnavailableError naming every route tried when none gives the file.
 * @throws ChecksumError when the cached file is not the pinned one.
 */
export function loadBreastCancer(opts: SklearnDataOptions = {}): LabelledTable {
  const o = resolveDataOptions(opts);
  const csv = sklearnDataFile(
    {
      dataset: 'sklearn breast cancer',
      fileInPackage: CSV_IN_PACKAGE,
      cacheFile: join(o.cacheDir, 'sklearn-breast-cancer', 'breast_cancer.csv'),
      sha256: BREAST_CANCER_CSV_SHA256,
      pythons: opts.pythons ?? ['python3', '/usr/bin/python3'],
    },
    o,
  );
  return parseBreastCancerCsv(Buffer.from(csv).toString('utf8'));
}

/**
 * Parses sklearn's bundled-CSV layout: a header `n,d,<class names…>`, then n lines of d numbers and
 * an integer class index.
 */
export function parseBreastCancerCsv(text: string): LabelledTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',');
  const n = Number(header[0]);
  const d = Number(header[1]);
  const classNames = header.slice(2).map((s) => s.trim());
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1 || classNames.length < 2)
    throw new RangeError(
      `parseBreastCancerCsv: header: expected 'n,d,<class names>', received '${header.join(',').slice(0, 40)}'`,
    );
  if (lines.length !== n)
    throw new RangeError(`parseBreastCancerCsv: expected ${n} rows (header), received ${lines.length}`);
  const x = new Float64Array(n * d);
  const labels = new Int32Array(n);
  lines.forEach((line, i) => {
    const v = line.split(',').map(Number);
    const y = v[d];
    if (
      v.length !== d + 1 ||
      v.some((a) => !Number.isFinite(a)) ||
      !Number.isInteger(y) ||
      y < 0 ||
      y >= classNames.length
    )
      throw new RangeError(
        `parseBreastCancerCsv: line ${i + 2}: expected ${d} numbers and a class index < ${classNames.length}, received '${line.slice(0, 40)}…'`,
      );
    x.set(v.slice(0, d), i * d);
    labels[i] = y;
  });
  return { name: 'sklearn-breast-cancer', x, n, d, labels, classNames };
}
