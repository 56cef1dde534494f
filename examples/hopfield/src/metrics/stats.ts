import { meanSd } from '@paperstack/example-kit';

/**
 * Mean and sample standard deviation (0 for one value, NaN for none), under the key `std` that the
 * experiments' results files use.
 */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const { mean, sd } = meanSd(values);
  return { mean, std: sd };
}
