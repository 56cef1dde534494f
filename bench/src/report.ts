/**
 * Pure helpers that turn benchmark results into JSON-friendly records and the Markdown of
 * BENCHMARKS.md. Kept free of tfjs so they are cheap to unit-test.
 */

/** One timed column: a median in ms, or why there is none. */
export type Cell = { ms: number; iterations: number } | { error: string } | { skipped: string };

/** Columns of the table, in order. `torch-1t`/`torch-2t` come from bench/python/torch_cases.py. */
export const COLUMNS = ['cpu', 'wasm-stock', 'wasm', 'wasm-2t', 'torch-1t', 'torch-2t'] as const;
export type Column = (typeof COLUMNS)[number];

export const COLUMN_TITLES: Record<Column, string> = {
  cpu: 'tfjs cpu',
  'wasm-stock': 'wasm stock',
  wasm: 'wasm + runtime',
  'wasm-2t': 'wasm + runtime, 2 threads',
  'torch-1t': 'PyTorch 1 thread',
  'torch-2t': 'PyTorch 2 threads',
};

export interface CaseResult {
  id: string;
  name: string;
  group: string;
  /** Images (items) one call processes; the report then adds a throughput table. */
  items?: number;
  /** Set on rows merged in from a later run (`--merge-into`): that run, which measured every column of the row. */
  measured?: MeasuredIn;
  cells: Partial<Record<Column, Cell>>;
}

/** The run a merged row comes from. */
export interface MeasuredIn {
  date: string;
  commit: string;
  torch: string;
  quick: boolean;
  note?: string;
}

export interface RunMeta {
  date: string;
  commit: string;
  node: string;
  cpus: string;
  torch: string;
  quick: boolean;
  note?: string;
}

export interface RunResults {
  meta: RunMeta;
  cases: CaseResult[];
}

export function cellMs(cell: Cell | undefined): number | undefined {
  return cell !== undefined && 'ms' in cell ? cell.ms : undefined;
}

/** Milliseconds with 3 significant digits (at least 0 decimals): 0.123, 1.23, 12.3, 123, 1234. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 100) return Math.round(ms).toString();
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export function formatCell(cell: Cell | undefined): string {
  if (cell === undefined) return 'n/a';
  if ('ms' in cell) return formatMs(cell.ms);
  if ('error' in cell) return `fails¹`;
  return 'skipped';
}

/** `num / den` as "2.5×" (two significant digits below 10), or "–" when either side is missing. */
export function ratio(num: number | undefined, den: number | undefined): string {
  if (num === undefined || den === undefined || !(den > 0) || !Number.isFinite(num)) return '–';
  const r = num / den;
  if (r >= 10) return `${Math.round(r)}×`;
  return `${r.toFixed(r >= 1 ? 1 : 2)}×`;
}

/** Row title: the case name, marked † when the row was merged in from a later run. */
function rowTitle(c: CaseResult): string {
  return c.measured ? `${c.name} †` : c.name;
}

