// A structural check of an ExperimentReport, for the examples' tests: every table row has one cell
// per column, every figure is a Vega-Lite spec with its data inlined, timings are finite, and the
// whole report survives JSON (what the demo writes into its HTML).
import { type ExperimentReport, VEGA_LITE_SCHEMA } from './report';

function inlined(spec: Record<string, unknown>): boolean {
  const data = spec.data as { values?: unknown[] } | undefined;
  if (data && Array.isArray(data.values)) return true;
  const layers = spec.layer as Record<string, unknown>[] | undefined;
  return Array.isArray(layers) && layers.length > 0 && layers.every(inlined);
}

/** What is wrong with `report` (an empty list when it is well formed). */
export function reportProblems(report: ExperimentReport<object>): string[] {
  const problems: string[] = [];
  if (!report.name || !report.title || !report.summary)
    problems.push('name, title and summary must be non-empty');
  if (report.tables.length === 0) problems.push('no table');
  for (const t of report.tables) {
    if (t.rows.length === 0) problems.push(`table '${t.title}' has no rows`);
    t.rows.forEach((r, i) => {
      if (r.length !== t.columns.length)
        problems.push(`table '${t.title}' row ${i}: ${r.length} cells for ${t.columns.length} columns`);
      if (r.some((c) => typeof c === 'number' && !Number.isFinite(c)))
        problems.push(`table '${t.title}' row ${i}: a non-finite number`);
    });
  }
  if (report.figures.length === 0) problems.push('no figure');
  for (const f of report.figures) {
    if (f.spec.$schema !== VEGA_LITE_SCHEMA)
      problems.push(`figure '${f.title}': $schema is not Vega-Lite v5`);
    if (!inlined(f.spec)) problems.push(`figure '${f.title}': data not inlined`);
  }
  for (const [k, v] of Object.entries(report.timing)) {
    if (!(Number.isFinite(v) && v >= 0)) problems.push(`timing '${k}' is ${v}`);
  }
  const json = JSON.stringify(report);
  if (JSON.stringify(JSON.parse(json)) !== json) problems.push('the report does not survive JSON');
  return problems;
}
