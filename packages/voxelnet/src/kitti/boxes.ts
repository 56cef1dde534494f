// Camera ↔ LiDAR box conversion and 3D → 2D projection for KITTI.
// Conventions match OpenPCDet (pcdet/utils/box_utils.py, calibration_kitti.py):
//   LiDAR box  (x, y, z, dx, dy, dz, heading): geometric centre, dx along the heading, heading
//              counter-clockwise from +x about +z (Velodyne frame: x forward, y left, z up).
//   Camera box (x, y, z, l, h, w, ry): bottom centre in the rectified camera frame (x right,
//              y down, z forward), ry about camera +y (KITTI label convention).
import { InvalidArgumentError } from '../errors';
import type { KittiCalib } from './calib';
import type { KittiObject } from './labels';

/** Default image_2 size [width, height] used to clip projected boxes when none is given. */
export const KITTI_IMAGE_SIZE: readonly [number, number] = [1242, 375];

/** 4×4 row-major Velodyne → rectified camera transform: R0_rect(4×4) · Tr_velo_to_cam(4×4). */
export function veloToRectMatrix(calib: KittiCalib): Float64Array {
  const r = calib.R0_rect;
  const t = calib.Tr_velo_to_cam;
  const m = new Float64Array(16);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += r[i * 3 + k] * t[k * 4 + j];
      m[i * 4 + j] = s;
    }
  }
  m[15] = 1;
  return m;
}

/** Inverse of a 4×4 affine matrix whose last row is (0, 0, 0, 1). */
function invertAffine(m: Float64Array): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (Math.abs(det) < 1e-12)
    throw new InvalidArgumentError('invertAffine', 'calib', 'an invertible transform', det);
  const inv = [
    (e * i - f * h) / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    (f * g - d * i) / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    (d * h - e * g) / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let col = 0; col < 3; col++) out[r * 4 + col] = inv[r * 3 + col];
    out[r * 4 + 3] = -(inv[r * 3] * m[3] + inv[r * 3 + 1] * m[7] + inv[r * 3 + 2] * m[11]);
  }
  out[15] = 1;
  return out;
}

function transform(points: ArrayLike<number>, stride: number, m: Float64Array, where: string): Float64Array {
  if (points.length % stride !== 0) {
    throw new InvalidArgumentError(where, 'points', `a flat N×${stride} array`, `length ${points.length}`);
  }
  const n = points.length / stride;
  const out = new Float64Array(n * 3);
  for (let p = 0; p < n; p++) {
    const x = points[p * stride];
    const y = points[p * stride + 1];
    const z = points[p * stride + 2];
    for (let r = 0; r < 3; r++)
      out[p * 3 + r] = m[r * 4] * x + m[r * 4 + 1] * y + m[r * 4 + 2] * z + m[r * 4 + 3];
  }
  return out;
}

/** Velodyne points (flat N×`stride`, stride 3 or 4) → rectified camera coordinates, N×3. */
export function lidarToRect(points: ArrayLike<number>, calib: KittiCalib, stride = 3): Float64Array {
  return transform(points, stride, veloToRectMatrix(calib), 'lidarToRect');
}

/** Rectified camera points (flat N×3) → Velodyne coordinates, N×3. */
export function rectToLidar(points: ArrayLike<number>, calib: KittiCalib): Float64Array {
  return transform(points, 3, invertAffine(veloToRectMatrix(calib)), 'rectToLidar');
}

/** Rectified camera points (flat N×3) → image_2 pixels through P2: N×2 (u, v) and N depths. */
export function rectToImage(
  points: ArrayLike<number>,
  calib: KittiCalib,
): { uv: Float64Array; depth: Float64Array } {
  const p = calib.P2;
  const n = points.length / 3;
  const uv = new Float64Array(n * 2);
  const depth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = points[i * 3];
    const y = points[i * 3 + 1];
    const z = points[i * 3 + 2];
    const w = p[8] * x + p[9] * y + p[10] * z + p[11];
    uv[i * 2] = (p[0] * x + p[1] * y + p[2] * z + p[3]) / w;
    uv[i * 2 + 1] = (p[4] * x + p[5] * y + p[6] * z + p[7]) / w;
    depth[i] = w - p[11];
  }
  return { uv, depth };
}

function checkBoxes(boxes: ArrayLike<number>, where: string): number {
  if (boxes.length % 7 !== 0) {
    throw new InvalidArgumentError(where, 'boxes', 'a flat N×7 array', `length ${boxes.length}`);
  }
  return boxes.length / 7;
}

