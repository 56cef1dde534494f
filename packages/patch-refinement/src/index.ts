// @paperstack/patch-refinement — Patch Refinement (Lehner et al. 2019) on TensorFlow.js.
export {
  boxesFromCanonical,
  boxesToCanonical,
  type CanonicalFrame,
  frameOf,
  pointsFromCanonical,
  pointsToCanonical,
} from './canonical';
export { PatchExtractor, type Patches, type PatchOptions, patchPoints } from './patch';
