import { describe, expect, it } from 'vitest';
import { compareCell, compareReports, parseCell } from './compare';
import type { ReportJson } from './render';

const report = (backend: string, rows: (string | number)[][]): ReportJson => ({
  info: {
    started: '2026-12-06T00:00:00.000Z',
    backend,
    preset: 'quick',
    jobs: 1,
    totalMs: 1000,
    node: 'v20',
  },
  pipelines: [
    {
      name: 'p',
      title: 'P',
      summary: '',
      config: {},
      tables: [{ title: 't', columns: ['method', 'k-NN %', 'time (s)'], rows }],
      figures: [],
      timing: { train: 500 },
    },
  ],
});

describe('comparing two demo reports', () => {
  it('reads numbers, units and mean ± sd', () => {
    expect(parseCell(3)).toEqual({ mean: 3 });
    expect(parseCell('41.8 ± 2.8')).toEqual({ mean: 41.8, sd: 2.8 });
    expect(parseCell('0.983 ± 0.026 %')).toEqual({ mean: 0.983, sd: 0.026 });
    expect(parseCell('12.5 %')).toEqual({ mean: 12.5 });
    expect(parseCell('CLOOB')).toBeUndefined();
  });

  it('judges mean ± sd by overlap of the intervals, single values by relative difference', () => {
    expect(compareCell('40.0 ± 1.0', '41.9 ± 1.0', 'acc')).toBe('within spread');
    expect(compareCell('40.0 ± 1.0', '42.1 ± 1.0', 'acc')).toBe('outside spread');
    expect(compareCell(1, 1 + 1e-12, 'acc')).toBe('same');
    expect(compareCell(1, 1.0005, 'acc')).toBe('close');
    expect(compareCell(1, 1.01, 'acc')).toBe('differs');
    expect(compareCell(4e-9, 6e-8, 'error', 0.5)).toBe('close');
    expect(compareCell(0.01, 0.02, 'error', 0.5)).toBe('differs');
    expect(compareCell(1, 2, 'time (s)')).toBe('timing');
    expect(compareCell('CLIP', 'CLOOB', 'method')).toBe('text differs');
  });

  it('compares tables cell by cell and lists what is not the same', () => {
    const a = report('wasm', [
      ['CLIP', '40.0 ± 1.0', 12],
      ['CLOOB', 30, 14],
    ]);
    const b = report('tensorflow', [
      ['CLIP', '43.0 ± 1.0', 5],
      ['CLOOB', 30.00001, 6],
    ]);
    const [p] = compareReports(a, b);
    expect(p.counts).toMatchObject({ same: 2, close: 1, 'outside spread': 1, timing: 2 });
    expect(p.diffs).toEqual([
      expect.objectContaining({ row: 0, column: 'k-NN %', verdict: 'outside spread', a: '40.0 ± 1.0' }),
    ]);
    const c = report('tensorflow', [['CLIP', '40.0 ± 1.0', 5]]);
    expect(compareReports(a, c)[0].mismatches).toEqual(['table "t": 2×3 in A, 1×3 in B']);
  });
});