/** Wraps an angle to [−π, π). */
export function limitPeriod(a: number, offset = 0.5, period = 2 * Math.PI): number {
  return a - Math.floor(a / period + offset) * period;
}

/**
 * Camera boxes (N×7: x, y, z bottom centre, l, h, w, ry) → LiDAR boxes (N×7: x, y, z centre, dx=l,
 * dy=w, dz=h, heading = −(ry + π/2)), as OpenPCDet `boxes3d_kitti_camera_to_lidar`.
 */
export function cameraBoxesToLidar(boxes: ArrayLike<number>, calib: KittiCalib): Float64Array {
  const n = checkBoxes(boxes, 'cameraBoxesToLidar');
  const loc = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) loc[i * 3 + k] = boxes[i * 7 + k];
  const lidar = rectToLidar(loc, calib);
  const out = new Float64Array(n * 7);
  for (let i = 0; i < n; i++) {
    const [l, h, w, ry] = [boxes[i * 7 + 3], boxes[i * 7 + 4], boxes[i * 7 + 5], boxes[i * 7 + 6]];
    out[i * 7] = lidar[i * 3];
    out[i * 7 + 1] = lidar[i * 3 + 1];
    out[i * 7 + 2] = lidar[i * 3 + 2] + h / 2;
    out[i * 7 + 3] = l;
    out[i * 7 + 4] = w;
    out[i * 7 + 5] = h;
    out[i * 7 + 6] = limitPeriod(-(ry + Math.PI / 2));
  }
  return out;
}

/** LiDAR boxes (N×7) → camera boxes (N×7), the inverse of {@link cameraBoxesToLidar}. */
export function lidarBoxesToCamera(boxes: ArrayLike<number>, calib: KittiCalib): Float64Array {
  const n = checkBoxes(boxes, 'lidarBoxesToCamera');
  const bottom = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    bottom[i * 3] = boxes[i * 7];
    bottom[i * 3 + 1] = boxes[i * 7 + 1];
    bottom[i * 3 + 2] = boxes[i * 7 + 2] - boxes[i * 7 + 5] / 2;
  }
  const rect = lidarToRect(bottom, calib);
  const out = new Float64Array(n * 7);
  for (let i = 0; i < n; i++) {
    out[i * 7] = rect[i * 3];
    out[i * 7 + 1] = rect[i * 3 + 1];
    out[i * 7 + 2] = rect[i * 3 + 2];
    out[i * 7 + 3] = boxes[i * 7 + 3];
    out[i * 7 + 4] = boxes[i * 7 + 5];
    out[i * 7 + 5] = boxes[i * 7 + 4];
    out[i * 7 + 6] = limitPeriod(-boxes[i * 7 + 6] - Math.PI / 2);
  }
  return out;
}

/** The 8 corners (8×3, rectified camera frame) of one camera box (x, y, z, l, h, w, ry). */
export function cameraBoxCorners(
  box: ArrayLike<number>,
  offset = 0,
  out = new Float64Array(24),
): Float64Array {
  const [x, y, z, l, h, w, ry] = [0, 1, 2, 3, 4, 5, 6].map((k) => box[offset + k]);
  const c = Math.cos(ry);
  const s = Math.sin(ry);
  for (let k = 0; k < 8; k++) {
    const lx = (k & 1 ? -0.5 : 0.5) * l;
    const lz = (k & 2 ? -0.5 : 0.5) * w;
    const ly = k & 4 ? -h : 0;
    // rotation about camera y: x' = c·x + s·z, z' = −s·x + c·z (KITTI devkit convention)
    out[k * 3] = x + c * lx + s * lz;
    out[k * 3 + 1] = y + ly;
    out[k * 3 + 2] = z - s * lx + c * lz;
  }
  return out;
}

/**
 * Projects camera boxes (N×7) into image_2 through P2 and returns their 2D boxes (N×4: left, top,
 * right, bottom), clipped to `imageSize` [width, height] — OpenPCDet
 * `boxes3d_kitti_camera_to_imageboxes`. Boxes with a corner behind the camera are clipped the same
 * way (their projection is only meaningful for boxes in front of the camera).
 */
