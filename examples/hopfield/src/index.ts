// Experiments (plain-data results for the demo and the CLI)

export { patternsForMassRows } from './analysis/mass';
export { EXPERIMENTS, type ExperimentName } from './experiments';
// Statistics and this example's seeded streams
export { meanStd } from './metrics/stats';
// MIL building blocks
export { type BitPatternOptions, bitPatternSet } from './mil/bit-pattern';
export { bagSize, featureStats, type MilDataset, padBatch, standardize, subset } from './mil/dataset';
export {
  type BitPatternConfig,
  loadBenchmarkDatasets,
  type MilBenchmarkConfig,
  type MilConfig,
  type MilExperimentOptions,
  type MilModelSpec,
  type MilSource,
  milConfig,
  runBitPattern,
  runMilBenchmark,
  runMilExperiment,
} from './mil/experiment';
export {
  formatMil,
  loadMilFile,
  MilFormatError,
  type ParseMilOptions,
  parseMil,
  writeMilFile,
} from './mil/format';
export {
  MNIST_MEAN,
  MNIST_STD,
  type MnistBagsOptions,
  type MnistSplit,
  mnistBags,
  mnistForBags,
  splitMnist,
} from './mil/mnist-bags';
export {
  type MnistBagsConfig,
  type MnistBagsRun,
  mnistBagsConfig,
  runMnistBags,
  runMnistBagsExperiment,
} from './mil/mnist-bags-experiment';
export { MilModel, type MilModelOptions, type Pooling } from './mil/model';
export { SYNTHETIC_COREL_PRESETS, type SyntheticMilOptions, syntheticCorelMil } from './mil/synthetic';
export { bceWithLogits, type MilTrainOptions, predictMil, stratifiedKFold, trainMil } from './mil/train';
export { normal, permutation, uniform } from './random';
export {
  crossingCount,
  type RetrievalConfig,
  retrievalConfig,
  runRetrievalExperiment,
} from './retrieval/experiment';
export {
  measureClassicalRetrieval,
  measureRetrieval,
  type RetrievalMeasurement,
  type RetrievalOptions,
} from './retrieval/measure';
// Retrieval building blocks
export {
  type Corruption,
  corrupt,
  mnistPatterns,
  type Patterns,
  type RandomPatternKind,
  randomPatterns,
} from './retrieval/patterns';
