/**
 * Seeded randomness (mulberry32): every random choice in this package takes a seed, and the same
 * seed gives the same result on every platform.
 */
export class Rng {
  private s: number;
  constructor(seed = 0) {
    this.s = scramble(seed);
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
  /** `k` distinct indices from 0..n-1 (all of them, shuffled, when k ≥ n). */
  sample(n: number, k: number): Int32Array {
    return this.permutation(n).subarray(0, Math.min(k, n));
  }
}

/**
 * murmur3's 32-bit finalizer of seed + golden-ratio constant: neighbouring seeds (1, 2, …) give
 * unrelated streams (raw mulberry32 states that differ by 1 produce correlated outputs).
 */
export function scramble(seed: number): number {
  let h = (seed + 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
