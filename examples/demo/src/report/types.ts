import type { ExperimentReport, Figure as KitFigure, Preset } from '@paperstack/example-kit';
import type { TopLevelSpec } from 'vega-lite';

export type { Preset, Table } from '@paperstack/example-kit';

/** A figure: the kit's, with its spec typed as Vega-Lite, rendered to SVG in the report. */
export interface Figure extends Omit<KitFigure, 'spec'> {
  spec: TopLevelSpec;
}

/** What one pipeline contributes to the report: an example's report with typed Vega-Lite figures. */
export interface PipelineReport extends Omit<ExperimentReport, 'figures'> {
  figures: Figure[];
}

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
  /** Runs only with `--full`, or when `--only` names it exactly (too long for the quick preset). */
  fullOnly?: boolean;
  /** Seconds it took per preset in a measured run (pipelines/index.ts): with `--jobs` the costliest start first. */
  seconds?: Record<Preset, number>;
}
