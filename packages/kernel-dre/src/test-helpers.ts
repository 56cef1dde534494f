// Test-only helpers (not exported from index.ts).
import type { FixtureArray } from '@paperstack/test-utils';
import { Rng } from './random';
import type { Samples } from './samples';

/** A fixture array [n, d] as `{ data, dim }`. */
export function samples(a: FixtureArray): Samples {
  return { data: Float64Array.from(a.data), dim: a.shape[1] };
}

/** Seeded gaussian sample [n, d] with the given mean/scale. */
export function gaussianSample(n: number, d: number, mean: number, scale: number, seed: number): Samples {
  const rng = new Rng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) data[i] = mean + scale * rng.normal();
  return { data, dim: d };
}
