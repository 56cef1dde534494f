export { type Augmentation, augment, type TwoViewBatchOptions, twoViewBatches } from './augment';
export { augmentColor, CIFAR_DIM, CIFAR_SIDE, loadCifarDataset } from './cifar';
export {
  type KnnPoint,
  NNCLR_CIFAR_PRESETS,
  NNCLR_PRESETS,
  type NnclrExperimentConfig,
  type NnclrMethod,
  type NnclrReport,
  type NnclrSeedResult,
  nnclrReport,
  runNnclrExperiment,
  type TrainingPoint,
} from './experiment';
export { type NnclrFigureData, nnclrFigures } from './figures';
export { type NnclrResultsJson, resultsJson } from './json';
export {
  CLASSES,
  type Dataset,
  gaussian,
  makeShapes,
  PIXELS,
  renderShape,
  SIDE,
  stackImages,
} from './shapes';
