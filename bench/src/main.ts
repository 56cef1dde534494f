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
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { BLAS_FIX, judgeReference, refusal } from './blas';
import { type BenchCase, CASES as KERNEL_CASES } from './cases';
import { checkRepository, referenceProblems, updateReadmes } from './check';
import { measure } from './measure';
import { MODEL_CASES } from './model-cases';
import { PAPER_CASES } from './paper-cases';
import { REFERENCE_THREAD_VARS, referenceEnv, runTorch } from './python';
import {
  benchmarksMarkdown,
  type CaseResult,
  type Column,
  mergeRuns,
  type ReferenceMeta,
  type RunResults,
} from './report';
import { ColumnNotSetUpError, VARIANTS } from './variants';

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
    'torch-threads': { type: 'string' },
    'torch-only': { type: 'boolean' },
    name: { type: 'string' },
    'md-from': { type: 'string' },
    'merge-into': { type: 'string' },
    'merge-from': { type: 'string' },
    note: { type: 'string' },
    quick: { type: 'boolean', default: false },
    md: { type: 'boolean' },
    'no-md': { type: 'boolean' },
    check: { type: 'boolean' },
    'update-readmes': { type: 'boolean' },
    external: { type: 'string', multiple: true },
    with: { type: 'string', multiple: true },
    'dre-threads': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const readRun = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunResults;

