// Anchor ↔ ground-truth matching, VoxelNet §3.1: an anchor is positive if it has the highest
// bird's-eye-view IoU with a ground-truth box or an IoU above `positiveIoU` (0.6 for car),
// negative if its IoU with every ground-truth box is below `negativeIoU` (0.45), and ignored in
// between. IoU is the exact rotated BEV IoU (OpenPCDet's AxisAlignedTargetAssigner snaps boxes to
// the nearest axis instead — an approximation we do not copy).
import { encodeBoxes } from './box-coder';
import { InvalidArgumentError } from './errors';
import { rotatedOverlapArea } from './geometry/rotated-iou';
import { limitPeriod } from './kitti/boxes';

/** Options of {@link assignTargets}. */
export interface TargetOptions {
  /** IoU above which an anchor is positive. Default 0.6 (car). */
  positiveIoU?: number;
  /** IoU below which (for every box) an anchor is negative. Default 0.45 (car). */
  negativeIoU?: number;
  /**
   * Wrap the heading residual Δθ into [−π/2, π/2). A box and the same box turned by π are the
   * same cuboid (same IoU), so this keeps regression targets small; the paper regresses the raw
   * Δθ (false). Default true.
   */
  wrapAngle?: boolean;
}

/** Per-anchor training targets. */
export interface AnchorTargets {
  /** [N] 1 positive, 0 negative, −1 ignored. */
  labels: Int8Array;
  /** [N, 7] residual targets (zero for non-positive anchors). */
  regression: Float32Array;
  /** [N] index of the matched ground-truth box, −1 if none. */
  matched: Int32Array;
  numPositive: number;
  numNegative: number;
}

/**
 * Assigns classification labels and regression targets to anchors (flat N×7) for ground-truth
 * LiDAR boxes (flat M×7). Only anchors within reach of a box are tested (the IoU of the rest is 0).
 */
export function assignTargets(
  anchors: Float32Array,
  gtBoxes: ArrayLike<number>,
  options: TargetOptions = {},
): AnchorTargets {
  const { positiveIoU = 0.6, negativeIoU = 0.45, wrapAngle = true } = options;
  if (anchors.length % 7 !== 0) {
    throw new InvalidArgumentError(
      'assignTargets',
      'anchors',
      'a flat N×7 array',
      `length ${anchors.length}`,
    );
  }
  if (gtBoxes.length % 7 !== 0) {
    throw new InvalidArgumentError(
      'assignTargets',
      'gtBoxes',
      'a flat M×7 array',
      `length ${gtBoxes.length}`,
    );
  }
  const n = anchors.length / 7;
  const m = gtBoxes.length / 7;
  for (let j = 0; j < m; j++) {
    for (let k = 3; k < 6; k++) {
      if (!(gtBoxes[j * 7 + k] > 0)) {
        throw new InvalidArgumentError('assignTargets', `gtBoxes[${j}] size`, 'positive (dx, dy, dz)', [
          gtBoxes[j * 7 + 3],
          gtBoxes[j * 7 + 4],
          gtBoxes[j * 7 + 5],
        ]);
      }
    }
  }
  const bestIoU = new Float32Array(n);
  const matched = new Int32Array(n).fill(-1);
  const labels = new Int8Array(n);
  const forced: number[] = [];
  for (let j = 0; j < m; j++) {
    const gx = gtBoxes[j * 7];
    const gy = gtBoxes[j * 7 + 1];
    const gl = gtBoxes[j * 7 + 3];
    const gw = gtBoxes[j * 7 + 4];
    const gh = gtBoxes[j * 7 + 6];
    const gArea = gl * gw;
    const gr = Math.hypot(gl, gw) / 2;
    let best = 0;
    let bestIdx: number[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * 7;
      const ar = Math.hypot(anchors[o + 3], anchors[o + 4]) / 2;
      const dx = anchors[o] - gx;
      const dy = anchors[o + 1] - gy;
      if (dx * dx + dy * dy >= (ar + gr) * (ar + gr)) continue;
      const inter = rotatedOverlapArea(
        anchors[o],
        anchors[o + 1],
        anchors[o + 3],
        anchors[o + 4],
        anchors[o + 6],
        gx,
        gy,
        gl,
        gw,
        gh,
      );
      if (inter <= 0) continue;
      const iou = inter / (anchors[o + 3] * anchors[o + 4] + gArea - inter);
      if (iou > bestIoU[i]) {
        bestIoU[i] = iou;
        matched[i] = j;
      }
      if (iou > best + 1e-9) {
        best = iou;
        bestIdx = [i];
      } else if (Math.abs(iou - best) <= 1e-9) bestIdx.push(i);
    }
    for (const i of bestIdx) forced.push(i, j);
  }
  let numPositive = 0;
  let numNegative = 0;
  for (let i = 0; i < n; i++) {
    if (bestIoU[i] > positiveIoU) labels[i] = 1;
    else if (bestIoU[i] < negativeIoU) labels[i] = 0;
    else labels[i] = -1;
  }
  for (let k = 0; k < forced.length; k += 2) {
    labels[forced[k]] = 1;
    matched[forced[k]] = forced[k + 1];
  }
  const posAnchors: number[] = [];
  const posBoxes: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) {
      numPositive++;
      for (let k = 0; k < 7; k++) {
        posAnchors.push(anchors[i * 7 + k]);
        posBoxes.push(gtBoxes[matched[i] * 7 + k]);
      }
    } else if (labels[i] === 0) numNegative++;
    if (labels[i] !== 1) matched[i] = labels[i] === 0 ? -1 : matched[i];
  }
  const encoded = encodeBoxes(posAnchors, posBoxes);
  const regression = new Float32Array(n * 7);
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) {
      regression.set(encoded.subarray(p * 7, p * 7 + 7), i * 7);
      if (wrapAngle) regression[i * 7 + 6] = limitPeriod(regression[i * 7 + 6], 0.5, Math.PI);
      p++;
    }
  }
  return { labels, regression, matched, numPositive, numNegative };
}
