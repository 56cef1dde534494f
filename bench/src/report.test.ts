import { describe, expect, it } from 'vitest';
import {
  benchmarksMarkdown,
  type CaseResult,
  formatMs,
  formatRate,
  mergeRuns,
  ratio,
  resultsTable,
  skipReasons,
  throughputTable,
} from './report';

const cases: CaseResult[] = [
  {
    id: 'mm',
    name: 'matMul',
    group: 'matmul',
    cells: {
      cpu: { ms: 2300, iterations: 1 },
      'wasm-stock': { ms: 240, iterations: 5 },
      wasm: { ms: 20, iterations: 50 },
      'wasm-2t': { ms: 12, iterations: 50 },
      'tf-1t': { ms: 10, iterations: 50 },
      'tf-2t': { skipped: 'not set up: @tensorflow/tfjs-node not installed' },
      'torch-1t': { ms: 8, iterations: 0 },
      'torch-2t': { ms: 4, iterations: 0 },
    },
  },
  {
    id: 'conv',
    name: 'conv2d step',
    group: 'conv',
    cells: {
      cpu: { skipped: '--quick' },
      'wasm-stock': { error: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" },
      wasm: { ms: 0.0456, iterations: 9 },
    },
  },
];

describe('bench report', () => {
  it('formats milliseconds to three significant digits', () => {
    expect([1234.4, 123.4, 12.34, 1.234, 0.1234].map(formatMs)).toEqual([
      '1234',
      '123',
      '12.3',
      '1.23',
      '0.123',
    ]);
    expect(formatMs(Number.NaN)).toBe('n/a');
  });

  it('computes ratios and says – when a side is missing', () => {
    expect(ratio(20, 8)).toBe('2.5×');
    expect(ratio(240, 20)).toBe('12×');
    expect(ratio(1, 4)).toBe('0.25×');
    expect(ratio(undefined, 4)).toBe('–');
    expect(ratio(3, 0)).toBe('–');
  });

  it('renders one row per case, with failures, skips and n/a', () => {
    const table = resultsTable(cases).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe(
      '| matMul | 2300 | 240 | 20.0 | 12.0 | 10.0 | not set up | 8.00 | 4.00 | 2.5× | 3.0× | 1.3× | – | 12× |',
    );
    expect(table[3]).toBe(
      '| conv2d step | skipped | fails¹ | 0.046 | n/a | n/a | n/a | n/a | n/a | – | – | – | – | – |',
    );
    // the reason a native column is not set up is listed once, under the table
    expect(skipReasons(cases)).toEqual([
      'native TensorFlow 2 threads: not set up: @tensorflow/tfjs-node not installed',
    ]);
  });

  it('lists failure reasons under the table', () => {
    const md = benchmarksMarkdown(
      {
        meta: { date: '2026-01-01', commit: 'abc', node: 'v20', cpus: '2 × cpu', torch: 'n/a', quick: true },
        cases,
      },
      '## Notes\n\nhand-written',
    );
    expect(md).toContain("- conv2d step on wasm stock: Kernel 'Conv2DBackpropFilter' not registered");
    expect(md).toContain('--quick');
    expect(md.trimEnd().endsWith('hand-written')).toBe(true);
  });
});

describe('merging a partial run into a results file', () => {
  const meta = (date: string, commit: string) => ({
    date,
    commit,
    node: 'v20',
    cpus: '2 × cpu',
    torch: '1.13',
    quick: false,
  });
  const row = (id: string, wasm: number, torch: number, items?: number): CaseResult => ({
    id,
    name: `case ${id}`,
    group: 'g',
    ...(items ? { items } : {}),
    cells: { wasm: { ms: wasm, iterations: 5 }, 'torch-1t': { ms: torch, iterations: 0 } },
  });
  const target = { meta: meta('2026-11-30T02:33:14Z', 'aaa'), cases: [row('a', 10, 20), row('b', 30, 40)] };
  const partial = {
    meta: { ...meta('2026-11-30T03:40:00Z', 'bbb'), note: 'load average 9' },
    cases: [{ ...row('b', 33, 44), cells: { wasm: { ms: 33, iterations: 5 } } }, row('c', 500, 250, 2)],
  };

  it('replaces a case as a whole, appends new ones, keeps the rest and the main meta', () => {
    const merged = mergeRuns(target, partial);
    expect(merged.meta).toEqual(target.meta);
    expect(merged.cases.map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(merged.cases[0]).toEqual(target.cases[0]);
    // b comes from the partial run only: no torch cell survives from the older run
    expect(merged.cases[1].cells).toEqual({ wasm: { ms: 33, iterations: 5 } });
    expect(merged.cases[1].measured).toEqual({
      date: '2026-11-30T03:40:00Z',
      commit: 'bbb',
      torch: '1.13',
      quick: false,
      note: 'load average 9',
    });
    expect(merged.cases[0].measured).toBeUndefined();
    // the inputs are not modified
    expect(target.cases[1].cells.wasm).toEqual({ ms: 30, iterations: 5 });
    expect(partial.cases[0].measured).toBeUndefined();
  });

  it('keeps the run a row came from when it is merged again', () => {
    const once = mergeRuns(target, partial);
    const twice = mergeRuns(
      { meta: meta('2026-12-01T00:00:00Z', 'ccc'), cases: [row('a', 1, 2)] },
      { meta: meta('2026-12-02T00:00:00Z', 'ddd'), cases: once.cases.slice(2) },
    );
    expect(twice.cases[1].measured?.commit).toBe('bbb');
  });

  it('marks merged rows, says which run they come from, and adds the throughput table', () => {
    const md = benchmarksMarkdown(mergeRuns(target, partial), '');
    expect(md).toContain('| case b † |');
    expect(md).toContain('| case a |');
    expect(md).toContain('† Measured in a later run, 2026-11-30T03:40:00Z at commit `bbb`');
    expect(md).toContain('load average 9');
    const table = throughputTable(mergeRuns(target, partial).cases).split('\n');
    expect(table).toHaveLength(3);
    // 2 images in 500 ms on wasm = 4 images/s; 2 in 250 ms on PyTorch = 8 images/s
    expect(table[2]).toBe('| case c † | 2 | n/a | n/a | 4.00 | n/a | n/a | n/a | 8.00 | n/a |');
    expect(throughputTable(target.cases)).toBe('');
  });

  it('lists case-specific skip reasons, not the generic ones', () => {
    const cases: CaseResult[] = [
      {
        ...row('s', 1, 1),
        cells: { cpu: { skipped: 'minutes per call' }, 'wasm-stock': { skipped: 'exhausts the heap' } },
      },
    ];
    expect(skipReasons(cases)).toEqual(['case s on wasm stock: exhausts the heap']);
  });

  it('formats rates to three significant digits', () => {
    expect([0.05234, 1.234, 45.67, 1234.4].map(formatRate)).toEqual(['0.0523', '1.23', '45.7', '1234']);
  });
});
