// `pnpm --filter @paperstack/example-demo compare -- <report A> <report B>`: two demo runs (e.g. wasm and
// native) cell by cell, as Markdown. A report is a `reports/<timestamp>` folder or its report.json.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs } from '@paperstack/example-kit';
import { compareReports } from './report/compare';
import type { ReportJson } from './report/render';

const { positionals } = parseArgs({ args: cliArgs(), allowPositionals: true });
if (positionals.length !== 2) {
  console.error('usage: compare <report A folder or report.json> <report B folder or report.json>');
  process.exit(2);
}

function load(path: string): ReportJson {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'report.json') : path;
  if (!existsSync(file)) {
    console.error(`compare: no report.json at ${file}`);
    process.exit(2);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ReportJson;
}

const [a, b] = positionals.map(load);
// A pipeline's time: its `total` where it reports one (its stages then overlap it), else the sum.
const seconds = (t: Record<string, number>) =>
  (t.total ?? Object.values(t).reduce((s, v) => s + v, 0)) / 1000;
console.log(
  `A: ${a.info.backend}, ${a.info.preset}, ${a.info.jobs ?? 1} job(s), total ${(a.info.totalMs / 1000).toFixed(0)} s · B: ${b.info.backend}, ${b.info.preset}, ${b.info.jobs ?? 1} job(s), total ${(b.info.totalMs / 1000).toFixed(0)} s\n`,
);
console.log(
  '| pipeline | A s | B s | same | close (≤1e-3) | within spread | outside spread | single values that differ | text differs | timing cells |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const results = compareReports(a, b);
for (const r of results) {
  const ta = a.pipelines.find((p) => p.name === r.pipeline)?.timing ?? {};
  const tb = b.pipelines.find((p) => p.name === r.pipeline)?.timing ?? {};
  const c = r.counts;
  console.log(
    `| ${r.pipeline} | ${seconds(ta).toFixed(1)} | ${seconds(tb).toFixed(1)} | ${c.same} | ${c.close} | ${c['within spread']} | ${c['outside spread']} | ${c.differs} | ${c['text differs']} | ${c.timing} |`,
  );
}
for (const r of results) {
  if (!r.diffs.length && !r.mismatches.length) continue;
  console.log(`\n### ${r.pipeline}\n`);
  for (const m of r.mismatches) console.log(`- ${m}`);
  for (const d of r.diffs) {
    const label = a.pipelines.find((p) => p.name === r.pipeline)?.tables.find((t) => t.title === d.table)
      ?.rows[d.row][0];
    const rel = d.relative === undefined ? '' : ` (${(100 * d.relative).toFixed(1)} %)`;
    console.log(`- ${d.verdict}: "${d.table}" · ${label} · ${d.column}: ${d.a} vs ${d.b}${rel}`);
  }
}
