// The VoxelNet example: train the small preset on synthetic scenes, KITTI-metric AP before vs after,
// real KITTI frames on request; plus the tables and figures the detection examples share.

export {
  type CloudStatistics,
  type CloudStatisticsOptions,
  cloudStatistics,
  domainGapTable,
  type GapFrame,
  labelBoxes,
  labelsInRange,
} from './domain-gap';
export {
  EVAL_SEED0,
  type HeldOutEvaluation,
  runVoxelNetExperiment,
  trainAndEvaluateVoxelNet,
  VOXELNET_PRESETS,
  type VoxelNetExperimentConfig,
  type VoxelNetRun,
  type VoxelNetRunOptions,
  voxelnetReport,
} from './experiment';
export {
  AP_COLUMNS,
  apTable,
  type BevBoxes,
  bevFigure,
  CAR_IOU_05,
  carAp,
  lossFigure,
  movingAverage,
} from './figures';
export { carsInRange, type KittiInput, readKittiFrames, resolveKittiSplit } from './kitti-frames';
export {
  carMatchTable,
  detectOnKitti,
  type KittiApPair,
  type KittiFrameResult,
  type KittiRun,
  kittiFrameTable,
  kittiNotes,
} from './real-frames';
export {
  formatSummary,
  moderateAp,
  realFrameCounts,
  runSeeds,
  type SeedsCommand,
  SeedsCommandLineError,
  seededConfig,
  seedsCommandLine,
  summarise,
  voxelnetSeedMetrics,
  writeSeedResults,
} from './seeds';
export { URBAN_SCENES } from './urban';
