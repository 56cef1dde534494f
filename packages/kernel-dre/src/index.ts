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
  bregmanIterates,
  bregmanObjective,
  ExponentialDRE,
  LOSSES,
  LogisticDRE,
  SquareDRE,
  type SquareDREOptions,
} from './bregman';
export { DREInputError, DRENotFittedError, DRENumericalError } from './errors';
export {
  applyLink,
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
// The low-level regularization path (every t of one λ from one Cholesky factorization, or from one
// run of the proximal Newton iteration above), for experiments that score each (λ, t) themselves,
// e.g. against a known ratio (examples/dre); with the row-major float64 helpers it takes.
export { KuLSIF, type KuLSIFOptions, type KulsifSystem, kulsifIterates, kulsifSystem } from './kulsif';
export { cholesky, matVec } from './linalg';
export { type LOOCVResult, type LSIFOptions, lsifLOOCV, RuLSIF, type RuLSIFOptions, ULSIF } from './lsif';
export { Rng } from './random';
export { type Mat, type SampleInput, type Samples, takeRows, toMat, vstack } from './samples';
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
