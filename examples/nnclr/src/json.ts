import type { NnclrReport } from './experiment';

/** A report as written to `results/`: everything but the figures, which `nnclrFigures` rebuilds. */
export type NnclrResultsJson = Omit<NnclrReport, 'figures'>;

function format(x: unknown, pad: string): string {
  if (Array.isArray(x)) {
    if (x.length === 0) return '[]';
    return `[\n${x.map((e) => `${pad} ${JSON.stringify(e)}`).join(',\n')}\n${pad}]`;
  }
  if (x !== null && typeof x === 'object') {
    const entries = Object.entries(x).filter(([, v]) => v !== undefined);
    return `{\n${entries.map(([k, v]) => `${pad} ${JSON.stringify(k)}: ${format(v, `${pad} `)}`).join(',\n')}\n${pad}}`;
  }
  return JSON.stringify(x);
}

/**
 * The JSON text of a report for `results/`: the figures are left out (their data is the report's
 * `knnCurve`, `training` and `seeds`; `nnclrFigures(report)` rebuilds them), and every array
 * element is one line, so that a diff of two runs stays readable.
 */
export function resultsJson(report: NnclrReport | NnclrResultsJson): string {
  const { figures: _figures, ...rest } = report as NnclrReport;
  return `${format(rest, '')}\n`;
}
