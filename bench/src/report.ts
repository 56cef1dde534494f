/**
 * Pure helpers that turn benchmark results into JSON-friendly records and the Markdown of
 * BENCHMARKS.md. Kept free of tfjs so they are cheap to unit-test.
 */

/** One timed column: a median in ms, or why there is none. */
export type Cell = { ms: number; iterations: number } | { error: string } | { skipped: string };

/**
 * Columns of the table, in order. `tf-1t`/`tf-2t` are the native TensorFlow backend of
 * @paperstack/runtime (tfjs-node's binding on the TensorFlow C library), each in its own process with
 * TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS; `torch-1t`/`torch-2t` come from
 * bench/python/torch_cases.py, one process per thread count.
 */
export const COLUMNS = [
  'cpu',
  'wasm-stock',
  'wasm',
  'wasm-2t',
  'tf-1t',
  'tf-2t',
  'torch-1t',
  'torch-2t',
] as const;
export type Column = (typeof COLUMNS)[number];

export const COLUMN_TITLES: Record<Column, string> = {
  cpu: 'tfjs cpu',
  'wasm-stock': 'wasm stock',
  wasm: 'wasm + runtime',
  'wasm-2t': 'wasm + runtime, 2 threads',
  'tf-1t': 'native TensorFlow 1 thread',
  'tf-2t': 'native TensorFlow 2 threads',
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
  load?: RunMeta['load'];
  reference?: RunMeta['reference'];
}

/** The BLAS record of one reference column (bench/src/blas.ts). */
export interface ReferenceMeta {
  threads: number;
  /** One line: torch, its BLAS (as loaded), numpy's, the GFLOP/s probe, the thread variables. */
  summary: string;
  ok: boolean;
  problems: string[];
  /** The full record bench/python/blas_env.py printed. */
  report?: unknown;
}

export interface RunMeta {
  date: string;
  commit: string;
  node: string;
  cpus: string;
  torch: string;
  quick: boolean;
  note?: string;
  /** `uptime`'s load averages (1, 5, 15 min) when the run started and when it ended. */
  load?: { start: number[]; end?: number[] };
  /** End of the run (the start is `date`). */
  ended?: string;
  /** Thread settings of each column (environment variables and API calls), as run. */
  threads?: Partial<Record<Column, string>>;
  /** torch column → the BLAS it ran on (issue 20). */
  reference?: Partial<Record<string, ReferenceMeta>>;
}

export interface RunResults {
  meta: RunMeta;
  cases: CaseResult[];
}

/** Prefix of the skip reason of a native column whose backend could not be loaded. */
export const NOT_SET_UP = 'not set up';

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
  if (cell.skipped.startsWith(NOT_SET_UP)) return NOT_SET_UP;
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

/** The ratio columns of the table: `num` time ÷ `den` time (above 1× means `num` is slower). */
export const RATIOS: { num: Column; den: Column; title: string }[] = [
  { num: 'wasm', den: 'torch-1t', title: 'wasm+runtime / PyTorch 1t' },
  { num: 'wasm-2t', den: 'torch-2t', title: 'wasm+runtime 2 threads / PyTorch 2t' },
  { num: 'tf-1t', den: 'torch-1t', title: 'native 1t / PyTorch 1t' },
  { num: 'tf-2t', den: 'torch-2t', title: 'native 2t / PyTorch 2t' },
  { num: 'wasm-stock', den: 'wasm', title: 'stock / wasm+runtime' },
];

