/**
 * This example's seeded streams: the kit's mulberry32 (`@paperstack/example-kit`) with the seed
 * first multiplied by the golden-ratio constant 0x9e3779b1, so that neighbouring seeds start far
 * apart. The mixing is what every measured number in this example's README was drawn with; keep it.
 */
import * as kit from '@paperstack/example-kit';

const mix = (seed: number): number => seed * 0x9e3779b1;

/** Seeded uniform [0, 1) generator: the same seed gives the same stream. */
export const uniform = (seed: number): (() => number) => kit.uniform(mix(seed));

/** Seeded standard normal generator (Box–Muller on {@link uniform}). */
export const normal = (seed: number): (() => number) => kit.normal(mix(seed));

/** A seeded Fisher–Yates permutation of `0..n-1`. */
export const permutation = (n: number, seed: number): Int32Array => kit.permutation(uniform(seed), n);
