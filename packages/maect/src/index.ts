export { attentionCore } from './attention';
export { type AugmentOptions, augment } from './augment';
export { gelu, layerNorm } from './block';
export {
  ContrastiveTuner,
  type ContrastiveTuningOptions,
  type TuningStepOptions,
  type TuningStepResult,
} from './contrastive-tuning';
export { MAE_DECODER_DEFAULTS, MaeDecoder, type MaeDecoderConfig, type MaeDecoderOptions } from './decoder';
export { CheckpointError, MaectInputError, SafetensorsError } from './errors';
export {
  type ClusteringResult,
  clusteringAccuracy,
  extractFeatures,
  type Features,
  type KnnOptions,
  kmeansClustering,
  knnAccuracy,
  type LinearProbeOptions,
  linearProbeAccuracy,
  lowShotIndices,
  normalizedMutualInformation,
  subsetFeatures,
} from './evaluation';
export { type MaeLossOptions, maeLoss } from './loss';
export { type MaeForwardOptions, type MaeOptions, type MaeOutput, MaskedAutoencoder } from './mae';
export {
  type MaskPlan,
  maskTensor,
  type RandomMaskingOptions,
  randomMasking,
  restoreTokens,
  selectKept,
} from './masking';
export { type GroupedAdamWOptions, groupedAdamW, type ParamGroup, warmupCosine } from './optimizer';
export {
  type DataFormat,
  type PatchifyOptions,
  patchify,
  type UnpatchifyOptions,
  unpatchify,
} from './patchify';
export { type SincosPosEmbedOptions, sincosPosEmbed2d, sincosPosEmbed2dValues } from './pos-embed';
export { MAE_PRESETS, type MaePresetName } from './presets';
export { seededRandom } from './random';
export { readSafetensors, type Safetensors, writeSafetensors } from './safetensors';
export type { ExportStateDictOptions, LoadStateDictOptions, StateDict, StateTensor } from './state-dict';
export {
  type EncodeOptions,
  type Pooling,
  pool,
  VIT_DEFAULTS,
  VisionTransformer,
  type VitConfig,
  type VitLayerArgs,
  type VitOptions,
} from './vit';