/** Rows of the results table: medians, then ratios against PyTorch and stock wasm. */
export function resultsTable(cases: CaseResult[]): string {
  const head = ['case', ...COLUMNS.map((c) => `${COLUMN_TITLES[c]} (ms)`), ...RATIOS.map((r) => r.title)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const c of cases) {
    const ms = (col: Column) => cellMs(c.cells[col]);
    const row = [
      rowTitle(c),
      ...COLUMNS.map((col) => formatCell(c.cells[col])),
      ...RATIOS.map((r) => ratio(ms(r.num), ms(r.den))),
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
      if (cell && 'skipped' in cell && cell.skipped.startsWith(NOT_SET_UP))
        out.add(`${COLUMN_TITLES[col]}: ${cell.skipped}`);
      else if (cell && 'skipped' in cell && !generic.has(cell.skipped))
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
    ...(partial.meta.load ? { load: partial.meta.load } : {}),
    ...(partial.meta.reference ? { reference: partial.meta.reference } : {}),
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

/** The reference BLAS and thread settings of the run, for the header. */
function referenceLines(m: RunMeta): string[] {
  const out: string[] = [];
  const refs = Object.entries(m.reference ?? {}) as [Column, ReferenceMeta][];
  if (refs.length) {
    out.push('', '**Reference BLAS** (bench/python/blas_env.py, recorded by each PyTorch process):', '');
    for (const [col, r] of refs)
      out.push(
        `- ${COLUMN_TITLES[col]}: ${r.summary}${r.ok ? '' : ` — **refused: ${r.problems.join('; ')}**`}`,
      );
  }
  const threads = Object.entries(m.threads ?? {}) as [Column, string][];
  if (threads.length) {
    out.push('', '**Threads per column:**', '');
    for (const [col, t] of threads) out.push(`- ${COLUMN_TITLES[col]}: ${t}`);
  }
  return out.length ? [...out, ''] : [];
}

/**
 * A package comparison (bench/src/external.ts): one row per case, one column per implementation,
 * then each implementation's time ÷ ours.
 */
export function externalSection(file: string, run: RunResults): string[] {
  const m = run.meta;
  const cols = [...new Set(run.cases.flatMap((c) => Object.keys(c.cells)))];
  const others = cols.filter((c) => c !== 'ours');
  const head = ['case', ...cols.map((c) => `${c} (ms)`), ...others.map((c) => `${c} / ours`)];
  const cells = (c: CaseResult) => c.cells as Record<string, Cell | undefined>;
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const c of run.cases) {
    const ms = (col: string) => cellMs(cells(c)[col]);
    lines.push(
      `| ${[c.name, ...cols.map((col) => formatCell(cells(c)[col])), ...others.map((o) => ratio(ms(o), ms('ours')))].join(' | ')} |`,
    );
  }
  const group = run.cases[0]?.group ?? file;
  const refs = Object.entries(m.reference ?? {}) as [string, ReferenceMeta][];
  return [
    `### ${group} (\`${file}\`)`,
    '',
    `Run ${m.date}${m.ended ? ` – ${m.ended}` : ''} at commit \`${m.commit}\`${m.quick ? ' (**--quick**)' : ''}` +
      `${m.load ? `; load average at the start ${m.load.start.join(', ')}${m.load.end ? `, at the end ${m.load.end.join(', ')}` : ''}` : ''}.` +
      `${m.note ? ` ${m.note}.` : ''}`,
    '',
    lines.join('\n'),
    '',
    ...refs.map(
      ([col, r]) => `- ${col}: ${r.summary}${r.ok ? '' : ` — **refused: ${r.problems.join('; ')}**`}`,
    ),
    ...(refs.length ? [''] : []),
  ];
}

/** How BENCHMARKS.md names the results file it was generated from (read back by `--check`). */
export const RESULTS_PREFIX = 'Results file: ';

/** The whole BENCHMARKS.md. `notes` is Markdown written by hand (bench/NOTES.md). */
export function benchmarksMarkdown(
  run: RunResults,
  notes: string,
  resultsFile?: string,
  external: { file: string; run: RunResults }[] = [],
): string {
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
    ...(resultsFile
      ? [
          `${RESULTS_PREFIX}\`${resultsFile}\`` +
            (external.length
              ? `; the packages' comparisons: ${external.map((e) => `\`${e.file}\``).join(', ')}`
              : '') +
            ' (`pnpm bench -- --check` checks the READMEs against them).',
          '',
        ]
      : []),
    `Run ${m.date}${m.ended ? ` – ${m.ended}` : ''} at commit \`${m.commit}\`; Node ${m.node}; ${m.cpus}; PyTorch ${m.torch}` +
      `${m.quick ? ' (**--quick** run: short time budgets)' : ''}.`,
    ...(m.load
      ? [
          `Load average (1, 5, 15 min) at the start ${m.load.start.join(', ')}` +
            `${m.load.end ? `, at the end ${m.load.end.join(', ')}` : ''}.`,
        ]
      : []),
    'Each cell is the median wall time of one call in ms (after a warm-up call). tfjs cases run',
    'in one Node process (the 2-thread and native columns each in a child process); PyTorch runs in',
    'a child `python3` per thread count in the same run. Ratios above 1× mean the first column is slower.',
    ...referenceLines(m),
    m.note ? `\n${m.note}\n` : '',
    resultsTable(run.cases),
    '',
    ...(merged.length ? [...merged, ''] : []),
    ...(fails.length ? ['¹ Failures:', '', ...fails.map((f) => `- ${f}`), ''] : []),
    ...(skips.length ? ['Skipped cells:', '', ...skips.map((f) => `- ${f}`), ''] : []),
    ...(throughput
      ? ['Throughput of the model rows (images per call ÷ the median above):', '', throughput, '']
      : []),
    ...external.flatMap((e) => externalSection(e.file, e.run)),
    notes.trim(),
    '',
  ].join('\n');
}
