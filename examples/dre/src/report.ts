/**
 * The report shape of the DRE experiments: the kit's `ExperimentReport` without `name`, `title`
 * and `summary` (the demo's pipeline adds those), and a progress callback that counts `done` of
 * `total` with a one-line `info` (examples/demo/src/pipelines/dre.ts reads exactly this).
 */
import type { ExperimentReport as KitReport, Progress } from '@paperstack/example-kit';

export type { Figure, Preset, Table } from '@paperstack/example-kit';

/** What a DRE experiment measured: {@link KitReport} less the fields the demo fills in. */
export type ExperimentReport<C = Record<string, unknown>> = Omit<KitReport<C>, 'name' | 'title' | 'summary'>;

/** Progress callback: `stage` names the step, `done` of `total` counts it, `info` is one line of live values. */
export type OnProgress = (p: Pick<Progress, 'stage' | 'total'> & { done: number; info?: string }) => void;
