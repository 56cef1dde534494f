import { describe, expect, it } from 'vitest';
import { uniform } from '../random';
import { meanStd, rocAuc } from './auc';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, ½ for a constant score', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([0, 1, 0, 1], [3, 3, 3, 3])).toBe(0.5);
  });

  it('matches hand-counted pairs, ties counting ½', () => {
    // positives {0.4, 0.8}, negatives {0.1, 0.4, 0.9}: pairs won 1 + ½ + 0 + 1 + 1 + 0 = 3.5 of 6
    expect(rocAuc([1, 1, 0, 0, 0], [0.4, 0.8, 0.1, 0.4, 0.9])).toBeCloseTo(3.5 / 6, 12);
    // the sklearn docs example: y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8] → 0.75
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('agrees with the O(n²) pair count on random data', () => {
    const r = uniform(7);
    const labels = Array.from({ length: 200 }, () => (r() < 0.4 ? 1 : 0));
    const scores = labels.map((l) => Math.round((r() + 0.3 * l) * 20) / 20); // with ties
    let won = 0;
    let pairs = 0;
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < labels.length; j++) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          won += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
    }
    expect(rocAuc(labels, scores)).toBeCloseTo(won / pairs, 12);
  });

  it('rejects one-class labels, bad labels, NaN scores and length mismatches', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
    expect(() => rocAuc([0, 2], [0.2, 0.3])).toThrow(/labels must be 0 or 1/);
    expect(() => rocAuc([0, 1], [0.2, Number.NaN])).toThrow(/index 1/);
    expect(() => rocAuc([0, 1, 1], [0.2, 0.3])).toThrow(/differ in length/);
  });
});

describe('meanStd', () => {
  it('gives the sample standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
    expect(meanStd([2])).toEqual({ mean: 2, std: 0 });
  });
});
