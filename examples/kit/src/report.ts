/**
 * The plain-data report every example experiment returns and the demo renders
 * (examples/demo/src/report): tables of measured values and Vega-Lite figures with their data
 * inlined, so an example needs neither the renderer nor a DOM.
 */

/** Which size of an experiment to run: `quick` fits the demo's budget on 2 cores. */
export type Preset = 'quick' | 'full';

/** A Vega-Lite v5 top-level spec as plain JSON, data inlined. */
export type VegaLiteSpec = Record<string, unknown>;

/** The `$schema` every figure spec names. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** A table of measured values. */
export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** A figure: a Vega-Lite spec with its data inlined, and an optional caption saying what it shows. */
export interface Figure {
  title: string;
  spec: VegaLiteSpec;
  caption?: string;
}

/** What one experiment measured, in the shape of the demo's `PipelineReport`. */
export interface ExperimentReport<C = Record<string, unknown>> {
  name: string;
  title: string;
  /** The paper's claim and what the experiment measures (one paragraph). */
  summary: string;
  config: C;
  tables: Table[];
  figures: Figure[];
  /** Wall time of each stage in ms. */
  timing: Record<string, number>;
  /** Measured observations, one sentence each. */
  notes?: string[];
}

/** Progress of a long stage: `step` of `total` done, with optional live values for the bar. */
export interface Progress {
  stage: string;
  step: number;
  total: number;
  info?: Record<string, number | string>;
}

/** Receives {@link Progress} as an experiment runs. */
export type OnProgress = (p: Progress) => void;

/** Lets a progress bar or the event loop run between heavy synchronous steps. */
export const yieldToEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Rounds a number for a table to `digits` significant digits (non-finite values pass through). */
export const round = (x: number, digits = 4): number =>
  Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
