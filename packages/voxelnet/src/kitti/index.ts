// The `kitti` namespace: KITTI object-benchmark I/O, box conventions and the official metric.
export {
  cameraBoxCorners,
  cameraBoxesToImageBoxes,
  cameraBoxesToLidar,
  cropToImageFov,
  KITTI_IMAGE_SIZE,
  lidarBoxesToCamera,
  lidarBoxesToObjects,
  lidarToRect,
  limitPeriod,
  objectsToCameraBoxes,
  objectsToLidarBoxes,
  rectToImage,
  rectToLidar,
  type ToObjectsOptions,
  veloToRectMatrix,
} from './boxes';
export { defaultCalib, type KittiCalib, parseCalib, readCalib } from './calib';
export {
  box3dOverlap,
  DIFFICULTIES,
  type EvaluateOptions,
  evaluate,
  formatEvaluation,
  getThresholds,
  groundBoxOverlap,
  imageBoxOverlap,
  KITTI_METRICS,
  type KittiEvaluation,
  type KittiMetric,
  type KittiMetricResult,
  MAX_OCCLUSION,
  MAX_TRUNCATION,
  MIN_HEIGHT,
  N_SAMPLE_PTS,
} from './evaluate';
export { evaluateFolders, type KittiFrame, listFrames, readFrame } from './folders';
export { formatLabels, type KittiObject, parseLabels, readLabels, writeResults } from './labels';
export { encodeVelodyne, parseVelodyne, readVelodyne } from './velodyne';
