export {
  type BreastConfig,
  type BreastOracle,
  type BreastOracleSeed,
  type BreastResult,
  breastBenchmark,
  breastPreset,
  breastReport,
  readBreastOracle,
  runBreastBenchmark,
} from './breast';
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
  ratioPath,
  rmse,
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
