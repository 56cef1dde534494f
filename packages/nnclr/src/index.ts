export { NnclrInputError } from './errors';
export {
  EmaHead,
  type EmaHeadOptions,
  type LoadStateDictOptions,
  MlpHead,
  type MlpHeadArgs,
  PredictionHead,
  ProjectionHead,
  type StateDictValue,
} from './heads';
export {
  type NnclrLossOptions,
  type NnclrTwoViewLossOptions,
  type NnclrVariant,
  type NtXentLossOptions,
  nnclrLoss,
  nnclrTwoViewLoss,
  ntXentLoss,
  type TwoViews,
} from './losses';
export { l2Normalize } from './normalize';
export {
  type LookupOptions,
  type LookupResult,
  SupportSet,
  type SupportSetOptions,
  type SupportSetState,
} from './support-set';
