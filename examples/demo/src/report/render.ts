import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Figure, PipelineReport, Table } from './types';

/** Renders a Vega-Lite spec to an SVG string (headless: vega's SVG renderer needs no canvas). */
export async function figureToSvg(figure: Figure): Promise<string> {
  const { spec } = compile(figure.spec);
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const escapeHtml = (s: unknown) =>
  String(s).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
  );

const cell = (v: string | number) => (typeof v === 'number' ? formatNumber(v) : escapeHtml(v));

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
}

function tableHtml(t: Table): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('\n');
  return `<h4>${escapeHtml(t.title)}</h4>\n<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** `report.json`: the report without the figures' specs (their titles only). */
export interface ReportJson {
  info: Omit<RunInfo, 'started'> & { started: string };
  pipelines: (Omit<PipelineReport, 'figures'> & { figures: string[] })[];
}

export interface RunInfo {
  started: Date;
  backend: string;
  preset: string;
  /** Pipelines run at a time, each in its own process (`--jobs`; absent in reports before it: 1). */
  jobs?: number;
  totalMs: number;
  node: string;
}

/**
 * Writes `<dir>/index.html`, one SVG file per figure, and `<dir>/report.json` (the run info and every
 * pipeline's summary, configuration, tables, notes and timing: what `compare` reads); returns the HTML path.
 */
export async function writeReport(dir: string, reports: PipelineReport[], info: RunInfo): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const sections: string[] = [];
  for (const r of reports) {
    const figures: string[] = [];
    for (const [i, f] of r.figures.entries()) {
      const svg = await figureToSvg(f);
      const file = `${r.name}-${i + 1}.svg`;
      writeFileSync(join(dir, file), svg);
      figures.push(
        `<figure><h4>${escapeHtml(f.title)}</h4>${svg}${f.caption ? `<figcaption>${escapeHtml(f.caption)}</figcaption>` : ''}</figure>`,
      );
    }
    const timing = Object.entries(r.timing)
      .map(([k, ms]) => `${escapeHtml(k)} ${(ms / 1000).toFixed(1)} s`)
      .join(' · ');
    sections.push(`<section id="${escapeHtml(r.name)}">
<h2>${escapeHtml(r.title)}</h2>
<p>${escapeHtml(r.summary)}</p>
<details><summary>Configuration</summary><pre>${escapeHtml(JSON.stringify(r.config, null, 2))}</pre></details>
${r.tables.map(tableHtml).join('\n')}
${figures.join('\n')}
${r.notes?.length ? `<ul class="notes">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<p class="timing">Timing: ${timing}</p>
</section>`);
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>paperstack demo report</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:1em 0}
section{border-top:2px solid #ddd;margin-top:2em}.timing,.meta{color:#666}pre{background:#f7f7f7;padding:.5em}
</style></head><body>
<h1>paperstack demo report</h1>
<p class="meta">${escapeHtml(info.started.toISOString())} · backend ${escapeHtml(info.backend)} · preset ${escapeHtml(info.preset)} · ${info.jobs ?? 1} job(s) · Node ${escapeHtml(info.node)} · total ${(info.totalMs / 1000).toFixed(1)} s</p>
<nav>${reports.map((r) => `<a href="#${escapeHtml(r.name)}">${escapeHtml(r.title)}</a>`).join(' · ')}</nav>
${sections.join('\n')}
</body></html>
`;
  const path = join(dir, 'index.html');
  writeFileSync(path, html);
  const json: ReportJson = {
    info: { ...info, started: info.started.toISOString() },
    pipelines: reports.map(({ figures, ...r }) => ({ ...r, figures: figures.map((f) => f.title) })),
  };
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(json, null, 1)}\n`);
  return path;
}
