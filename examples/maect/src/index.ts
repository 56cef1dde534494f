export {
  CIFAR10_SIZE,
  disposeSplit,
  epochBatches,
  type ImageSplit,
  type LabelledImages,
  loadCifar10Split,
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
  CIFAR10_MAE,
  loadSplit,
  MAECT_CIFAR10_PRESETS,
  MAECT_PRESETS,
  type MaectConfig,
  type MaectDataset,
  type MaectReport,
  MNIST_MAE,
  modelOf,
  readRuns,
  recordedRuns,
  runMaectCifar10Experiment,
  runMaectExperiment,
  runSeed,
  type SeedRun,
} from './experiment';
export { type PretrainOptions, type PretrainResult, pretrainMae } from './pretrain';
export {
  gainNote,
  gainTable,
  markdownTable,
  perSeedTable,
  reportFromRuns,
  runsTable,
  summaryTable,
} from './report';
export { CT_HEAD, contrastiveTune, type TuneOptions, type TuneStep } from './tune';
