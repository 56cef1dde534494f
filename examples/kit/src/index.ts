export { reportProblems } from './check';
export { cliArgs, mergeParts, printMergedReport } from './cli';
export { meanSd, rocAuc } from './metrics';
export { normal, permutation, randInt, uniform } from './random';
export {
  type ExperimentReport,
  type Figure,
  type OnProgress,
  type Preset,
  type Progress,
  round,
  type Table,
  VEGA_LITE_SCHEMA,
  type VegaLiteSpec,
  yieldToEventLoop,
} from './report';
