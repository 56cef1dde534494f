// Exact intersection of rotated rectangles (convex polygons) and the BEV / 3D IoU built on it.
// Same quantity as OpenPCDet pcdet/ops/iou3d_nms/src/iou3d_cpu.cpp `box_overlap` and the KITTI
// devkit's boost::geometry intersection, computed here by Sutherland–Hodgman clipping of one
// convex polygon by the other's edges (exact for convex inputs; no library needed).
import { InvalidArgumentError } from '../errors';

/**
 * Corners (4×2, counter-clockwise) of a rectangle centred at (cx, cy) with extent `length` along
 * the direction `angle` (radians, counter-clockwise from +x) and `width` across it.
 */
export function rectangleCorners(
  cx: number,
  cy: number,
  length: number,
  width: number,
  angle: number,
  out: Float64Array = new Float64Array(8),
): Float64Array {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const hl = length / 2;
  const hw = width / 2;
  const local = [hl, hw, -hl, hw, -hl, -hw, hl, -hw];
  for (let k = 0; k < 4; k++) {
    const x = local[k * 2];
    const y = local[k * 2 + 1];
    out[k * 2] = cx + c * x - s * y;
    out[k * 2 + 1] = cy + s * x + c * y;
  }
  return out;
}

// Scratch buffers for the clipper (a convex 4-gon clipped by 4 half-planes has ≤ 8 vertices).
let bufA = new Float64Array(32);
let bufB = new Float64Array(32);

/**
 * Area of the intersection of two convex polygons given as flat (x, y) vertex lists in
 * counter-clockwise order (`na`, `nb` vertices).
 */
export function convexIntersectionArea(
  a: ArrayLike<number>,
  na: number,
  b: ArrayLike<number>,
  nb: number,
): number {
  if (bufA.length < 2 * (na + nb) + 8) {
    bufA = new Float64Array(4 * (na + nb) + 16);
    bufB = new Float64Array(4 * (na + nb) + 16);
  }
  let src = bufA;
  let dst = bufB;
  for (let i = 0; i < 2 * na; i++) src[i] = a[i];
  let n = na;
  for (let e = 0; e < nb && n > 0; e++) {
    const ex0 = b[e * 2];
    const ey0 = b[e * 2 + 1];
    const ex1 = b[((e + 1) % nb) * 2];
    const ey1 = b[((e + 1) % nb) * 2 + 1];
    const dx = ex1 - ex0;
    const dy = ey1 - ey0;
    // side > 0: left of the edge, i.e. inside a counter-clockwise polygon
    let m = 0;
    let px = src[(n - 1) * 2];
    let py = src[(n - 1) * 2 + 1];
    let ps = dx * (py - ey0) - dy * (px - ex0);
    for (let i = 0; i < n; i++) {
      const qx = src[i * 2];
      const qy = src[i * 2 + 1];
      const qs = dx * (qy - ey0) - dy * (qx - ex0);
      if (qs >= 0) {
        if (ps < 0) {
          const t = ps / (ps - qs);
          dst[m * 2] = px + t * (qx - px);
          dst[m * 2 + 1] = py + t * (qy - py);
          m++;
        }
        dst[m * 2] = qx;
        dst[m * 2 + 1] = qy;
        m++;
      } else if (ps >= 0) {
        const t = ps / (ps - qs);
        dst[m * 2] = px + t * (qx - px);
        dst[m * 2 + 1] = py + t * (qy - py);
        m++;
      }
      px = qx;
      py = qy;
      ps = qs;
    }
    const tmp = src;
    src = dst;
    dst = tmp;
    n = m;
  }
  if (n < 3) return 0;
  let area = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    area += src[i * 2] * src[j * 2 + 1] - src[j * 2] * src[i * 2 + 1];
  }
  return Math.max(0, area / 2);
}

const ca = new Float64Array(8);
const cb = new Float64Array(8);