export function cameraBoxesToImageBoxes(
  boxes: ArrayLike<number>,
  calib: KittiCalib,
  imageSize: readonly [number, number] = KITTI_IMAGE_SIZE,
): Float64Array {
  const n = checkBoxes(boxes, 'cameraBoxesToImageBoxes');
  const out = new Float64Array(n * 4);
  const corners = new Float64Array(24);
  for (let i = 0; i < n; i++) {
    cameraBoxCorners(boxes, i * 7, corners);
    const { uv } = rectToImage(corners, calib);
    let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let k = 0; k < 8; k++) {
      x1 = Math.min(x1, uv[k * 2]);
      x2 = Math.max(x2, uv[k * 2]);
      y1 = Math.min(y1, uv[k * 2 + 1]);
      y2 = Math.max(y2, uv[k * 2 + 1]);
    }
    out[i * 4] = Math.min(Math.max(x1, 0), imageSize[0] - 1);
    out[i * 4 + 1] = Math.min(Math.max(y1, 0), imageSize[1] - 1);
    out[i * 4 + 2] = Math.min(Math.max(x2, 0), imageSize[0] - 1);
    out[i * 4 + 3] = Math.min(Math.max(y2, 0), imageSize[1] - 1);
  }
  return out;
}

/** Camera boxes (N×7: x, y, z, l, h, w, ry) of label objects, in the label's order. */
export function objectsToCameraBoxes(objects: readonly KittiObject[]): Float64Array {
  const out = new Float64Array(objects.length * 7);
  objects.forEach((o, i) => {
    out.set([...o.location, o.dimensions[2], o.dimensions[0], o.dimensions[1], o.rotationY], i * 7);
  });
  return out;
}

/** LiDAR boxes (N×7) of label objects. */
export function objectsToLidarBoxes(objects: readonly KittiObject[], calib: KittiCalib): Float64Array {
  return cameraBoxesToLidar(objectsToCameraBoxes(objects), calib);
}

/** Options of {@link lidarBoxesToObjects}. */
export interface ToObjectsOptions {
  /** Object type written to each line. Default 'Car'. */
  type?: string;
  /** Image size [width, height] for clipping the 2D boxes. Default {@link KITTI_IMAGE_SIZE}. */
  imageSize?: readonly [number, number];
}

/**
 * Detections as KITTI result objects: LiDAR boxes (N×7) and scores (N) → camera boxes, 2D boxes
 * through P2, alpha = ry − atan2(x, z) (the observation angle), truncation/occlusion 0 / 0 — the
 * format `writeResults` writes and `evaluate` reads.
 */
export function lidarBoxesToObjects(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  calib: KittiCalib,
  options: ToObjectsOptions = {},
): KittiObject[] {
  const n = checkBoxes(boxes, 'lidarBoxesToObjects');
  if (scores.length !== n) {
    throw new InvalidArgumentError(
      'lidarBoxesToObjects',
      'scores',
      `${n} scores (one per box)`,
      scores.length,
    );
  }
  const cam = lidarBoxesToCamera(boxes, calib);
  const img = cameraBoxesToImageBoxes(cam, calib, options.imageSize);
  const out: KittiObject[] = [];
  for (let i = 0; i < n; i++) {
    const [x, y, z, l, h, w, ry] = Array.from(cam.subarray(i * 7, i * 7 + 7));
    out.push({
      type: options.type ?? 'Car',
      truncated: 0,
      occluded: 0,
      alpha: limitPeriod(ry - Math.atan2(x, z)),
      bbox: [img[i * 4], img[i * 4 + 1], img[i * 4 + 2], img[i * 4 + 3]],
      dimensions: [h, w, l],
      location: [x, y, z],
      rotationY: ry,
      score: scores[i],
    });
  }
  return out;
}

/**
 * Keeps the points (flat N×4, Velodyne frame) that project into image_2 in front of the camera —
 * VoxelNet §3.1 ("points that are projected outside of image boundaries are removed"), OpenPCDet
 * `FOV_POINTS_ONLY`.
 */
export function cropToImageFov(
  points: Float32Array,
  calib: KittiCalib,
  imageSize: readonly [number, number] = KITTI_IMAGE_SIZE,
): Float32Array {
  const rect = lidarToRect(points, calib, 4);
  const { uv, depth } = rectToImage(rect, calib);
  const out = new Float32Array(points.length);
  let m = 0;
  for (let i = 0; i < points.length / 4; i++) {
    const u = uv[i * 2];
    const v = uv[i * 2 + 1];
    if (depth[i] > 0 && u >= 0 && u < imageSize[0] && v >= 0 && v < imageSize[1]) {
      out.set(points.subarray(i * 4, i * 4 + 4), m);
      m += 4;
    }
  }
  return out.slice(0, m);
}
