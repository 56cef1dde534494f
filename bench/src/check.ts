/**
 * `pnpm bench -- --check`: the speed claims of the READMEs against the committed results (issue 20).
 * No timing and no Python: it reads files only, so CI runs it.
 *
 * A claim in README.md, packages/*\/README.md, examples/*\/README.md or bench/NOTES.md is a number
 * right after a marker comment that says where it comes from:
 *
 *   <!--bench:ID:NUM/DEN-->3.2×      the ratio of two columns of case ID (median of NUM ÷ median of DEN)
 *   <!--bench:ID:COL-->12.3 ms       one cell (also `s`)
 *   <!--bench:FILE#ID:NUM/DEN-->25×  the same, from another results file (FILE relative to the repository)
 *
 * The default results file is the one BENCHMARKS.md names (its "Results file:" line). A claim more
 * than 15 % away from what the file says fails, as do a marker that names no such case or column, a
 * BENCHMARKS.md that the named results file and bench/NOTES.md do not regenerate byte for byte, and
 * a results file whose PyTorch columns ran on a refused BLAS. Lines that compare with PyTorch, NumPy,
 * numba or "the reference" with an unmarked `N×` are reported as unchecked (`--check` fails on them too).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchmarksMarkdown,
  type CaseResult,
  type Cell,
  COLUMN_TITLES,
  cellMs,
  formatCell,
  RESULTS_PREFIX,
  type RunResults,
  ratio,
} from './report';

/** Largest accepted relative difference between a stated number and the results file. */
export const CLAIM_TOLERANCE = 0.15;

const MARKER = /<!--\s*bench:([^\s>]+?)\s*-->\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(×|ms\b|s\b)/g;
/** An unmarked ratio next to a reference's name. */
const UNMARKED_RATIO = /[0-9](?:\.[0-9]+)?\s?×(?!\s?[0-9])/;
const REFERENCE_NAME = /\b(PyTorch|torch|NumPy|numpy|numba|Python reference|reference)\b/i;

export interface Claim {
  file: string;
  line: number;
  results: string;
  id: string;
  num: string;
  den?: string;
  stated: number;
  unit: '×' | 'ms' | 's';
}

/** The marked claims of one Markdown text. */
export function parseClaims(text: string, file: string, defaultResults: string): Claim[] {
  const out: Claim[] = [];
  text.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(MARKER)) {
      const [, ref, value, unit] = m;
      const hash = ref.indexOf('#');
      const results = hash >= 0 ? ref.slice(0, hash) : defaultResults;
      const rest = hash >= 0 ? ref.slice(hash + 1) : ref;
      const colon = rest.lastIndexOf(':');
      const id = rest.slice(0, colon);
      const [num, den] = rest.slice(colon + 1).split('/');
      out.push({
        file,
        line: i + 1,
        results,
        id,
        num,
        ...(den ? { den } : {}),
        stated: Number(value.replaceAll(',', '')),
        unit: unit.trim() as Claim['unit'],
      });
    }
  });
  return out;
}

/** Lines that compare with a reference by an unmarked ratio (not checkable). */
export function unmarkedClaims(text: string, file: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((lineText, i) => {
    const bare = lineText.replace(MARKER, '');
    if (UNMARKED_RATIO.test(bare) && REFERENCE_NAME.test(bare))
      out.push(`${file}:${i + 1}: ${lineText.trim().slice(0, 160)}`);
  });
  return out;
}

function cellValue(c: CaseResult, col: string): number | undefined {
  return cellMs((c.cells as Record<string, Cell | undefined>)[col]);
}

/** What the results say for `claim`, in the claim's unit, or why it cannot say. */
export function actualValue(claim: Claim, run: RunResults): number | string {
  const c = run.cases.find((x) => x.id === claim.id);
  if (!c) return `no case '${claim.id}' in ${claim.results}`;
  const num = cellValue(c, claim.num);
  if (num === undefined) return `case '${claim.id}' has no timed '${claim.num}' cell in ${claim.results}`;
  if (claim.unit === '×') {
    if (!claim.den) return 'a ratio (×) needs NUM/DEN';
    const den = cellValue(c, claim.den);
    if (den === undefined) return `case '${claim.id}' has no timed '${claim.den}' cell in ${claim.results}`;
    return num / den;
  }
  if (claim.den) return `a ${claim.unit} value takes one column, not ${claim.num}/${claim.den}`;
  return claim.unit === 's' ? num / 1000 : num;
}

