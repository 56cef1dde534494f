/**
 * `pnpm bench [--filter <id or name part>]… [--quick] [--md | --no-md] [--merge-into <results.json>]`
 *
 * Runs every case of cases.ts, paper-cases.ts and model-cases.ts on each tfjs column (backend
 * variant) in this process, then the PyTorch counterparts in one `python3` child, writes
 * bench/results/<date>.json and regenerates BENCHMARKS.md at the repository root (not for filtered
 * runs unless `--md`). With `--merge-into`, the cases just run (or those of `--merge-from
 * <partial.json>`, without running anything) replace or join that results file's cases, and
 * BENCHMARKS.md is regenerated from it.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { type BenchCase, CASES as KERNEL_CASES } from './cases';
import { measure } from './measure';
import { MODEL_CASES } from './model-cases';
import { PAPER_CASES } from './paper-cases';
import { runTorch } from './python';
import { benchmarksMarkdown, type CaseResult, type Column, mergeRuns, type RunResults } from './report';
import { VARIANTS } from './variants';

const here = dirname(fileURLToPath(import.meta.url));
const CASES: BenchCase[] = [...KERNEL_CASES, ...PAPER_CASES, ...MODEL_CASES];
const benchDir = join(here, '..');
const repoRoot = join(benchDir, '..');

const { values } = parseArgs({
  options: {
    filter: { type: 'string', multiple: true },
    column: { type: 'string', multiple: true },
    child: { type: 'string' },
    'child-out': { type: 'string' },
    'no-torch': { type: 'boolean' },
    'md-from': { type: 'string' },
    'merge-into': { type: 'string' },
    'merge-from': { type: 'string' },
    note: { type: 'string' },
    quick: { type: 'boolean', default: false },
    md: { type: 'boolean' },
    'no-md': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const readRun = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunResults;

/** BENCHMARKS.md from `run` and bench/NOTES.md. */
function writeMarkdown(run: RunResults) {
  const notesFile = join(benchDir, 'NOTES.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '';
  writeFileSync(join(repoRoot, 'BENCHMARKS.md'), benchmarksMarkdown(run, notes));
  process.stderr.write(`wrote ${join(repoRoot, 'BENCHMARKS.md')}\n`);
}

/** Puts `partial`'s cases into the results file `target` (see `mergeRuns`) and regenerates BENCHMARKS.md. */
function mergeInto(target: string, partial: RunResults, md: boolean) {
  const merged = mergeRuns(readRun(target), partial);
  writeFileSync(target, `${JSON.stringify(merged, null, 2)}\n`);
  process.stderr.write(`merged ${partial.cases.map((c) => c.id).join(', ')} into ${target}\n`);
  if (md) writeMarkdown(merged);
}

if (values['md-from']) {
  // regenerate BENCHMARKS.md from a results file (after editing bench/NOTES.md), without running
  writeMarkdown(readRun(values['md-from']));
  process.exit(0);
}

if (values['merge-from']) {
  if (!values['merge-into']) {
    console.error('bench: --merge-from <partial.json> needs --merge-into <results.json>');
    process.exit(2);
  }
  const partial = readRun(values['merge-from']);
  if (values.note) partial.meta.note = values.note;
  mergeInto(values['merge-into'], partial, !values['no-md']);
  process.exit(0);
}

if (values.help) {
  console.log(
    'usage: pnpm bench [--filter <id|name part>]… [--column cpu|wasm-stock|wasm|wasm-2t]… [--no-torch] [--quick] [--md|--no-md] [--merge-into <results.json>]\n' +
      '       pnpm bench --md-from <results.json>\n' +
      '       pnpm bench --merge-from <partial.json> --merge-into <results.json> [--note <text>] [--no-md]\n' +
      '--note <text> is stored with the run (machine state, …) and shown under the table\n\ncases:\n' +
      CASES.map((c) => `  ${c.id.padEnd(22)} ${c.name}`).join('\n'),
  );
  process.exit(0);
}

const filters = (values.filter ?? []).flatMap((f) => f.split(',')).map((f) => f.trim().toLowerCase());
/** A filter equal to a case id selects that case; otherwise it selects ids and names containing it. */
function matches(c: BenchCase, f: string): boolean {
  if (CASES.some((k) => k.id.toLowerCase() === f)) return c.id.toLowerCase() === f;
  return c.id.toLowerCase().includes(f) || c.name.toLowerCase().includes(f);
}
const selected = CASES.filter((c) => filters.length === 0 || filters.some((f) => matches(c, f)));
if (selected.length === 0) {
  console.error(
    `bench: --filter ${filters.join(',')} matches no case; ids: ${CASES.map((c) => c.id).join(', ')}`,
  );
  process.exit(2);
}
const quick = values.quick ?? false;
const writeMd = values['no-md']
  ? false
  : (values.md ?? (filters.length === 0 && !values.column && !values['no-torch']));
const opts = quick
  ? { budgetMs: 300, minIterations: 2, singleShotMs: 2000 }
  : { budgetMs: 1500, minIterations: 5, singleShotMs: 5000 };

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

async function runColumn(
  column: Column,
  setup: () => Promise<void>,
  cases: BenchCase[],
  results: CaseResult[],
) {
  await setup();
  for (const c of cases) {
    const row = results.find((r) => r.id === c.id)!;
    const skip = c.skipColumns?.[column];
    if (skip !== undefined) {
      row.cells[column] = { skipped: skip };
      continue;
    }
    if (column === 'cpu' && (c.skipCpu || (c.slowOnCpu && quick))) {
      row.cells[column] = { skipped: c.skipCpu ? 'minutes per call' : '--quick' };
      continue;
    }
    let made: ReturnType<BenchCase['make']> | undefined;
    try {
      made = c.make();
      row.cells[column] = await measure(made.run, opts);
    } catch (err) {
      row.cells[column] = { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
    } finally {
      made?.dispose();
    }
    const cell = row.cells[column]!;
    log(
      `  ${column.padEnd(10)} ${c.id.padEnd(22)} ${'ms' in cell ? `${cell.ms.toFixed(2)} ms (n=${cell.iterations})` : JSON.stringify(cell)}`,
    );
  }
}

/** Runs one column in a child process (same loader flags, same filters) and merges its cells. */
function runColumnInChild(column: Column, results: CaseResult[]) {
  const out = join(mkdtempSync(join(tmpdir(), 'paperstack-bench-')), 'cells.json');
  const args = [
    ...process.execArgv,
    process.argv[1],
    '--child',
    column,
    '--child-out',
    out,
    ...selected.flatMap((c) => ['--filter', c.id]),
    ...(quick ? ['--quick'] : []),
  ];
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(out)) {
    for (const row of results) row.cells[column] = { error: `child process exited ${r.status ?? r.signal}` };
    return;
  }
  const cells = JSON.parse(readFileSync(out, 'utf8')) as CaseResult[];
  for (const row of results) {
    const cell = cells.find((c) => c.id === row.id)?.cells[column];
    if (cell) row.cells[column] = cell;
  }
}

function gitCommit(): string {
  try {
    const sha = execSync('git rev-parse --short HEAD', { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- packages/runtime bench', {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

async function main() {
  const results: CaseResult[] = selected.map((c) => ({
    id: c.id,
    name: c.name,
    group: c.group,
    ...(c.items !== undefined ? { items: c.items } : {}),
    cells: {},
  }));
  log(`bench: ${selected.length} case(s)${quick ? ', quick' : ''}`);
  if (values.child) {
    // one column in this (child) process; the parent merges the cells
    const v = VARIANTS.find((x) => x.column === values.child)!;
    await runColumn(v.column, v.setup, selected, results);
    writeFileSync(values['child-out']!, JSON.stringify(results));
    return;
  }
  const columns = (values.column ?? []).flatMap((c) => c.split(','));
  for (const v of VARIANTS.filter((x) => columns.length === 0 || columns.includes(x.column))) {
    log(`${v.column}:`);
    if (v.ownProcess) runColumnInChild(v.column, results);
    else await runColumn(v.column, v.setup, selected, results);
  }
  log('PyTorch (child python3):');
  const withTorch = selected.filter((c) => c.torch !== undefined && !values['no-torch']) as (BenchCase & {
    torch: NonNullable<BenchCase['torch']>;
  })[];
  const torch = runTorch(withTorch, {
    budgetS: opts.budgetMs / 1000,
    minIters: opts.minIterations,
    singleShotS: opts.singleShotMs / 1000,
    threads: [1, 2],
  });
  log(`  ${torch.torch}`);
  for (const row of results) {
    for (const t of ['1', '2'] as const) {
      const column: Column = t === '1' ? 'torch-1t' : 'torch-2t';
      const ms = torch.results[row.id]?.[t];
      if (ms !== undefined) row.cells[column] = { ms, iterations: 0 };
      else if (torch.errors[row.id]) row.cells[column] = { error: torch.errors[row.id] };
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  const run: RunResults = {
    meta: {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      commit: gitCommit(),
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
      torch: torch.torch,
      quick,
      ...(values.note ? { note: values.note } : {}),
    },
    cases: results,
  };
  const partial = filters.length > 0 || columns.length > 0 || values['no-torch'];
  const suffix = partial ? '-partial' : quick ? '-quick' : '';
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${date}${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  log(`wrote ${file}`);
  if (values['merge-into']) mergeInto(values['merge-into'], run, !values['no-md']);
  else if (writeMd) writeMarkdown(run);
}

await main();
