/**
 * Plain-data results of an experiment, shaped like the demo's `PipelineReport`
 * (examples/demo/src/report/types.ts): tables of measured values and Vega-Lite figures with their
 * data inlined.
 */

/** A Vega-Lite v5 top-level spec as plain JSON (data inlined). */
export type VegaLiteSpec = Record<string, unknown>;

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface Figure {
  title: string;
  spec: VegaLiteSpec;
  caption?: string;
}

export type Preset = 'quick' | 'full';

export interface ExperimentReport {
  name: string;
  title: string;
  /** The paper's claim and what the experiment measures (one paragraph). */
  summary: string;
  config: Record<string, unknown>;
  tables: Table[];
  figures: Figure[];
  /** Wall time of each stage in ms. */
  timing: Record<string, number>;
  /** Measured observations, one sentence each. */
  notes: string[];
}

/** Progress of a long stage: `step` of `total` done. */
export interface Progress {
  stage: string;
  step: number;
  total: number;
  info?: Record<string, number | string>;
}

export type OnProgress = (p: Progress) => void;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Lets a progress bar or the event loop run between heavy synchronous steps. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rounds for tables: 4 significant digits. */
export const round = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);
