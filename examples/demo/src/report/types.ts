import type { TopLevelSpec } from 'vega-lite';

/** A table of measured values. */
export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** A figure: a Vega-Lite spec with its data inlined, rendered to SVG in the report. */
export interface Figure {
  title: string;
  spec: TopLevelSpec;
  caption?: string;
}

/** What one pipeline contributes to the report. */
export interface PipelineReport {
  name: string;
  title: string;
  /** The paper and what the pipeline shows (one paragraph). */
  summary: string;
  config: Record<string, unknown>;
  tables: Table[];
  figures: Figure[];
  /** Wall time of each stage in ms. */
  timing: Record<string, number>;
  notes?: string[];
}

export type Preset = 'quick' | 'full';

export interface PipelineContext {
  preset: Preset;
  /** Progress of one stage: returns a tick function and a done function. */
  stage(
    title: string,
    total: number,
  ): { tick(step: number, info?: Record<string, number | string>): void; done(summary?: string): void };
  /** Optional real KITTI folder given by the user. */
  kittiDir?: string;
}

/** A pipeline the demo can run. */
export interface Pipeline {
  name: string;
  title: string;
  run(ctx: PipelineContext): Promise<PipelineReport>;
}
