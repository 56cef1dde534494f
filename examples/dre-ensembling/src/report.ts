// The plain-data report shape is examples/dre's (the demo renders it).
export type { ExperimentReport, Figure, OnProgress, Preset, Table } from '@paperstack/example-dre';
