/**
 * Float64 Cholesky: this package's flat row-major blocked implementation vs ml-matrix's
 * `CholeskyDecomposition` (array-of-rows), and ml-matrix's symmetric eigendecomposition (the spectral
 * λ-path), on a Gaussian Gram matrix K/n + λI.
 *
 *   pnpm exec tsx packages/kernel-dre/bench/linalg.ts [--n 1000]
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { gaussianKernel, gram } from '../src/index';
import { cholesky, symmetricEigen } from '../src/linalg';
import { gaussianSample } from '../src/test-helpers';

const i = process.argv.indexOf('--n');
const n = i >= 0 ? Number(process.argv[i + 1]) : 1000;
const x = gaussianSample(n, 50, 0, 1, 3);
const K = gram(
  gaussianKernel(1 / 100),
  { data: x.data, rows: n, cols: 50 },
  { data: x.data, rows: n, cols: 50 },
);
for (let k = 0; k < n * n; k++) K[k] /= n;
for (let k = 0; k < n; k++) K[k * n + k] += 1e-3;
const time = (f: () => unknown) => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};
const ours = time(() => cholesky(K, n));
const rows: number[][] = [];
for (let r = 0; r < n; r++) rows.push(Array.from(K.subarray(r * n, (r + 1) * n)));
const mlm = time(() => new CholeskyDecomposition(new Matrix(rows)));
const eig = n <= 2000 ? time(() => symmetricEigen(K, n)) : Number.NaN;
console.log(
  JSON.stringify({ n, oursCholeskySeconds: ours, mlMatrixCholeskySeconds: mlm, mlMatrixSymEigSeconds: eig }),
);
