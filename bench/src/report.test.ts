import { describe, expect, it } from 'vitest';
import { benchmarksMarkdown, type CaseResult, formatMs, ratio, resultsTable } from './report';

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
    expect(table[2]).toBe('| matMul | 2300 | 240 | 20.0 | 12.0 | 8.00 | 4.00 | 2.5× | 3.0× | 12× |');
    expect(table[3]).toBe('| conv2d step | skipped | fails¹ | 0.046 | n/a | n/a | n/a | – | – | – |');
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
