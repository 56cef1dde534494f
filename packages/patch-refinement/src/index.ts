// @paperstack/patch-refinement — Patch Refinement (Lehner et al. 2019) on TensorFlow.js.
export {
  boxesFromCanonical,
  boxesToCanonical,
  type CanonicalFrame,
  frameOf,
  pointsFromCanonical,
  pointsToCanonical,
} from './canonical';
export {
  LocalRefinementNetwork,
  LRN_SMALL_PRESET,
  type LrnConfig,
  type LrnExample,
  type Refinement,
} from './lrn';
export { PatchExtractor, type Patches, type PatchOptions, patchPoints } from './patch';
export {
  type EvaluationProgress,
  evaluatePipeline,
  PatchRefinementDetector,
  type PipelineEvaluation,
  type PipelineFrame,
  type PipelineOptions,
  type PipelineStage,
  type RefinedDetections,
  type StageTimes,
} from './pipeline';
export { pointsInBox, type SampleOptions, samplePatches, type TrainingScene } from './samples';
export { type LrnTrainOptions, type LrnTrainProgress, trainLrn } from './train';