/** Rows of the results table: medians, then ratios against PyTorch and stock wasm. */
export function resultsTable(cases: CaseResult[]): string {
  const head = [
    'case',
    ...COLUMNS.map((c) => `${COLUMN_TITLES[c]} (ms)`),
    'wasm+runtime / PyTorch 1t',
    'wasm+runtime 2 threads / PyTorch 2t',
    'stock / wasm+runtime',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const c of cases) {
    const ms = (col: Column) => cellMs(c.cells[col]);
    const row = [
      rowTitle(c),
      ...COLUMNS.map((col) => formatCell(c.cells[col])),
      ratio(ms('wasm'), ms('torch-1t')),
      ratio(ms('wasm-2t'), ms('torch-2t')),
      ratio(ms('wasm-stock'), ms('wasm')),
    ];
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Items per second with 3 significant digits (0.0523, 1.23, 45.6, 1234). */
export function formatRate(perS: number): string {
  if (!Number.isFinite(perS)) return 'n/a';
  if (perS >= 100) return Math.round(perS).toString();
  return perS.toPrecision(3);
}

/** Throughput (items/s) of the cases that declare `items`, for every timed column; '' if none do. */
export function throughputTable(cases: CaseResult[]): string {
  const rows = cases.filter((c) => c.items !== undefined);
  if (rows.length === 0) return '';
  const head = ['case', 'images per call', ...COLUMNS.map((c) => `${COLUMN_TITLES[c]} (images/s)`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const c of rows) {
    const rate = (col: Column) => {
      const ms = cellMs(c.cells[col]);
      return ms === undefined ? formatCell(c.cells[col]) : formatRate((c.items! * 1000) / ms);
    };
    lines.push(`| ${[rowTitle(c), String(c.items), ...COLUMNS.map(rate)].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Why cells were skipped, where the reason is specific to the case (the generic ones are in the notes). */
export function skipReasons(cases: CaseResult[]): string[] {
  const generic = new Set(['minutes per call', '--quick']);
  const out = new Set<string>();
  for (const c of cases) {
    for (const col of COLUMNS) {
      const cell = c.cells[col];
      if (cell && 'skipped' in cell && !generic.has(cell.skipped))
        out.add(`${c.name} on ${COLUMN_TITLES[col]}: ${cell.skipped}`);
    }
  }
  return [...out];
}

/**
 * `target` with the cases of `partial` (a run of some cases, e.g. `--filter`) put in: a case
 * already in `target` is replaced as a whole — every column of a row comes from one run, so its
 * tfjs and PyTorch cells stay comparable — and new cases are appended in `partial`'s order. Merged
 * rows record the run they come from (`measured`); `target.meta` stays the main run's.
 */
export function mergeRuns(target: RunResults, partial: RunResults): RunResults {
  const from: MeasuredIn = {
    date: partial.meta.date,
    commit: partial.meta.commit,
    torch: partial.meta.torch,
    quick: partial.meta.quick,
    ...(partial.meta.note ? { note: partial.meta.note } : {}),
  };
  const incoming = new Map(partial.cases.map((c) => [c.id, { ...c, measured: c.measured ?? from }]));
  const cases = target.cases.map((c) => incoming.get(c.id) ?? c);
  for (const c of incoming.values()) if (!target.cases.some((t) => t.id === c.id)) cases.push(c);
  return { meta: target.meta, cases };
}

/** One line per later run that rows were merged in from. */
function mergedRunsNote(cases: CaseResult[]): string[] {
  const runs = new Map<string, MeasuredIn>();
  for (const c of cases) if (c.measured) runs.set(`${c.measured.date} ${c.measured.commit}`, c.measured);
  return [...runs.values()].map(
    (r) =>
      `† Measured in a later run, ${r.date} at commit \`${r.commit}\` (PyTorch ${r.torch}${r.quick ? ', --quick' : ''}), ` +
      `all columns of each such row in that run, and merged into this table with \`--merge-into\`.` +
      (r.note ? ` ${r.note}` : ''),
  );
}

/** Distinct failure messages, so the table can say why a cell reads "fails". */
export function failures(cases: CaseResult[]): string[] {
  const out = new Set<string>();
  for (const c of cases) {
    for (const col of COLUMNS) {
      const cell = c.cells[col];
      if (cell && 'error' in cell) out.add(`${c.name} on ${COLUMN_TITLES[col]}: ${cell.error}`);
    }
  }
  return [...out];
}

/** The whole BENCHMARKS.md. `notes` is Markdown written by hand (bench/NOTES.md). */
export function benchmarksMarkdown(run: RunResults, notes: string): string {
  const m = run.meta;
  const fails = failures(run.cases);
  const skips = skipReasons(run.cases);
  const merged = mergedRunsNote(run.cases);
  const throughput = throughputTable(run.cases);
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `pnpm bench` (bench/src/main.ts) from bench/results/*.json; edit bench/NOTES.md instead. -->',
    '',
    `Run ${m.date} at commit \`${m.commit}\`; Node ${m.node}; ${m.cpus}; PyTorch ${m.torch}` +
      `${m.quick ? ' (**--quick** run: short time budgets)' : ''}.`,
    'Each cell is the median wall time of one call in ms (after a warm-up call). tfjs cases run',
    'in one Node process; PyTorch runs in a child `python3` in the same run, with',
    '`torch.set_num_threads(1)` and `(2)`. Ratios above 1× mean the first column is slower.',
    m.note ? `\n${m.note}\n` : '',
    resultsTable(run.cases),
    '',
    ...(merged.length ? [...merged, ''] : []),
    ...(fails.length ? ['¹ Failures:', '', ...fails.map((f) => `- ${f}`), ''] : []),
    ...(skips.length ? ['Skipped cells:', '', ...skips.map((f) => `- ${f}`), ''] : []),
    ...(throughput
      ? ['Throughput of the model rows (images per call ÷ the median above):', '', throughput, '']
      : []),
    notes.trim(),
    '',
  ].join('\n');
}
