// Residual box encoding, VoxelNet §2.2 (Eq. 1): with the anchor diagonal d_a = √(l_a² + w_a²),
//   Δx = (x_g − x_a)/d_a, Δy = (y_g − y_a)/d_a, Δz = (z_g − z_a)/h_a,
//   Δl = log(l_g/l_a), Δw = log(w_g/w_a), Δh = log(h_g/h_a), Δθ = θ_g − θ_a.
// Same as OpenPCDet pcdet/utils/box_coder_utils.py `ResidualCoder` without its sin/cos option.
// Boxes are LiDAR boxes (x, y, z, dx, dy, dz, heading) with (dx, dy, dz) = (l, w, h).
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from './errors';

function check(where: string, name: string, a: ArrayLike<number>, n?: number): number {
  if (a.length % 7 !== 0 || (n !== undefined && a.length !== n * 7)) {
    throw new InvalidArgumentError(
      where,
      name,
      n === undefined ? 'a flat N×7 array' : `a flat ${n}×7 array`,
      `length ${a.length}`,
    );
  }
  return a.length / 7;
}

/**
 * Encodes ground-truth boxes against their anchors (both flat N×7) into residual targets (N×7).
 * @throws InvalidArgumentError for boxes with a non-positive size (the log would be undefined).
 */
export function encodeBoxes(anchors: ArrayLike<number>, boxes: ArrayLike<number>): Float32Array {
  const n = check('encodeBoxes', 'anchors', anchors);
  check('encodeBoxes', 'boxes', boxes, n);
  const out = new Float32Array(n * 7);
  for (let i = 0; i < n; i++) {
    const o = i * 7;
    for (let k = 3; k < 6; k++) {
      if (!(boxes[o + k] > 0)) {
        throw new InvalidArgumentError('encodeBoxes', `boxes[${i}] size`, 'positive (dx, dy, dz)', [
          boxes[o + 3],
          boxes[o + 4],
          boxes[o + 5],
        ]);
      }
    }
    const da = Math.hypot(anchors[o + 3], anchors[o + 4]);
    out[o] = (boxes[o] - anchors[o]) / da;
    out[o + 1] = (boxes[o + 1] - anchors[o + 1]) / da;
    out[o + 2] = (boxes[o + 2] - anchors[o + 2]) / anchors[o + 5];
    out[o + 3] = Math.log(boxes[o + 3] / anchors[o + 3]);
    out[o + 4] = Math.log(boxes[o + 4] / anchors[o + 4]);
    out[o + 5] = Math.log(boxes[o + 5] / anchors[o + 5]);
    out[o + 6] = boxes[o + 6] - anchors[o + 6];
  }
  return out;
}

/** Decodes residuals (N×7) against anchors (N×7) into LiDAR boxes (N×7); the inverse of {@link encodeBoxes}. */
export function decodeBoxes(anchors: ArrayLike<number>, deltas: ArrayLike<number>): Float32Array {
  const n = check('decodeBoxes', 'anchors', anchors);
  check('decodeBoxes', 'deltas', deltas, n);
  const out = new Float32Array(n * 7);
  for (let i = 0; i < n; i++) {
    const o = i * 7;
    const da = Math.hypot(anchors[o + 3], anchors[o + 4]);
    out[o] = deltas[o] * da + anchors[o];
    out[o + 1] = deltas[o + 1] * da + anchors[o + 1];
    out[o + 2] = deltas[o + 2] * anchors[o + 5] + anchors[o + 2];
    out[o + 3] = Math.exp(deltas[o + 3]) * anchors[o + 3];
    out[o + 4] = Math.exp(deltas[o + 4]) * anchors[o + 4];
    out[o + 5] = Math.exp(deltas[o + 5]) * anchors[o + 5];
    out[o + 6] = deltas[o + 6] + anchors[o + 6];
  }
  return out;
}

/** Tensor version of {@link decodeBoxes}: anchors [N, 7], deltas [..., N, 7] → boxes of the deltas' shape. */
export function decodeBoxesTensor(anchors: tf.Tensor2D, deltas: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [xa, ya, za, la, wa, ha, ra] = tf.split(anchors, 7, -1);
    const [dx, dy, dz, dl, dw, dh, dr] = tf.split(deltas, 7, -1);
    const da = tf.sqrt(tf.add(tf.square(la), tf.square(wa)));
    return tf.concat(
      [
        tf.add(tf.mul(dx, da), xa),
        tf.add(tf.mul(dy, da), ya),
        tf.add(tf.mul(dz, ha), za),
        tf.mul(tf.exp(dl), la),
        tf.mul(tf.exp(dw), wa),
        tf.mul(tf.exp(dh), ha),
        tf.add(dr, ra),
      ],
      -1,
    );
  });
}
