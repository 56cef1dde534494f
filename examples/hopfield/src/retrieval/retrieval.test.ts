import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { patternsForMassRows } from '../analysis/mass';
import { crossingCount } from './experiment';
import { measureClassicalRetrieval, measureRetrieval } from './measure';
import { corrupt, mnistPatterns, randomPatterns } from './patterns';

describe('pattern generators', () => {
  it('are deterministic per seed, ±1 or standard normal', () => {
    const a = randomPatterns('binary', 50, 16, 3);
    expect(a.data).toEqual(randomPatterns('binary', 50, 16, 3).data);
    expect(a.data).not.toEqual(randomPatterns('binary', 50, 16, 4).data);
    expect(new Set(a.data)).toEqual(new Set([-1, 1]));
    const g = randomPatterns('gaussian', 2000, 8, 1).data;
    const m = g.reduce((s, x) => s + x, 0) / g.length;
    const v = g.reduce((s, x) => s + (x - m) ** 2, 0) / g.length;
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
    expect(() => randomPatterns('binary', 0, 4, 0)).toThrow(/count/);
  });

  it('MNIST digits are 784-dim in [−1, 1] with labels', () => {
    const p = mnistPatterns(20, 0);
    expect(p.dim).toBe(784);
    expect(p.labels!.length).toBe(20);
    expect(Math.min(...p.data)).toBe(-1);
    expect(Math.max(...p.data)).toBeLessThanOrEqual(1);
    expect(p.data).toEqual(mnistPatterns(20, 0).data);
  });

  it('corruptions flip / mask exactly the requested fraction', () => {
    const p = randomPatterns('binary', 4, 100, 0);
    const flipped = corrupt(p, [2], { kind: 'flip', level: 0.2 }, 1);
    let diff = 0;
    for (let j = 0; j < 100; j++) diff += flipped[j] !== p.data[200 + j] ? 1 : 0;
    expect(diff).toBe(20);
    const masked = corrupt(p, [0, 1], { kind: 'mask-end', level: 0.5 }, 1);
    expect(Array.from(masked.subarray(50, 100)).every((x) => x === 0)).toBe(true);
    expect(Array.from(masked.subarray(0, 50))).toEqual(Array.from(p.data.subarray(0, 50)));
    const zeroed = corrupt(p, [0], { kind: 'mask', level: 0.3 }, 2);
    expect(zeroed.filter((x) => x === 0).length).toBe(30);
    expect(() => corrupt(p, [0], { kind: 'flip', level: 1.5 }, 0)).toThrow(/level/);
  });
});

describe('patternsForMassRows', () => {
  it('counts the patterns that hold the mass threshold', () => {
    const rows = Float32Array.from([1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25, 0.5, 0.45, 0.05, 0]);
    expect(Array.from(patternsForMassRows(rows, 4, 0.9))).toEqual([1, 4, 2]);
    expect(() => patternsForMassRows(rows, 5)).toThrow(/rows of 5/);
  });
});

describe('crossingCount', () => {
  it('interpolates the 50% crossing in log N', () => {
    expect(
      crossingCount([
        { count: 4, failure: 0 },
        { count: 16, failure: 0.25 },
        { count: 64, failure: 0.75 },
      ]),
    ).toBeCloseTo(32, 6);
    expect(crossingCount([{ count: 4, failure: 0.1 }])).toBeNull();
  });
});

describeBackends('retrieval', () => {
  it('large β retrieves well-separated patterns in one update; small β averages', async () => {
    const stored = randomPatterns('binary', 64, 64, 5);
    const targets = Int32Array.from({ length: 32 }, (_, i) => i);
    const queries = corrupt(stored, targets, { kind: 'flip', level: 0.1 }, 6);
    const sharp = await measureRetrieval(stored, queries, targets, { beta: 1, mass: true });
    expect(Math.max(...sharp.relError)).toBeLessThan(1e-3);
    expect(Array.from(sharp.k90!).every((k) => k === 1)).toBe(true);
    const soft = await measureRetrieval(stored, queries, targets, { beta: 0.01, mass: true });
    expect(Math.min(...soft.relError)).toBeGreaterThan(0.5);
    expect(Math.min(...soft.k90!)).toBeGreaterThan(32);
    // iterating from a well-separated query changes nothing (Theorem 4)
    const conv = await measureRetrieval(stored, queries, targets, { beta: 1, updateStepsMax: null });
    expect(Math.max(...conv.relError)).toBeLessThan(1e-3);
  });

  it('chunked queries give the same result; the classical network retrieves few patterns', async () => {
    const stored = randomPatterns('gaussian', 40, 16, 1);
    const targets = Int32Array.from({ length: 10 }, (_, i) => i * 3);
    const queries = corrupt(stored, targets, { kind: 'flip', level: 0.1 }, 2);
    const whole = await measureRetrieval(stored, queries, targets, { beta: 0.5 });
    const chunked = await measureRetrieval(stored, queries, targets, { beta: 0.5, chunkEntries: 40 * 3 });
    expect(Array.from(chunked.relError)).toEqual(Array.from(whole.relError).map((x) => expect.closeTo(x, 5)));
    const few = randomPatterns('binary', 2, 64, 3);
    const t2 = Int32Array.from([0, 1]);
    const c = await measureClassicalRetrieval(few, corrupt(few, t2, { kind: 'flip', level: 0.1 }, 4), t2);
    expect(Array.from(c.relError)).toEqual([0, 0]);
  });

  it('leaks no tensors', async () => {
    const stored = randomPatterns('binary', 16, 8, 1);
    const targets = Int32Array.from([0, 1, 2]);
    const queries = corrupt(stored, targets, { kind: 'flip', level: 0.1 }, 2);
    await expectNoLeakedTensors(async () => {
      await measureRetrieval(stored, queries, targets, { beta: 1, updateStepsMax: 2, mass: true });
      await measureClassicalRetrieval(stored, queries, targets);
    });
  });
});
