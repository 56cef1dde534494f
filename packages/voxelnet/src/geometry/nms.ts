// Rotated non-maximum suppression in bird's-eye view (OpenPCDet pcdet/ops/iou3d_nms `nms_gpu`:
// greedy, by descending score, suppressing boxes whose rotated BEV IoU with a kept box exceeds
// the threshold). tf.image.nonMaxSuppression only handles axis-aligned boxes.
import { InvalidArgumentError } from '../errors';
import { rotatedOverlapArea } from './rotated-iou';

/** Options of {@link rotatedNms}. */
export interface NmsOptions {
  /** Suppress a box whose BEV IoU with a kept box is above this. Default 0.01 (OpenPCDet second.yaml). */
  iouThreshold?: number;
  /** Keep at most this many boxes. Default 500 (OpenPCDet NMS_POST_MAXSIZE). */
  maxOutput?: number;
  /** Only the `preMaxSize` highest scores enter NMS. Default 4096 (NMS_PRE_MAXSIZE). */
  preMaxSize?: number;
  /** Boxes scoring below this are dropped first. Default −Infinity. */
  scoreThreshold?: number;
}

/**
 * Greedy rotated BEV NMS over LiDAR boxes (N×7: x, y, z, dx, dy, dz, heading) with `scores` (N).
 * Returns the kept indices, highest score first.
 */
export function rotatedNms(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: NmsOptions = {},
): Int32Array {
  const { iouThreshold = 0.01, maxOutput = 500, preMaxSize = 4096, scoreThreshold = -Infinity } = options;
  if (boxes.length % 7 !== 0) {
    throw new InvalidArgumentError('rotatedNms', 'boxes', 'a flat N×7 array', `length ${boxes.length}`);
  }
  const n = boxes.length / 7;
  if (scores.length !== n)
    throw new InvalidArgumentError('rotatedNms', 'scores', `${n} scores`, scores.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] >= scoreThreshold) order.push(i);
  order.sort((i, j) => scores[j] - scores[i] || i - j);
  if (order.length > preMaxSize) order.length = preMaxSize;
  const keep: number[] = [];
  const suppressed = new Uint8Array(order.length);
  for (let oi = 0; oi < order.length && keep.length < maxOutput; oi++) {
    if (suppressed[oi]) continue;
    const i = order[oi];
    keep.push(i);
    const areaI = boxes[i * 7 + 3] * boxes[i * 7 + 4];
    for (let oj = oi + 1; oj < order.length; oj++) {
      if (suppressed[oj]) continue;
      const j = order[oj];
      const inter = rotatedOverlapArea(
        boxes[i * 7],
        boxes[i * 7 + 1],
        boxes[i * 7 + 3],
        boxes[i * 7 + 4],
        boxes[i * 7 + 6],
        boxes[j * 7],
        boxes[j * 7 + 1],
        boxes[j * 7 + 3],
        boxes[j * 7 + 4],
        boxes[j * 7 + 6],
      );
      if (inter <= 0) continue;
      const iou = inter / Math.max(areaI + boxes[j * 7 + 3] * boxes[j * 7 + 4] - inter, 1e-9);
      if (iou > iouThreshold) suppressed[oj] = 1;
    }
  }
  return Int32Array.from(keep);
}
