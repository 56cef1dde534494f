export { intOption, presetOption, printProgress, resultsDir } from './cli';
export { type MeanBarsOptions, meanBarsWithDots } from './figures';
export {
  type Method,
  type MixtureConfig,
  type MixtureResult,
  mixtureBenchmark,
  mixturePreset,
  mixtureReport,
  nmse,
  runMixtureBenchmark,
} from './mixture';
export type { ExperimentReport, Figure, OnProgress, Preset, Table } from './report';
export {
  logLogSlope,
  runSaturationExperiment,
  type SaturationConfig,
  type SaturationResult,
  saturation,
  saturationPreset,
  saturationProblem,
  saturationReport,
  saturationSvg,
} from './saturation';