/**
 * Overlap area of two rotated rectangles (cx, cy, length, width, angle). Rectangles with a
 * non-positive side have no area (and no overlap).
 */
export function rotatedOverlapArea(
  ax: number,
  ay: number,
  al: number,
  aw: number,
  aa: number,
  bx: number,
  by: number,
  bl: number,
  bw: number,
  ba: number,
): number {
  if (!(al > 0 && aw > 0 && bl > 0 && bw > 0)) return 0;
  // quick reject on circumscribed circles
  const dx = ax - bx;
  const dy = ay - by;
  const ra = Math.hypot(al, aw) / 2;
  const rb = Math.hypot(bl, bw) / 2;
  if (dx * dx + dy * dy >= (ra + rb) * (ra + rb)) return 0;
  rectangleCorners(ax, ay, al, aw, aa, ca);
  rectangleCorners(bx, by, bl, bw, ba, cb);
  return convexIntersectionArea(ca, 4, cb, 4);
}

function count7(boxes: ArrayLike<number>, where: string, name: string): number {
  if (boxes.length % 7 !== 0) {
    throw new InvalidArgumentError(
      where,
      name,
      'a flat N×7 array (x, y, z, dx, dy, dz, heading)',
      `length ${boxes.length}`,
    );
  }
  return boxes.length / 7;
}

/**
 * Rotated bird's-eye-view IoU between LiDAR boxes `a` (N×7) and `b` (M×7), (x, y, z, dx, dy, dz,
 * heading): a row-major N×M `Float64Array`.
 */
export function bevIoU(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const n = count7(a, 'bevIoU', 'a');
  const m = count7(b, 'bevIoU', 'b');
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const areaA = a[i * 7 + 3] * a[i * 7 + 4];
    for (let j = 0; j < m; j++) {
      const inter = rotatedOverlapArea(
        a[i * 7],
        a[i * 7 + 1],
        a[i * 7 + 3],
        a[i * 7 + 4],
        a[i * 7 + 6],
        b[j * 7],
        b[j * 7 + 1],
        b[j * 7 + 3],
        b[j * 7 + 4],
        b[j * 7 + 6],
      );
      const union = areaA + b[j * 7 + 3] * b[j * 7 + 4] - inter;
      out[i * m + j] = inter > 0 ? inter / Math.max(union, 1e-9) : 0;
    }
  }
  return out;
}

/**
 * Rotated 3D IoU between LiDAR boxes `a` (N×7) and `b` (M×7): BEV overlap area × vertical overlap
 * of [z − dz/2, z + dz/2], over the union volume (OpenPCDet `boxes_iou3d_gpu`): N×M.
 */
export function iou3d(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const n = count7(a, 'iou3d', 'a');
  const m = count7(b, 'iou3d', 'b');
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const volA = a[i * 7 + 3] * a[i * 7 + 4] * a[i * 7 + 5];
    for (let j = 0; j < m; j++) {
      const zOverlap =
        Math.min(a[i * 7 + 2] + a[i * 7 + 5] / 2, b[j * 7 + 2] + b[j * 7 + 5] / 2) -
        Math.max(a[i * 7 + 2] - a[i * 7 + 5] / 2, b[j * 7 + 2] - b[j * 7 + 5] / 2);
      if (zOverlap <= 0) continue;
      const inter =
        zOverlap *
        rotatedOverlapArea(
          a[i * 7],
          a[i * 7 + 1],
          a[i * 7 + 3],
          a[i * 7 + 4],
          a[i * 7 + 6],
          b[j * 7],
          b[j * 7 + 1],
          b[j * 7 + 3],
          b[j * 7 + 4],
          b[j * 7 + 6],
        );
      const union = volA + b[j * 7 + 3] * b[j * 7 + 4] * b[j * 7 + 5] - inter;
      out[i * m + j] = inter > 0 ? inter / Math.max(union, 1e-9) : 0;
    }
  }
  return out;
}
