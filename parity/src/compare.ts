// The sweep's bookkeeping: element-wise comparison at a tolerance (numpy `allclose` semantics, as
// test-utils' expectClose), the worst error per family and backend, and the results table.

/** |actual − expected| ≤ atol + rtol·|expected|, element-wise. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Forward values or gradients: the table keeps their worst errors apart. */
export type Quantity = 'forward' | 'gradient' | 'discrete';

/** One comparison of one named value of one draw. */
export interface Comparison {
  name: string;
  quantity: Quantity;
  /** Largest |actual − expected| (Infinity when a value is not finite or the shapes differ). */
  maxAbs: number;
  /** Largest |actual − expected| / (atol + rtol·|expected|): ≤ 1 passes. */
  worstRatio: number;
  pass: boolean;
  /** Why it failed, with the worst element (empty when it passes). */
  detail: string;
}

/** Compares two flat arrays of the same length at `tol` (shape checks are the caller's). */
export function compareValues(
  name: string,
  quantity: Quantity,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): Comparison {
  if (actual.length !== expected.length) {
    return {
      name,
      quantity,
      maxAbs: Number.POSITIVE_INFINITY,
      worstRatio: Number.POSITIVE_INFINITY,
      pass: false,
      detail: `${actual.length} values, expected ${expected.length}`,
    };
  }
  let maxAbs = 0;
  let worstRatio = 0;
  let worst = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const diff = a === e ? 0 : Math.abs(a - e);
    // NaN and ±Inf against a finite reference fail (NaN compares false everywhere)
    const ratio =
      diff === 0
        ? 0
        : Number.isNaN(diff)
          ? Number.POSITIVE_INFINITY
          : diff / (tol.atol + tol.rtol * Math.abs(e));
    const d = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
    if (d > maxAbs) maxAbs = d;
    if (ratio > worstRatio || worst < 0) {
      worstRatio = ratio;
      worst = i;
    }
  }
  const pass = worstRatio <= 1;
  const detail = pass
    ? ''
    : `[${worst}] actual ${actual[worst]} expected ${expected[worst]} (|diff| ${Math.abs(actual[worst] - expected[worst]).toExponential(2)}, rtol ${tol.rtol}, atol ${tol.atol})`;
  return { name, quantity, maxAbs, worstRatio, pass, detail };
}

/** Exact equality of discrete values (indices, update-step counts, selected grid points). */
export function compareExact(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): Comparison {
  const a = Array.from(actual);
  const e = Array.from(expected);
  const pass = a.length === e.length && a.every((v, i) => v === e[i]);
  return {
    name,
    quantity: 'discrete',
    maxAbs: pass ? 0 : Number.POSITIVE_INFINITY,
    worstRatio: pass ? 0 : Number.POSITIVE_INFINITY,
    pass,
    detail: pass ? '' : `[${a.join(', ')}], expected [${e.join(', ')}]`,
  };
}

/** A failure of one draw on one backend, for the report. */
export interface Failure {
  family: string;
  backend: string;
  draw: string;
  what: string;
}

/** The worst errors of one family on one backend. */
export interface Cell {
  family: string;
  backend: string;
  draws: number;
  failedDraws: number;
  /** Draws not compared: float32 cannot decide them (e.g. the float32 reference stops at other update steps). */
  skippedDraws: number;
  /** Draws compared against the float32 reference's own error because that fails the suite's tolerances too. */
  illConditionedDraws: number;
  /** Largest |diff| over all forward values / gradients of all draws (−1 when there were none). */
  forwardMaxAbs: number;
  gradientMaxAbs: number;
  /** Largest |diff| / allowed (≤ 1 passes). */
  forwardWorstRatio: number;
  gradientWorstRatio: number;
}

/** Collects comparisons per (family, backend) and draw. */
export class SweepResults {
  readonly cells = new Map<string, Cell>();
  readonly failures: Failure[] = [];

