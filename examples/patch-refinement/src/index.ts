// The Patch Refinement example: shared experiment settings, the building blocks the scripts use,
// and the whole experiment as a report (runPatchRefinementExperiment).
export { EVAL_SEED0, RPN_CONFIG, TRAIN_SEED0 } from './config';
export { type IoUSummary, type LocalisationStudy, localisationStudy } from './localisation-study';
export {
  type Comparison,
  compareRpnAndRefined,
  createLrn,
  heldOutFrames,
  heldOutScenes,
  type StepProgress,
  type TrainingSceneOptions,
  trainingScenes,
  trainRpn,
} from './run';
export {
  type KittiComparison,
  PATCH_REFINEMENT_PRESETS,
  type PatchRefinementExperimentConfig,
  type PatchRefinementRun,
  patchRefinementReport,
  runPatchRefinementExperiment,
  trainAndComparePatchRefinement,
} from './run-experiment';
