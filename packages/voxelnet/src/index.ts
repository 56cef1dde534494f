// @paperstack/voxelnet — VoxelNet (Zhou & Tuzel, CVPR 2018) on TensorFlow.js.
export { type AnchorOptions, generateAnchors } from './anchors';
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
export { type AnchorTargets, assignTargets, type TargetOptions } from './target-assigner';
export { Random } from './util/random';
export { cropToRange, gridSizeOf, Voxelizer, type VoxelizerOptions, type Voxels } from './voxelizer';
