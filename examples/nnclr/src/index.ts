export { type Augmentation, augment, type TwoViewBatchOptions, twoViewBatches } from './augment';
export {
  type KnnPoint,
  NNCLR_PRESETS,
  type NnclrExperimentConfig,
  type NnclrMethod,
  type NnclrReport,
  type NnclrSeedResult,
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
