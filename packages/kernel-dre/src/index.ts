export {
  type AggregateOptions,
  type AggregationResult,
  aggregate,
  ensemblePredict,
  type ModelPredictions,
} from './aggregation';
export {
  BregmanDRE,
  type BregmanLoss,
  type BregmanOptions,
  bregmanObjective,
  ExponentialDRE,
  LogisticDRE,
  SquareDRE,
  type SquareDREOptions,
} from './bregman';
export { DREInputError, DRENotFittedError, DRENumericalError } from './errors';
export {
  type Coefficients,
  type DensityRatioEstimator,
  type EstimatorOptions,
  type FittedModelJSON,
  FittedRatioModel,
  KernelExpansionEstimator,
  kernelTensor,
  type Link,
} from './estimator';
export {
  gaussianKernel,
  gram,
  type Kernel,
  type KernelSpec,
  kernelToSpec,
  medianDistance,
  resolveKernel,
} from './kernels';
export { KLIEP, type KLIEPOptions } from './kliep';
export { KMM, type KMMOptions } from './kmm';
export { KuLSIF, type KuLSIFOptions } from './kulsif';
export { type LOOCVResult, type LSIFOptions, lsifLOOCV, RuLSIF, type RuLSIFOptions, ULSIF } from './lsif';
export { Rng } from './random';
export { type SampleInput, type Samples, toMat } from './samples';
export {
  type BregmanSelectionOptions,
  type KuLSIFSelectionOptions,
  lsifScore,
  REFERENCE_LAMBDAS,
  type Selection,
  type SelectionOptions,
  selectBregman,
  selectKuLSIF,
} from './selection';
