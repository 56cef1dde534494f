export {
  disposeSplit,
  epochBatches,
  type LabelledImages,
  loadMnist,
  MNIST_PER_CLASS,
  MNIST_SIZE,
  type MnistSizes,
  type MnistSplit,
  takeRows,
} from './data';
export {
  ENCODERS,
  type EncoderMetrics,
  type EncoderName,
  evaluateEncoder,
  METRICS,
  type MetricKey,
} from './evaluate';
export {
  MAECT_PRESETS,
  type MaectConfig,
  type MaectReport,
  MNIST_MAE,
  readRuns,
  recordedRuns,
  runMaectExperiment,
  runSeed,
  type SeedRun,
} from './experiment';
export { type PretrainOptions, type PretrainResult, pretrainMae } from './pretrain';
export {
  gainNote,
  gainTable,
  markdownTable,
  meanSd,
  perSeedTable,
  reportFromRuns,
  runsTable,
  summaryTable,
} from './report';
export { CT_HEAD, contrastiveTune, type TuneOptions, type TuneStep } from './tune';