/** BENCHMARKS.md from `run` (read from / written to `file`) and bench/NOTES.md; refuses a dishonest reference. */
function writeMarkdown(run: RunResults, file: string) {
  const external = (values.with ?? []).map((f) => ({ file: relative(repoRoot, f), run: readRun(f) }));
  const refused = [
    ...referenceProblems(run, relative(repoRoot, file)),
    ...external.flatMap((e) => referenceProblems(e.run, e.file)),
  ];
  if (run.meta.torch.startsWith('n/a')) refused.push(`no PyTorch in this run: ${run.meta.torch}`);
  if (refused.length) {
    for (const [col, ref] of Object.entries(run.meta.reference ?? {}))
      if (ref && !ref.ok) process.stderr.write(`${refusal(col, ref)}\n`);
    process.stderr.write(
      `bench: not writing BENCHMARKS.md:\n${refused.map((r) => `  - ${r}`).join('\n')}\n  fix: ${BLAS_FIX}\n`,
    );
    process.exitCode = 3;
    return;
  }
  const notesFile = join(benchDir, 'NOTES.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '';
  writeFileSync(
    join(repoRoot, 'BENCHMARKS.md'),
    benchmarksMarkdown(run, notes, relative(repoRoot, file), external),
  );
  process.stderr.write(`wrote ${join(repoRoot, 'BENCHMARKS.md')}\n`);
}

/** Puts `partial`'s cases into the results file `target` (see `mergeRuns`) and regenerates BENCHMARKS.md. */
function mergeInto(target: string, partial: RunResults, md: boolean) {
  const merged = mergeRuns(readRun(target), partial);
  writeFileSync(target, `${JSON.stringify(merged, null, 2)}\n`);
  process.stderr.write(`merged ${partial.cases.map((c) => c.id).join(', ')} into ${target}\n`);
  if (md) writeMarkdown(merged, target);
}

if (values.check) {
  // README claims vs the results file BENCHMARKS.md names (CI: no timing, no Python)
  const { problems, unchecked, checked } = checkRepository(repoRoot);
  for (const u of unchecked)
    console.error(
      `bench --check: FAIL unmarked comparison with a reference (add a <!--bench:…--> marker): ${u}`,
    );
  for (const p of problems) console.error(`bench --check: FAIL ${p}`);
  console.log(
    `bench --check: ${checked} marked claim(s) checked, ${problems.length} problem(s), ${unchecked.length} unmarked comparison(s)`,
  );
  process.exit(problems.length || unchecked.length ? 1 : 0);
}

if (values['update-readmes']) {
  const changed = updateReadmes(repoRoot);
  console.log(
    `bench: regenerated the bench-table blocks of ${changed.length ? changed.join(', ') : 'no file (all current)'}`,
  );
  process.exit(0);
}

if (values.external) {
  const { runExternal } = await import('./external');
  runExternal(
    values.external.flatMap((x) => x.split(',')),
    {
      repoRoot,
      benchDir,
      quick: values.quick ?? false,
      commit: gitCommit(),
      dreThreads: Number(values['dre-threads'] ?? '2'),
    },
  );
  process.exit(0);
}

if (values['md-from']) {
  // regenerate BENCHMARKS.md from a results file (after editing bench/NOTES.md), without running
  writeMarkdown(readRun(values['md-from']), values['md-from']);
  process.exit(process.exitCode ?? 0);
}

if (values['merge-from']) {
  if (!values['merge-into']) {
    console.error('bench: --merge-from <partial.json> needs --merge-into <results.json>');
    process.exit(2);
  }
  const partial = readRun(values['merge-from']);
  if (values.note) partial.meta.note = values.note;
  mergeInto(values['merge-into'], partial, !values['no-md']);
  process.exit(process.exitCode ?? 0);
}

if (values.help) {
  console.log(
    'usage: pnpm bench [--filter <id|name part>]… [--column cpu|wasm-stock|wasm|wasm-2t|tf-1t|tf-2t]… [--torch-threads 1,2] [--no-torch] [--quick] [--md|--no-md] [--merge-into <results.json>]\n' +
      '       pnpm bench --md-from <results.json> [--with <package comparison results.json>]…\n' +
      '       pnpm bench --merge-from <partial.json> --merge-into <results.json> [--note <text>] [--no-md]\n' +
      '       pnpm bench --torch-only [--torch-threads 1] [--name <suffix>]   (PyTorch columns only, e.g. PAPERSTACK_PYTHON=<venv>/bin/python3)\n' +
      '       pnpm bench --check   (README claims vs the results file BENCHMARKS.md names; no timing)\n' +
      "       pnpm bench --update-readmes   (rewrite the READMEs' <!--bench-table …--> blocks from the results)\n" +
      "       pnpm bench --external kernel-dre,voxelizer [--quick] [--dre-threads 2]   (the packages' Python comparisons)\n" +
      'columns: cpu, wasm-stock, wasm, wasm-2t, tf-1t, tf-2t (native TensorFlow; "not set up" without it)\n' +
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
  try {
    await setup();
  } catch (err) {
    if (!(err instanceof ColumnNotSetUpError)) throw err;
    log(`  ${column.padEnd(10)} ${err.message}`);
    for (const row of results) row.cells[column] = { skipped: err.message };
    return;
  }
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
function runColumnInChild(column: Column, results: CaseResult[], env: Record<string, string> = {}) {
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
  const r = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env },
  });
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
    // code only: Markdown and results files do not change what a run measures
    const dirty = execSync(
      "git status --porcelain -- packages bench ':(exclude)*.md' ':(exclude)bench/results'",
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    ).trim();
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
  const startLoad = loadavg().map((x) => Number(x.toFixed(2)));
  const started = new Date();
  log(`bench: ${selected.length} case(s)${quick ? ', quick' : ''}; load average ${startLoad.join(', ')}`);
  if (values.child) {
    // one column in this (child) process; the parent merges the cells
    const v = VARIANTS.find((x) => x.column === values.child)!;
    await runColumn(v.column, v.setup, selected, results);
    writeFileSync(values['child-out']!, JSON.stringify(results));
    return;
  }
  const columns = values['torch-only'] ? ['none'] : (values.column ?? []).flatMap((c) => c.split(','));
  for (const v of VARIANTS.filter((x) => columns.length === 0 || columns.includes(x.column))) {
    log(`${v.column}:`);
    if (v.ownProcess) runColumnInChild(v.column, results, v.env);
    else await runColumn(v.column, v.setup, selected, results);
  }
  const torchThreads = (values['torch-threads'] ?? '1,2').split(',').map(Number);
  log(`PyTorch (one child python3 per thread count: ${torchThreads.join(', ')}):`);
  const withTorch = selected.filter((c) => c.torch !== undefined && !values['no-torch']) as (BenchCase & {
    torch: NonNullable<BenchCase['torch']>;
  })[];
  const torch = runTorch(values['no-torch'] ? [] : withTorch, {
    budgetS: opts.budgetMs / 1000,
    minIters: opts.minIterations,
    singleShotS: opts.singleShotMs / 1000,
    threads: torchThreads,
  });
  log(`  ${torch.torch}`);
  const reference: Partial<Record<Column, ReferenceMeta>> = {};
  for (const [t, report] of Object.entries(torch.reference)) {
    const verdict = judgeReference(report, Number(t));
    reference[t === '1' ? 'torch-1t' : 'torch-2t'] = { threads: Number(t), ...verdict, report };
    log(`  ${t} thread(s): ${verdict.ok ? 'ok' : 'REFUSED'}: ${verdict.summary}`);
    for (const p of verdict.problems) log(`    - ${p}`);
  }
  const threads: Partial<Record<Column, string>> = {};
  for (const v of VARIANTS)
    if (columns.length === 0 || columns.includes(v.column)) threads[v.column] = v.threads;
  for (const t of torchThreads) {
    const env = referenceEnv(t);
    threads[t === 1 ? 'torch-1t' : 'torch-2t'] =
      `\`torch.set_num_threads(${t})\`, ${REFERENCE_THREAD_VARS.map((k) => `${k}=${env[k]}`).join(' ')}, ` +
      `OPENBLAS_CORETYPE ${env.OPENBLAS_CORETYPE ? `=${env.OPENBLAS_CORETYPE} (kept)` : 'unset (OpenBLAS detects the CPU)'}`;
  }
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
      date: started.toISOString().replace(/\.\d+Z$/, 'Z'),
      commit: gitCommit(),
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
      torch: torch.torch,
      quick,
      ...(values.note ? { note: values.note } : {}),
      load: { start: startLoad, end: loadavg().map((x) => Number(x.toFixed(2))) },
      ended: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      threads,
      reference,
    },
    cases: results,
  };
  const partial = filters.length > 0 || columns.length > 0 || values['no-torch'];
  const suffix = values.name ? `-${values.name}` : partial ? '-partial' : quick ? '-quick' : '';
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${date}${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  log(`wrote ${file}`);
  if (values['merge-into']) mergeInto(values['merge-into'], run, !values['no-md']);
  else if (writeMd) writeMarkdown(run, file);
}

await main();
