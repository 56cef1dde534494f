import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureToSvg, formatNumber, writeReport } from './render';

const figure = {
  title: 'f',
  spec: {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: {
      values: [
        { a: 1, b: 2 },
        { a: 2, b: 5 },
      ],
    },
    mark: 'line',
    encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
  },
} as const;

describe('report rendering', () => {
  it('renders Vega-Lite to SVG without a browser', async () => {
    const svg = await figureToSvg(figure);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('<path');
  });

  it('writes index.html with tables, figures and escaped text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const path = await writeReport(
      dir,
      [
        {
          name: 'p',
          title: 'Pipeline <1>',
          summary: 's',
          config: { k: 1 },
          tables: [{ title: 't', columns: ['x', 'y'], rows: [['a', 0.123456]] }],
          figures: [figure],
          timing: { train: 1500 },
        },
      ],
      { started: new Date(0), backend: 'cpu', preset: 'quick', jobs: 2, totalMs: 2000, node: 'v20' },
    );
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('Pipeline &lt;1&gt;');
    expect(html).toContain('<td>0.1235</td>');
    expect(html).toContain('<svg');
    expect(html).toContain('train 1.5 s');
    expect(readFileSync(join(dir, 'p-1.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('formats numbers compactly', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.000012345)).toBe('1.234e-5');
    expect(formatNumber(12.3456)).toBe('12.35');
  });
});
