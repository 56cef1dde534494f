// Test-only helpers (not exported from index.ts).
import type { FixtureArray } from '@paperstack/test-utils';
import type { Samples } from './samples';

/** A fixture array [n, d] as `{ data, dim }`. */
export function samples(a: FixtureArray): Samples {
  return { data: Float64Array.from(a.data), dim: a.shape[1] };
}

/** Seeded gaussian sample [n, d] with the given mean/scale. */
export function gaussianSample(n: number, d: number, mean: number, scale: number, seed: number): Samples {
  let s = seed >>> 0 || 1;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const data = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++)
    data[i] = mean + scale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { data, dim: d };
}
