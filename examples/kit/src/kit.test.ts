import { describe, expect, it } from 'vitest';
import {
  cliArgs,
  meanSd,
  normal,
  permutation,
  reportProblems,
  rocAuc,
  round,
  uniform,
  VEGA_LITE_SCHEMA,
} from './index';

describe('seeded randomness', () => {
  it('repeats a stream for a seed and differs between seeds', () => {
    const a = uniform(7);
    const b = uniform(7);
    const c = uniform(8);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws normals with mean ≈ 0 and variance ≈ 1', () => {
    const n = normal(3);
    const xs = Array.from({ length: 20000 }, () => n());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutes every index exactly once', () => {
    const p = permutation(uniform(1), 100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 for ties', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([0, 1, 0, 1], [1, 1, 1, 1])).toBe(0.5);
  });

  it('counts pairs (Mann–Whitney U)', () => {
    // positives 0.4, 0.9 vs negatives 0.1, 0.5: pairs won 1 + 2 of 4.
    expect(rocAuc([1, 1, 0, 0], [0.4, 0.9, 0.1, 0.5])).toBe(0.75);
  });

  it('names the problem on bad input', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(/both classes, received 2 positives and 0 negatives/);
    expect(() => rocAuc([1, 0], [0.1])).toThrow(/equal length, received 2 and 1/);
  });
});

describe('meanSd', () => {
  it('sample standard deviation, NaN skipped, 0 for one value', () => {
    const r = meanSd([1, 2, 3, Number.NaN]);
    expect(r.mean).toBe(2);
    expect(r.sd).toBeCloseTo(1, 12);
    expect(r.n).toBe(3);
    expect(meanSd([4]).sd).toBe(0);
  });
});

describe('round', () => {
  it('keeps significant digits and passes non-finite values', () => {
    expect(round(2 / 3)).toBe(0.6667);
    expect(round(123456, 2)).toBe(120000);
    expect(round(Number.NaN)).toBeNaN();
  });
});

describe('reportProblems', () => {
  const good = {
    name: 'x',
    title: 'X',
    summary: 'what x shows',
    config: {},
    tables: [{ title: 't', columns: ['a', 'b'], rows: [[1, 'one']] }],
    figures: [
      { title: 'f', spec: { $schema: VEGA_LITE_SCHEMA, data: { values: [{ a: 1 }] }, mark: 'point' } },
    ],
    timing: { all: 12 },
  };

  it('passes a well-formed report', () => {
    expect(reportProblems(good)).toEqual([]);
  });

  it('names each problem', () => {
    const bad = {
      ...good,
      summary: '',
      tables: [{ title: 't', columns: ['a', 'b'], rows: [[1], [Number.NaN, 2]] }],
      figures: [{ title: 'f', spec: { $schema: 'v4', data: { url: 'x.csv' } } }],
      timing: { all: -1 },
    };
    expect(reportProblems(bad)).toEqual([
      'name, title and summary must be non-empty',
      "table 't' row 0: 1 cells for 2 columns",
      "table 't' row 1: a non-finite number",
      "figure 'f': $schema is not Vega-Lite v5",
      "figure 'f': data not inlined",
      "timing 'all' is -1",
    ]);
  });
});

describe('cliArgs', () => {
  it('drops the -- pnpm passes through, and only a leading one', () => {
    expect(cliArgs(['--', '--preset', 'quick'])).toEqual(['--preset', 'quick']);
    expect(cliArgs(['--preset', 'quick', '--', 'x'])).toEqual(['--preset', 'quick', '--', 'x']);
    expect(cliArgs([])).toEqual([]);
  });
});
