// Data augmentation of VoxelNet §3.2: (1) each ground-truth box and its points rotated about the
// box centre by Δθ ~ U[−π/10, π/10] and translated by (Δx, Δy, Δz) ~ N(0, σ²), reverted if the
// moved box collides with another; (2) global scaling by U[0.95, 1.05]; (3) global rotation about
// z by U[−π/4, π/4]. (qianguih/voxelnet utils/data_aug.py implements the same three steps.)
import { InvalidArgumentError } from './errors';
import { rotatedOverlapArea } from './geometry/rotated-iou';
import { limitPeriod } from './kitti/boxes';
import { Random } from './util/random';

/** Options of {@link augmentScene}. Defaults: the paper's (§3.2), except `translationStd[2]`. */
export interface AugmentOptions {
  /** Per-box rotation half-range (radians). Default π/10. */
  boxRotation?: number;
  /**
   * Per-box translation σ for (x, y, z), metres. Default [1, 1, 0]: the paper draws all three
   * from N(0, 1); we keep cars on the ground (z) because a metre of vertical noise moves them into
   * or above the road surface.
   */
  translationStd?: number[];
  /** Global scaling range. Default [0.95, 1.05]. */
  scaling?: [number, number];
  /** Global rotation half-range (radians). Default π/4. */
  globalRotation?: number;
}

/**
 * Augments a scene: `points` (N×4) and ground-truth LiDAR `boxes` (M×7) → new arrays. The same
 * seed gives the same result.
 */
export function augmentScene(
  points: Float32Array,
  boxes: ArrayLike<number>,
  seed: number,
  options: AugmentOptions = {},
): { points: Float32Array; boxes: Float64Array } {
  const {
    boxRotation = Math.PI / 10,
    translationStd = [1, 1, 0],
    scaling = [0.95, 1.05],
    globalRotation = Math.PI / 4,
  } = options;
  if (points.length % 4 !== 0) {
    throw new InvalidArgumentError('augmentScene', 'points', 'a flat N×4 array', `length ${points.length}`);
  }
  if (boxes.length % 7 !== 0)
    throw new InvalidArgumentError('augmentScene', 'boxes', 'a flat M×7 array', `length ${boxes.length}`);
  const rng = new Random(seed);
  const pts = Float32Array.from(points);
  const bx = Float64Array.from(boxes);
  const m = bx.length / 7;
  const n = pts.length / 4;
  // which box each point belongs to (−1: none), with a 10 cm margin
  const owner = new Int32Array(n).fill(-1);
  for (let j = 0; j < m; j++) {
    const [x, y, z, dx, dy, dz, h] = Array.from(bx.subarray(j * 7, j * 7 + 7));
    const c = Math.cos(h);
    const s = Math.sin(h);
    for (let i = 0; i < n; i++) {
      const px = pts[i * 4] - x;
      const py = pts[i * 4 + 1] - y;
      if (
        Math.abs(c * px + s * py) <= dx / 2 + 0.1 &&
        Math.abs(-s * px + c * py) <= dy / 2 + 0.1 &&
        Math.abs(pts[i * 4 + 2] - z) <= dz / 2 + 0.1
      ) {
        owner[i] = j;
      }
    }
  }
  // (1) per-box perturbation with collision test
  for (let j = 0; j < m; j++) {
    const dth = rng.uniform(-boxRotation, boxRotation);
    const t = [
      rng.normal(0, translationStd[0]),
      rng.normal(0, translationStd[1]),
      rng.normal(0, translationStd[2] ?? 0),
    ];
    const o = j * 7;
    const moved = [
      bx[o] + t[0],
      bx[o + 1] + t[1],
      bx[o + 2] + t[2],
      bx[o + 3],
      bx[o + 4],
      bx[o + 5],
      bx[o + 6] + dth,
    ];
    let collides = false;
    for (let k = 0; k < m && !collides; k++) {
      if (k === j) continue;
      const q = k * 7;
      collides =
        rotatedOverlapArea(
          moved[0],
          moved[1],
          moved[3],
          moved[4],
          moved[6],
          bx[q],
          bx[q + 1],
          bx[q + 3],
          bx[q + 4],
          bx[q + 6],
        ) > 0;
    }
    if (collides) continue;
    const c = Math.cos(dth);
    const s = Math.sin(dth);
    for (let i = 0; i < n; i++) {
      if (owner[i] !== j) continue;
      const px = pts[i * 4] - bx[o];
      const py = pts[i * 4 + 1] - bx[o + 1];
      pts[i * 4] = bx[o] + c * px - s * py + t[0];
      pts[i * 4 + 1] = bx[o + 1] + s * px + c * py + t[1];
      pts[i * 4 + 2] += t[2];
    }
    bx.set(moved, o);
  }
  // (2) global scaling, (3) global rotation
  const sc = rng.uniform(scaling[0], scaling[1]);
  const rot = rng.uniform(-globalRotation, globalRotation);
  const c = Math.cos(rot);
  const s = Math.sin(rot);
  for (let i = 0; i < n; i++) {
    const x = pts[i * 4] * sc;
    const y = pts[i * 4 + 1] * sc;
    pts[i * 4] = c * x - s * y;
    pts[i * 4 + 1] = s * x + c * y;
    pts[i * 4 + 2] *= sc;
  }
  for (let j = 0; j < m; j++) {
    const o = j * 7;
    const x = bx[o] * sc;
    const y = bx[o + 1] * sc;
    bx[o] = c * x - s * y;
    bx[o + 1] = s * x + c * y;
    bx[o + 2] *= sc;
    bx[o + 3] *= sc;
    bx[o + 4] *= sc;
    bx[o + 5] *= sc;
    bx[o + 6] = limitPeriod(bx[o + 6] + rot);
  }
  return { points: pts, boxes: bx };
}
