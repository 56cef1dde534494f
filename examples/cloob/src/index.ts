export { DatasetFormatError, type FolderOptions, hashedBagOfWords, loadPairedFolder } from './data/folder';
export { type PairedDataset, size, subset } from './data/paired';
export { type SyntheticOptions, syntheticPairs } from './data/synthetic';
export { type Diagnostics, diagnose, effectiveRank } from './diagnostics';
export {
  type ComparisonOptions,
  compareObjectives,
  type RunResult,
  summarize,
  syntheticSplit,
} from './experiment';
export { type EncoderOptions, embed, encoder } from './model';
export { type Objective, type TrainedModels, type TrainOptions, trainEncoders } from './train';