/**
 * Generated tables inside a README: the lines between
 *   <!--bench-table cases=ID,ID columns=COL,COL ratios=NUM/DEN,NUM/DEN [file=bench/results/….json]-->
 * and <!--/bench-table--> are the named cases' cells (ms) and ratios, from the results file (default:
 * the one BENCHMARKS.md names). `pnpm bench -- --update-readmes` rewrites them; `--check` fails when
 * one differs from what the results file gives.
 */
const TABLE = /(<!--bench-table ([^>]*?)-->\n)([\s\S]*?)(<!--\/bench-table-->)/g;

function columnTitle(col: string): string {
  return (COLUMN_TITLES as Record<string, string>)[col] ?? col;
}

/** The Markdown table a `bench-table` marker asks for, or why it cannot be made. */
export function renderTable(
  attrs: string,
  load: (file: string) => RunResults | string,
  defaultFile: string,
): string {
  const opts = Object.fromEntries(
    attrs
      .trim()
      .split(/\s+/)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const file = opts.file ?? defaultFile;
  const run = load(file);
  if (typeof run === 'string') return `(bench-table: ${run})`;
  const ids = (opts.cases ?? '').split(',').filter(Boolean);
  const cols = (opts.columns ?? '').split(',').filter(Boolean);
  const ratios = (opts.ratios ?? '')
    .split(',')
    .filter(Boolean)
    .map((r) => r.split('/') as [string, string]);
  const head = [
    'case',
    ...cols.map((c) => `${columnTitle(c)} (ms)`),
    ...ratios.map(([n, d]) => `${columnTitle(n)} / ${columnTitle(d)}`),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const id of ids) {
    const c = run.cases.find((x) => x.id === id);
    if (!c) return `(bench-table: no case '${id}' in ${file})`;
    const cell = (col: string) => (c.cells as Record<string, Cell | undefined>)[col];
    lines.push(
      `| ${[
        c.name.replace(/ †$/, ''),
        ...cols.map((col) => formatCell(cell(col))),
        ...ratios.map(([n, d]) => ratio(cellMs(cell(n)), cellMs(cell(d)))),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** `text` with every `bench-table` block regenerated. */
export function updateTables(
  text: string,
  load: (file: string) => RunResults | string,
  defaultFile: string,
): string {
  return text.replace(
    TABLE,
    (_all, open: string, attrs: string, _body: string, close: string) =>
      `${open}${renderTable(attrs, load, defaultFile)}\n${close}`,
  );
}

/** Why the PyTorch columns of `run` may not back a table (issue 20): no BLAS record, or a refused one. */
export function referenceProblems(run: RunResults, file: string): string[] {
  const out: string[] = [];
  for (const col of ['torch-1t', 'torch-2t'] as const) {
    if (!run.cases.some((c) => cellMs(c.cells[col]) !== undefined)) continue;
    const ref = run.meta.reference?.[col];
    if (!ref) out.push(`${file}: column ${col} has no BLAS record (a run from before issue 20?)`);
  }
  for (const [col, ref] of Object.entries(run.meta.reference ?? {}))
    if (ref && !ref.ok) out.push(`${file}: column ${col} ran on a refused BLAS: ${ref.problems.join('; ')}`);
  for (const c of run.cases) {
    const m = c.measured as { reference?: unknown } | undefined;
    if (m && !m.reference) out.push(`${file}: merged row ${c.id} has no BLAS record`);
  }
  return out;
}

/** The Markdown files whose claims are checked, relative to `root`. */
export function claimFiles(root: string): string[] {
  const files = ['README.md', 'bench/NOTES.md'];
  for (const dir of ['packages', 'examples']) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir)).sort()) {
      const f = `${dir}/${name}/README.md`;
      if (existsSync(join(root, f))) files.push(f);
    }
  }
  return files.filter((f) => existsSync(join(root, f)));
}

export interface CheckResult {
  problems: string[];
  /** Unmarked comparisons with a reference (`--check` fails on them). */
  unchecked: string[];
  checked: number;
}

/** Rewrites the `bench-table` blocks of every checked Markdown file; returns the files changed. */
export function updateReadmes(root: string): string[] {
  const bm = readFileSync(join(root, 'BENCHMARKS.md'), 'utf8');
  const named = [
    ...(bm.split('\n').find((l) => l.startsWith(RESULTS_PREFIX)) ?? '').matchAll(/`([^`]+\.json)`/g),
  ][0]?.[1];
  if (!named) throw new Error(`BENCHMARKS.md names no results file (a "${RESULTS_PREFIX}" line)`);
  const load = (file: string): RunResults | string => {
    const p = join(root, file);
    return existsSync(p)
      ? (JSON.parse(readFileSync(p, 'utf8')) as RunResults)
      : `results file ${file} is missing`;
  };
  const changed: string[] = [];
  for (const file of claimFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    const next = updateTables(text, load, named);
    if (next !== text) {
      writeFileSync(join(root, file), next);
      changed.push(file);
    }
  }
  return changed;
}

/** Runs every check of `--check` on the repository at `root`. */
export function checkRepository(root: string): CheckResult {
  const problems: string[] = [];
  const bmFile = join(root, 'BENCHMARKS.md');
  if (!existsSync(bmFile)) return { problems: ['BENCHMARKS.md is missing'], unchecked: [], checked: 0 };
  const bm = readFileSync(bmFile, 'utf8');
  const resultsLine = bm.split('\n').find((l) => l.startsWith(RESULTS_PREFIX)) ?? '';
  const [named, ...externalFiles] = [...resultsLine.matchAll(/`([^`]+\.json)`/g)].map((m) => m[1]);
  if (!named)
    return {
      problems: [`BENCHMARKS.md names no results file (a "${RESULTS_PREFIX}" line)`],
      unchecked: [],
      checked: 0,
    };
  const runs = new Map<string, RunResults | string>();
  const load = (file: string): RunResults | string => {
    if (!runs.has(file)) {
      const p = join(root, file);
      runs.set(
        file,
        existsSync(p)
          ? (JSON.parse(readFileSync(p, 'utf8')) as RunResults)
          : `results file ${file} is missing`,
      );
    }
    return runs.get(file)!;
  };
  const main = load(named);
  if (typeof main === 'string') return { problems: [`BENCHMARKS.md: ${main}`], unchecked: [], checked: 0 };
  problems.push(...referenceProblems(main, named));
  const external: { file: string; run: RunResults }[] = [];
  for (const file of externalFiles) {
    const run = load(file);
    if (typeof run === 'string') problems.push(`BENCHMARKS.md: ${run}`);
    else {
      problems.push(...referenceProblems(run, file));
      external.push({ file, run });
    }
  }
  const notesFile = join(root, 'bench', 'NOTES.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '';
  if (benchmarksMarkdown(main, notes, named, external) !== bm)
    problems.push(
      `BENCHMARKS.md is not what ${named} and bench/NOTES.md generate (edited by hand?): run \`pnpm bench -- --md-from ${named}${externalFiles.map((f) => ` --with ${f}`).join('')}\``,
    );
  const unchecked: string[] = [];
  let checked = 0;
  for (const file of claimFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    if (updateTables(text, load, named) !== text)
      problems.push(
        `${file}: a bench-table differs from the results file: run \`pnpm bench -- --update-readmes\``,
      );
    unchecked.push(...unmarkedClaims(text.replace(TABLE, ''), file));
    for (const claim of parseClaims(text, file, named)) {
      checked++;
      const run = load(claim.results);
      const where = `${claim.file}:${claim.line}`;
      if (typeof run === 'string') {
        problems.push(`${where}: ${run}`);
        continue;
      }
      const actual = actualValue(claim, run);
      if (typeof actual === 'string') {
        problems.push(`${where}: ${actual}`);
        continue;
      }
      if (Math.abs(claim.stated / actual - 1) > CLAIM_TOLERANCE) {
        const what = claim.den ? `${claim.num}/${claim.den}` : claim.num;
        problems.push(
          `${where}: states ${claim.stated}${claim.unit} for ${claim.id} ${what}; ${claim.results} says ` +
            `${actual.toPrecision(3)}${claim.unit} (more than ${CLAIM_TOLERANCE * 100} % apart)`,
        );
      }
    }
  }
  return { problems, unchecked, checked };
}
