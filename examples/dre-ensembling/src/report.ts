/**
 * The plain-data report shape (the demo app renders it; it mirrors `examples/demo/src/report/types.ts`).
 * Figures are Vega-Lite v5 specs with inline data.
 */
export type Preset = 'quick' | 'full';

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface Figure {
  title: string;
  /** A Vega-Lite v5 spec with its data inlined. */
  spec: Record<string, unknown>;
  caption?: string;
}

export interface ExperimentReport<C = Record<string, unknown>> {
  config: C;
  tables: Table[];
  figures: Figure[];
  /** Wall time of each stage in ms. */
  timing: Record<string, number>;
  notes?: string[];
}

/** Progress callback: `stage` names the step, `done`/`total` count it. */
export type OnProgress = (p: { stage: string; done: number; total: number; info?: string }) => void;
