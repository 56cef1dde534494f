// The DRE examples report in the shared shape of examples/kit (the demo renders it as is).
export type { ExperimentReport, Figure, OnProgress, Preset, Table } from '@paperstack/example-kit';
