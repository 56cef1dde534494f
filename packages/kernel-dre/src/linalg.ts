/**
 * Float64 dense linear algebra on row-major `Float64Array`s.
 *
 * Cholesky and triangular solves are written here (they are the hot path of every closed form,
 * and a flat row-major loop is several times faster in V8 than array-of-rows storage); the
 * symmetric eigendecomposition and the SVD come from `ml-matrix` (a maintained, pure-JS port of
 * JAMA/LAPACK-style algorithms), used for the spectral λ-path and for pseudo-inverses.
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { DRENumericalError } from './errors';

/**
 * Lower Cholesky factor L of a symmetric positive definite [n, n] matrix (A = L Lᵀ); only the
 * lower triangle of `a` is read. Row-oriented (dot-product) Cholesky processed in blocks of 32 rows,
 * so that each earlier row is streamed once per block, with a 4-way unrolled inner product.
 * Throws `DRENumericalError` if a pivot is not positive.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  const B = 32;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j = 0; j < i1; j++) {
      const rj = j * n;
      for (let i = Math.max(j, i0); i < i1; i++) {
        const ri = i * n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let k = 0;
        for (; k + 3 < j; k += 4) {
          s0 += L[ri + k] * L[rj + k];
          s1 += L[ri + k + 1] * L[rj + k + 1];
          s2 += L[ri + k + 2] * L[rj + k + 2];
          s3 += L[ri + k + 3] * L[rj + k + 3];
        }
        for (; k < j; k++) s0 += L[ri + k] * L[rj + k];
        const s = a[ri + j] - (s0 + s1 + (s2 + s3));
        if (i === j) {
          if (!(s > 0)) {
            throw new DRENumericalError(
              `cholesky: matrix is not positive definite (pivot ${i} = ${s}); increase lambda`,
            );
          }
          L[ri + i] = Math.sqrt(s);
        } else {
          L[ri + j] = s / L[rj + j];
        }
      }
    }
  }
  return L;
}

/** Solves (L Lᵀ) x = b in place for `nrhs` right-hand sides stored as columns of row-major b [n, nrhs]. */
export function cholSolveInPlace(L: Float64Array, n: number, b: Float64Array, nrhs = 1): Float64Array {
  // forward: L y = b
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const bi = i * nrhs;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k];
      if (l === 0) continue;
      const bk = k * nrhs;
      for (let c = 0; c < nrhs; c++) b[bi + c] -= l * b[bk + c];
    }
    const d = L[ri + i];
    for (let c = 0; c < nrhs; c++) b[bi + c] /= d;
  }
  // backward: Lᵀ x = y
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * nrhs;
    for (let k = i + 1; k < n; k++) {
      const l = L[k * n + i];
      if (l === 0) continue;
      const bk = k * nrhs;
      for (let c = 0; c < nrhs; c++) b[bi + c] -= l * b[bk + c];
    }
    const d = L[i * n + i];
    for (let c = 0; c < nrhs; c++) b[bi + c] /= d;
  }
  return b;
}

/** (L Lᵀ)⁻¹ b for one vector, as a new array. */
export function cholSolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return cholSolveInPlace(L, n, Float64Array.from(b), 1);
}

/** y = A x for row-major A [rows, cols]. */
export function matVec(a: Float64Array, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const r = i * cols;
    for (let j = 0; j < cols; j++) s += a[r + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** y = Aᵀ x for row-major A [rows, cols]. */
export function matTVec(a: Float64Array, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const r = i * cols;
    for (let j = 0; j < cols; j++) y[j] += a[r + j] * xi;
  }
  return y;
}

/** Row sums of row-major A [rows, cols], each multiplied by `scale`. */
export function rowSums(a: Float64Array, rows: number, cols: number, scale = 1): Float64Array {
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const r = i * cols;
    for (let j = 0; j < cols; j++) s += a[r + j];
    y[i] = s * scale;
  }
  return y;
}

/** Accumulates out += s·AᵀA for row-major A [rows, cols] (out is [cols, cols], symmetric). */
export function addGramT(a: Float64Array, rows: number, cols: number, out: Float64Array, s = 1): void {
  for (let r = 0; r < rows; r++) {
    const ro = r * cols;
    for (let i = 0; i < cols; i++) {
      const v = a[ro + i] * s;
      if (v === 0) continue;
      const oi = i * cols;
      for (let j = 0; j <= i; j++) out[oi + j] += v * a[ro + j];
    }
  }
}

/** Copies the lower triangle of a square [n, n] matrix onto its upper triangle. */
export function symmetrizeLower(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
}

/** Eigenvalues (ascending) and eigenvectors (columns of row-major U [n, n]) of a symmetric matrix. */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(a.subarray(i * n, (i + 1) * n)));
  const e = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = Float64Array.from(e.realEigenvalues);
  const V = e.eigenvectorMatrix;
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vectors[i * n + j] = V.get(i, j);
  return { values, vectors };
}

/**
 * Moore–Penrose pseudo-inverse of a [rows, cols] matrix with numpy's `rcond` rule: singular values
 * ≤ rcond·σ_max are treated as zero (as `np.linalg.pinv(a, rcond)`).
 */
export function pinv(
  a: Float64Array,
  rows: number,
  cols: number,
  rcond = 1e-15,
): { inverse: Float64Array; singularValues: Float64Array; rank: number } {
  const m: number[][] = [];
  for (let i = 0; i < rows; i++) m.push(Array.from(a.subarray(i * cols, (i + 1) * cols)));
  const svd = new SingularValueDecomposition(new Matrix(m), { autoTranspose: true });
  const s = svd.diagonal;
  const U = svd.leftSingularVectors;
  const V = svd.rightSingularVectors;
  const smax = Math.max(0, ...s);
  const cutoff = rcond * smax;
  const inv = new Float64Array(cols * rows);
  let rank = 0;
  for (let k = 0; k < s.length; k++) {
    if (!(s[k] > cutoff)) continue;
    rank++;
    const w = 1 / s[k];
    for (let i = 0; i < cols; i++) {
      const vik = V.get(i, k) * w;
      if (vik === 0) continue;
      for (let j = 0; j < rows; j++) inv[i * rows + j] += vik * U.get(j, k);
    }
  }
  return { inverse: inv, singularValues: Float64Array.from(s), rank };
}

/** Dot product. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
