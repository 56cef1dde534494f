export { CheckpointError, MaectInputError, SafetensorsError } from './errors';
export { type MaeLossOptions, maeLoss } from './loss';
export {
  type MaskPlan,
  maskTensor,
  type RandomMaskingOptions,
  randomMasking,
  restoreTokens,
  selectKept,
} from './masking';
export {
  type DataFormat,
  type PatchifyOptions,
  patchify,
  type UnpatchifyOptions,
  unpatchify,
} from './patchify';
export { type SincosPosEmbedOptions, sincosPosEmbed2d, sincosPosEmbed2dValues } from './pos-embed';
export { seededRandom } from './random';
