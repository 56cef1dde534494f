/**
 * Seeded uniform [0, 1) generator (mulberry32: 32-bit state, period 2^32). Used where the papers draw
 * `torch.rand` noise (MAE random masking, augmentations) so that the same seed gives the same draws on
 * every backend — tfjs random ops are not needed for host-side index bookkeeping.
 */
export function seededRandom(seed: number): () => number {
  let a = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
