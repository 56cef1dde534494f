import { describe, expect, it } from 'vitest';
import { meanStd } from './stats';

describe('meanStd', () => {
  it('gives the sample standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
    expect(meanStd([2])).toEqual({ mean: 2, std: 0 });
  });
});
