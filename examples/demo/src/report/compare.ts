import type { ReportJson } from './render';

/** How one table cell of report A compares with the same cell of report B. */
export type CellVerdict =
  /** Identical text, or numbers equal to 1e-9 relative. */
  | 'same'
  /**
   * Numbers within 1e-3 relative, or apart by at most 1e-3 of the largest magnitude in their column
   * (round-off of values near zero, e.g. retrieval errors of 4e-9 in a column that reaches 0.5).
   */
  | 'close'
  /** Both `mean ± sd` and the two `mean ± sd` intervals overlap: |Δmean| ≤ sd_A + sd_B. */
  | 'within spread'
  /** Both `mean ± sd` and the intervals do not overlap. */
  | 'outside spread'
  /** Single numbers (one seed, one run) further apart than 1e-3 relative. */
  | 'differs'
  /** A column of times or speeds: expected to differ, listed apart. */
  | 'timing'
  /** Text, or a number against text, that differs. */
  | 'text differs';

export interface CellDiff {
  pipeline: string;
  table: string;
  row: number;
  column: string;
  a: string | number;
  b: string | number;
  verdict: CellVerdict;
  /** |a − b| / max(|a|, |b|) for numbers (of the means for `mean ± sd`). */
  relative?: number;
}

export interface PipelineComparison {
  pipeline: string;
  /** Cells per verdict. */
  counts: Record<CellVerdict, number>;
  /** Every cell that is not `same`, `close` or `timing`. */
  diffs: CellDiff[];
  /** Tables or rows present in only one report, or tables of different shape. */
  mismatches: string[];
}

const TIMING_COLUMN = /time|wall|\bms\b|\(s\)|\bs\b|per step|per sec|\/s\b|speed/i;

/** A cell as a number, `mean ± sd`, or text. Accepts trailing units (`%`, ` pp`). */
export function parseCell(v: string | number): { mean: number; sd?: number } | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? { mean: v } : undefined;
  const m = /^\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*(?:±|\+-|\+\/-)\s*([\d.]+(?:e[-+]?\d+)?)\s*%?\s*$/i.exec(v);
  if (m) return { mean: Number(m[1]), sd: Number(m[2]) };
  const n = /^\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*(%|pp)?\s*$/i.exec(v);
  return n ? { mean: Number(n[1]) } : undefined;
}

const relative = (a: number, b: number) => {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
};

export function compareCell(
  a: string | number,
  b: string | number,
  column: string,
  columnScale = 0,
): CellVerdict {
  if (a === b) return 'same';
  if (TIMING_COLUMN.test(column)) return 'timing';
  const pa = parseCell(a);
  const pb = parseCell(b);
  if (!pa || !pb) return 'text differs';
  if (pa.sd !== undefined && pb.sd !== undefined)
    return Math.abs(pa.mean - pb.mean) <= pa.sd + pb.sd ? 'within spread' : 'outside spread';
  const rel = relative(pa.mean, pb.mean);
  if (rel <= 1e-9) return 'same';
  return rel <= 1e-3 || Math.abs(pa.mean - pb.mean) <= 1e-3 * columnScale ? 'close' : 'differs';
}

const emptyCounts = (): Record<CellVerdict, number> => ({
  same: 0,
  close: 0,
  'within spread': 0,
  'outside spread': 0,
  differs: 0,
  timing: 0,
  'text differs': 0,
});

/**
 * Compares two demo reports (`report.json` of two runs, e.g. wasm and native) cell by cell: pipelines
 * by name, tables by title, rows by position.
 */
export function compareReports(a: ReportJson, b: ReportJson): PipelineComparison[] {
  const out: PipelineComparison[] = [];
  for (const pa of a.pipelines) {
    const cmp: PipelineComparison = { pipeline: pa.name, counts: emptyCounts(), diffs: [], mismatches: [] };
    out.push(cmp);
    const pb = b.pipelines.find((p) => p.name === pa.name);
    if (!pb) {
      cmp.mismatches.push('pipeline only in A');
      continue;
    }
    for (const ta of pa.tables) {
      const tb = pb.tables.find((t) => t.title === ta.title);
      if (!tb) {
        cmp.mismatches.push(`table "${ta.title}" only in A`);
        continue;
      }
      if (tb.rows.length !== ta.rows.length || tb.columns.join('\u0000') !== ta.columns.join('\u0000')) {
        cmp.mismatches.push(
          `table "${ta.title}": ${ta.rows.length}×${ta.columns.length} in A, ${tb.rows.length}×${tb.columns.length} in B`,
        );
        continue;
      }
      const scales = ta.columns.map((_, c) =>
        Math.max(0, ...[...ta.rows, ...tb.rows].map((row) => Math.abs(parseCell(row[c])?.mean ?? 0))),
      );
      ta.rows.forEach((row, r) => {
        row.forEach((va, c) => {
          const vb = tb.rows[r][c];
          const column = ta.columns[c];
          const verdict = compareCell(va, vb, column, scales[c]);
          cmp.counts[verdict] += 1;
          if (verdict === 'same' || verdict === 'close' || verdict === 'timing') return;
          const [na, nb] = [parseCell(va), parseCell(vb)];
          cmp.diffs.push({
            pipeline: pa.name,
            table: ta.title,
            row: r,
            column,
            a: va,
            b: vb,
            verdict,
            relative: na && nb ? relative(na.mean, nb.mean) : undefined,
          });
        });
      });
    }
    for (const tb of pb.tables)
      if (!pa.tables.some((t) => t.title === tb.title)) cmp.mismatches.push(`table "${tb.title}" only in B`);
  }
  for (const pb of b.pipelines)
    if (!a.pipelines.some((p) => p.name === pb.name))
      out.push({ pipeline: pb.name, counts: emptyCounts(), diffs: [], mismatches: ['pipeline only in B'] });
  return out;
}
