/**
 * The kernel-dre building blocks the experiments need that `@paperstack/kernel-dre` does not
 * export (the all-t λ-path of KuLSIF, the Bregman Newton path, the link, small linear algebra).
 * Imported from the package source so the numbers are those of the library, not a copy.
 * TODO: drop this file once kernel-dre exports these (e.g. an `./internals` subpath).
 */
export { bregmanIterates, LOSSES } from '../../../packages/kernel-dre/src/bregman';
export { applyLink } from '../../../packages/kernel-dre/src/estimator';
export {
  gaussianKernel,
  gram,
  medianDistance,
  resolveKernel,
} from '../../../packages/kernel-dre/src/kernels';
export { kulsifIterates, kulsifSystem } from '../../../packages/kernel-dre/src/kulsif';
export { cholesky, matVec } from '../../../packages/kernel-dre/src/linalg';
export { Rng } from '../../../packages/kernel-dre/src/random';
export { type Mat, takeRows, vstack } from '../../../packages/kernel-dre/src/samples';
export { REFERENCE_LAMBDAS } from '../../../packages/kernel-dre/src/selection';
