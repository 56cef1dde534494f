// @paperstack/voxelnet — VoxelNet (Zhou & Tuzel, CVPR 2018) on TensorFlow.js.
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
