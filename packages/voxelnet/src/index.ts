// @paperstack/voxelnet — VoxelNet (Zhou & Tuzel, CVPR 2018) on TensorFlow.js.
export { type AnchorOptions, generateAnchors } from './anchors';
export { type AugmentOptions, augmentScene } from './augment';
export { type BevOptions, renderBevSvg } from './bev';
export { decodeBoxes, decodeBoxesTensor, encodeBoxes } from './box-coder';
export { InvalidArgumentError, KittiFormatError, VoxelNetError } from './errors';
export { type NmsOptions, rotatedNms } from './geometry/nms';
export {
  bevIoU,
  convexIntersectionArea,
  iou3d,
  rectangleCorners,
  rotatedOverlapArea,
} from './geometry/rotated-iou';
export * as kitti from './kitti/index';
export { type LossOptions, type LossParts, voxelnetLoss } from './losses';
export { AnchorHead, type AnchorHeadArgs } from './network/anchor-head';
export type { BatchNormOptions, StateDict, StateValue } from './network/common';
export {
  type Conv3dSpec,
  ConvMiddleLayers,
  type ConvMiddleLayersArgs,
  middleOutputDepth,
  PAPER_MIDDLE_LAYERS,
} from './network/middle';
export { conv2d, conv2dTranspose, type Pad2D, scatterToDense } from './network/ops';
export {
  PAPER_RPN_BLOCKS,
  PAPER_RPN_UPSAMPLE,
  RpnBackbone,
  type RpnBackboneArgs,
  type RpnBlockSpec,
  type RpnUpsampleSpec,
} from './network/rpn';
export { pointMask, VoxelFeatureExtractor, type VoxelFeatureExtractorArgs } from './network/vfe';
export { generateScene, type Scene, type SceneOptions } from './synthetic';
export { type AnchorTargets, assignTargets, type TargetOptions } from './target-assigner';
export {
  type EvaluationFrame,
  evaluateDetector,
  lossStep,
  type StepLosses,
  type TrainingFrame,
  type TrainOptions,
  type TrainProgress,
  train,
} from './train';
export { Random } from './util/random';
export { cropToRange, gridSizeOf, Voxelizer, type VoxelizerOptions, type Voxels } from './voxelizer';
export {
  CAR_PRESET,
  type Detections,
  type DetectOptions,
  PRESETS,
  SMALL_PRESET,
  VoxelNet,
  type VoxelNetConfig,
  type VoxelNetOutput,
} from './voxelnet';
