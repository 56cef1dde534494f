export { DREInputError, DRENotFittedError, DRENumericalError } from './errors';
export {
  type Coefficients,
  type DensityRatioEstimator,
  type EstimatorOptions,
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
export { KuLSIF, type KuLSIFOptions } from './kulsif';
export { Rng } from './random';
export { type SampleInput, type Samples, toMat } from './samples';
