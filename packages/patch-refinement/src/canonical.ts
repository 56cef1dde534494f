// The canonical patch frame (Patch Refinement §3, "local 3D detection"): every proposal defines a
// frame centred on its bird's-eye-view centre and turned by its heading, so that the Local
// Refinement Network always sees its object near the origin, facing +x. The frame is a rotation
// about the LiDAR z axis plus a translation in x and y; z is left in the LiDAR frame (the paper's
// proposals are BEV detections — the LRN estimates height and vertical extent itself).
//
//   to canonical:   u =  cos θ·(x − cx) + sin θ·(y − cy),   v = −sin θ·(x − cx) + cos θ·(y − cy)
//   from canonical: x = cx + cos θ·u − sin θ·v,             y = cy + sin θ·u + cos θ·v
//
// Boxes (x, y, z, dx, dy, dz, heading) move their centre that way and their heading by −θ / +θ.
// Everything is computed in float64, so a round trip is exact up to float64 rounding.
import { InvalidArgumentError } from '@paperstack/voxelnet';

/** A canonical frame: BEV centre (cx, cy) and heading θ (radians) of a proposal. */
export interface CanonicalFrame {
  cx: number;
  cy: number;
  heading: number;
}

/** The frame of proposal `i` of a flat P×7 box array (x, y, z, dx, dy, dz, heading). */
export function frameOf(proposals: ArrayLike<number>, i: number): CanonicalFrame {
  return { cx: proposals[i * 7], cy: proposals[i * 7 + 1], heading: proposals[i * 7 + 6] };
}

function checkFrame(where: string, f: CanonicalFrame): void {
  if (!(Number.isFinite(f.cx) && Number.isFinite(f.cy) && Number.isFinite(f.heading))) {
    throw new InvalidArgumentError(where, 'frame', 'finite { cx, cy, heading }', [f.cx, f.cy, f.heading]);
  }
}

function checkFlat(where: string, name: string, a: ArrayLike<number>, stride: number): void {
  if (a.length % stride !== 0) {
    throw new InvalidArgumentError(where, name, `a flat N×${stride} array`, `length ${a.length}`);
  }
}

/**
 * Points (flat N×`stride`, x y z first) from the LiDAR frame into `frame`. Writes into `out`
 * (default a new Float32Array of the same length; other columns are copied) and returns it.
 */
export function pointsToCanonical(
  points: ArrayLike<number>,
  frame: CanonicalFrame,
  stride = 4,
  out: Float32Array | Float64Array = new Float32Array(points.length),
): Float32Array | Float64Array {
  checkFrame('pointsToCanonical', frame);
  checkFlat('pointsToCanonical', 'points', points, stride);
  const c = Math.cos(frame.heading);
  const s = Math.sin(frame.heading);
  for (let i = 0; i < points.length; i += stride) {
    const dx = points[i] - frame.cx;
    const dy = points[i + 1] - frame.cy;
    out[i] = c * dx + s * dy;
    out[i + 1] = -s * dx + c * dy;
    for (let k = 2; k < stride; k++) out[i + k] = points[i + k];
  }
  return out;
}

/** The inverse of {@link pointsToCanonical}: canonical points back into the LiDAR frame. */
export function pointsFromCanonical(
  points: ArrayLike<number>,
  frame: CanonicalFrame,
  stride = 4,
  out: Float32Array | Float64Array = new Float32Array(points.length),
): Float32Array | Float64Array {
  checkFrame('pointsFromCanonical', frame);
  checkFlat('pointsFromCanonical', 'points', points, stride);
  const c = Math.cos(frame.heading);
  const s = Math.sin(frame.heading);
  for (let i = 0; i < points.length; i += stride) {
    const u = points[i];
    const v = points[i + 1];
    out[i] = frame.cx + c * u - s * v;
    out[i + 1] = frame.cy + s * u + c * v;
    for (let k = 2; k < stride; k++) out[i + k] = points[i + k];
  }
  return out;
}

/** LiDAR boxes (flat N×7) into `frame` (float64). */
export function boxesToCanonical(boxes: ArrayLike<number>, frame: CanonicalFrame): Float64Array {
  checkFrame('boxesToCanonical', frame);
  checkFlat('boxesToCanonical', 'boxes', boxes, 7);
  const out = new Float64Array(boxes.length);
  pointsToCanonical(boxes, frame, 7, out);
  for (let i = 6; i < boxes.length; i += 7) out[i] = boxes[i] - frame.heading;
  return out;
}

/** Canonical boxes (flat N×7) back into the LiDAR frame (float64): the inverse of {@link boxesToCanonical}. */
export function boxesFromCanonical(boxes: ArrayLike<number>, frame: CanonicalFrame): Float64Array {
  checkFrame('boxesFromCanonical', frame);
  checkFlat('boxesFromCanonical', 'boxes', boxes, 7);
  const out = new Float64Array(boxes.length);
  pointsFromCanonical(boxes, frame, 7, out);
  for (let i = 6; i < boxes.length; i += 7) out[i] = boxes[i] + frame.heading;
  return out;
}