  private cell(family: string, backend: string): Cell {
    const key = `${family}\u0000${backend}`;
    let c = this.cells.get(key);
    if (!c) {
      c = {
        family,
        backend,
        draws: 0,
        failedDraws: 0,
        skippedDraws: 0,
        illConditionedDraws: 0,
        forwardMaxAbs: -1,
        gradientMaxAbs: -1,
        forwardWorstRatio: -1,
        gradientWorstRatio: -1,
      };
      this.cells.set(key, c);
    }
    return c;
  }

  /** Records one draw: its comparisons, or the error it threw (a failure). */
  addDraw(
    family: string,
    backend: string,
    draw: string,
    comparisons: Comparison[],
    error?: unknown,
    illConditioned = false,
  ): void {
    const c = this.cell(family, backend);
    c.draws++;
    if (illConditioned) c.illConditionedDraws++;
    const bad: string[] = [];
    if (error !== undefined) bad.push(`threw ${error instanceof Error ? error.message : String(error)}`);
    if (error === undefined && comparisons.length === 0) bad.push('no comparisons were made');
    for (const r of comparisons) {
      if (r.quantity === 'forward') {
        c.forwardMaxAbs = Math.max(c.forwardMaxAbs, r.maxAbs);
        c.forwardWorstRatio = Math.max(c.forwardWorstRatio, r.worstRatio);
      } else if (r.quantity === 'gradient') {
        c.gradientMaxAbs = Math.max(c.gradientMaxAbs, r.maxAbs);
        c.gradientWorstRatio = Math.max(c.gradientWorstRatio, r.worstRatio);
      }
      if (!r.pass) bad.push(`${r.name}: ${r.detail}`);
    }
    if (bad.length > 0) {
      c.failedDraws++;
      for (const what of bad) this.failures.push({ family, backend, draw, what });
    }
  }

  /** Records a draw that was not compared, with the reason (listed in the report, not a failure). */
  addSkipped(family: string, backend: string, draw: string, reason: string): void {
    const c = this.cell(family, backend);
    c.draws++;
    c.skippedDraws++;
    this.skipped.push({ family, backend, draw, what: reason });
  }

  readonly skipped: Failure[] = [];

  /** No failure, something compared, and no family/backend whose draws were all skipped. */
  get ok(): boolean {
    const cells = [...this.cells.values()];
    return this.failures.length === 0 && cells.length > 0 && cells.every((c) => c.draws > c.skippedDraws);
  }
}

function fmt(x: number): string {
  if (x < 0) return '–';
  if (!Number.isFinite(x)) return 'inf';
  if (x === 0) return '0';
  return x.toExponential(1);
}

/**
 * The results as a markdown table: per family and backend, draws, failed, skipped and
 * ill-conditioned draws, and the worst
 * |diff| of forward values and gradients with its ratio to the allowed error in parentheses.
 */
export function formatTable(results: SweepResults): string {
  const rows = [...results.cells.values()].sort((a, b) =>
    a.family === b.family ? a.backend.localeCompare(b.backend) : a.family.localeCompare(b.family),
  );
  const lines = [
    '| family | backend | draws | failed | skipped | ill-cond. | forward max abs err (/ allowed) | gradient max abs err (/ allowed) |',
    '|---|---|---:|---:|---:|---:|---|---|',
  ];
  for (const c of rows) {
    const f = c.forwardMaxAbs < 0 ? '–' : `${fmt(c.forwardMaxAbs)} (${c.forwardWorstRatio.toFixed(2)})`;
    const g = c.gradientMaxAbs < 0 ? '–' : `${fmt(c.gradientMaxAbs)} (${c.gradientWorstRatio.toFixed(2)})`;
    lines.push(
      `| ${c.family} | ${c.backend} | ${c.draws} | ${c.failedDraws} | ${c.skippedDraws} | ${c.illConditionedDraws} | ${f} | ${g} |`,
    );
  }
  return lines.join('\n');
}
