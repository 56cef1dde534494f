export {
  CLOOB_CIFAR_PRESETS,
  CLOOB_SETTINGS,
  type CloobCifarConfig,
  type CloobCifarReport,
  type CloobCifarRun,
  type CloobSetting,
  cloobCifarReport,
  runCloobCifarExperiment,
} from './cifar-experiment';
export {
  CAPTION_TEMPLATES,
  CIFAR10_SYNONYMS,
  type CifarPairsOptions,
  loadCifarPairs,
  ZERO_SHOT_TEMPLATES,
} from './data/cifar';
export { DatasetFormatError, type FolderOptions, hashedBagOfWords, loadPairedFolder } from './data/folder';
export { type PairedDataset, size, subset } from './data/paired';
export { type SyntheticOptions, syntheticPairs } from './data/synthetic';
export { classEmbeddings, type Diagnostics, diagnose, effectiveRank } from './diagnostics';
export {
  type ComparisonOptions,
  compareObjectives,
  type RunResult,
  summarize,
  syntheticSplit,
} from './experiment';
export { type EncoderOptions, embed, encoder } from './model';
export { type Objective, type TrainedModels, type TrainOptions, trainEncoders } from './train';
