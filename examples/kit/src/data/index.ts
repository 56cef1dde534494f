// Real data sets for the examples (Node only: they read and write a cache folder). Import from
// '@paperstack/example-kit/data'; the main entry stays browser-safe.
export {
  BREAST_CANCER_CSV_SHA256,
  type LabelledTable,
  loadBreastCancer,
  parseBreastCancerCsv,
} from './breast-cancer';
export { type DataOptions, resolveDataOptions, sha256 } from './cache';
export {
  CIFAR10_CLASSES,
  CIFAR10_DECODED_SHA256,
  CIFAR10_PACKAGE,
  CIFAR10_TARBALL_SHA256,
  type Cifar10,
  loadCifar10,
} from './cifar10';
export { DIGITS_CSV_SHA256, type DigitsOptions, loadDigits, parseDigitsCsv } from './digits';
export { ChecksumError, DataUnavailableError } from './errors';
export { type ImageSet, imageDim, perClassRows, selectRows, toFloat32 } from './images';
export { loadMnist, MNIST_CLASS_COUNTS, MNIST_SHA256 } from './mnist';
export { type SklearnDataOptions, sklearnDataFile } from './sklearn-file';
