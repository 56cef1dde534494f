/**
 * Seeded randomness for deterministic example data: the same seed gives the same stream on every
 * machine and backend (tensor-side randomness depends on the backend; this does not).
 */

/** Seeded uniform [0, 1) generator (mulberry32, 32-bit state). */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded standard normal generator (Box–Muller on {@link uniform}, one draw per two uniforms). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** An integer in `[0, n)` from a uniform generator. */
export function randInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/** A Fisher–Yates permutation of `0..n-1` drawn from `rand`. */
export function permutation(rand: () => number, n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(rand, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
