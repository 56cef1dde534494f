export { Classifier, type ClassifierSpec, describeSpec, type TrainOptions } from './classifiers';
export { type Labeled, moons, shiftDomain, shiftedMoons } from './data';
export {
  type IwaConfig,
  type IwaResult,
  iwaExperiment,
  iwaPreset,
  iwaReport,
  METHODS,
  runIwaExperiment,
  type SeedResult,
} from './iwa';
