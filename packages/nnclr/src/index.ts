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
  AdamW,
  type AdamWOptions,
  Lars,
  type LarsOptions,
  type WarmupCosineOptions,
  warmupCosine,
} from './optimizers';
export {
  type LookupOptions,
  type LookupResult,
  SupportSet,
  type SupportSetOptions,
  type SupportSetState,
} from './support-set';
export {
  type EncoderFn,
  type FitOptions,
  NnclrTrainer,
  type NnclrTrainerOptions,
  type StepInfo,
  type TwoViewBatch,
} from './training';
