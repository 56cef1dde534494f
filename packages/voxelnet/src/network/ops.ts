// Differentiable ops for the VoxelNet stages that train on every tfjs backend.
//
// Why custom gradients: on tfjs 4.22 the cpu backend's Conv2DBackpropFilter is ~100× slower than
// the forward conv (7.5 s vs 60 ms for a 64×64×32→32 3×3 conv, measured here), and the wasm
// backend has no Conv2DBackpropFilter at all (so conv2d / conv2dTranspose cannot train there), nor
// UnsortedSegmentSum (so gather, the usual scatter-to-dense, cannot train there either). The filter
// gradient is a sum over kernel taps of (strided input slice)ᵀ · (output gradient) — k² matMuls,
// which both backends run fast — and the scatter's gradient is a gather of the dense gradient.
import * as tf from '@tensorflow/tfjs-core';

/** Explicit symmetric padding [padH, padW] (PyTorch style). */
export type Pad2D = [number, number];

/** Rotates a conv filter [kh, kw, A, Z] by 180° and swaps its channel axes → [kh, kw, Z, A]. */
function flipFilter(w: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
}

/** Window of `ap` starting at (i, j) with `stride`, `hz × wz` samples (slice + reshape: fast on every backend). */
function window(ap: tf.Tensor4D, i: number, j: number, stride: number, hz: number, wz: number): tf.Tensor4D {
  const [B, , , A] = ap.shape;
  if (stride === 1) return tf.slice(ap, [0, i, j, 0], [B, hz, wz, A]);
  // rank-4 reshapes and slices only (tfjs-wasm slices of rank > 4 take a slow generic path)
  const big = tf.slice(ap, [0, i, j, 0], [B, hz * stride, wz * stride, A]);
  const r = tf.reshape(big, [B * hz, stride, wz, stride * A]);
  return tf.reshape(tf.slice(r, [0, 0, 0, 0], [B * hz, 1, wz, A]), [B, hz, wz, A]);
}

/**
 * Gradient of a conv's filter: Σ_p a[s·p + k − pad]ᵀ · z[p] for every tap k, where `a` is the
 * conv's input [B, Ha, Wa, A] and `z` its output gradient [B, Hz, Wz, Z] → [kh, kw, A, Z].
 */
function convFilterGrad(
  a: tf.Tensor4D,
  z: tf.Tensor4D,
  kh: number,
  kw: number,
  stride: number,
  pad: Pad2D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, Ha, Wa, A] = a.shape;
    const [, Hz, Wz, Z] = z.shape;
    const needH = stride * Hz + kh - 1;
    const needW = stride * Wz + kw - 1;
    const ap = tf.pad(a, [
      [0, 0],
      [pad[0], Math.max(0, needH - Ha - pad[0])],
      [pad[1], Math.max(0, needW - Wa - pad[1])],
      [0, 0],
    ]);
    const z2 = tf.reshape(z, [B * Hz * Wz, Z]);
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const win = tf.reshape(window(ap, i, j, stride, Hz, Wz), [B * Hz * Wz, A]);
        // explicit transpose: tfjs-wasm's matMul with transposeA is ~8× slower for this shape
        taps.push(tf.matMul(tf.transpose(win), z2));
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, A, Z]);
  });
}

/** Gradient of a conv's input: correlation of the (dilated) output gradient with the flipped filter. */
function convInputGrad(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  inShape: number[],
  stride: number,
  pad: Pad2D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, Ho, Wo, C] = dy.shape;
    const [kh, kw] = w.shape;
    let d = dy;
    if (stride > 1) {
      // zero-interleave (dilate) dy with rank-4 pads: [B·Ho, 1, Wo, C] → [B·Ho, s, Wo, s·C]
      const e = tf.reshape(dy, [B * Ho, 1, Wo, C]);
      const padded = tf.pad(e, [
        [0, 0],
        [0, stride - 1],
        [0, 0],
        [0, (stride - 1) * C],
      ]);
      d = tf.slice(
        tf.reshape(padded, [B, Ho * stride, Wo * stride, C]) as tf.Tensor4D,
        [0, 0, 0, 0],
        [B, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1, C],
      );
    }
    const extraH = (inShape[1] + 2 * pad[0] - kh) % stride;
    const extraW = (inShape[2] + 2 * pad[1] - kw) % stride;
    const dp = tf.pad(d, [
      [0, 0],
      [kh - 1 - pad[0], kh - 1 - pad[0] + extraH],
      [kw - 1 - pad[1], kw - 1 - pad[1] + extraW],
      [0, 0],
    ]);
    return tf.conv2d(dp, flipFilter(w), 1, 'valid');
  });
}

/**
 * 2D convolution, NHWC, stride `stride`, explicit symmetric padding — `tf.conv2d` forward with a
 * custom gradient built from forward convs, slices and matMuls (no Conv2DBackpropFilter /
 * Conv2DBackpropInput kernels).
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: Pad2D): tf.Tensor4D {
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pad[0], pad[0]],
    [pad[1], pad[1]],
    [0, 0],
  ];
  const f = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = xi as tf.Tensor4D;
    const w4 = wi as tf.Tensor4D;
    save([x4, w4]);
    return {
      value: tf.conv2d(x4, w4, stride, pad[0] === 0 && pad[1] === 0 ? 'valid' : padding),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = convInputGrad(dy as tf.Tensor4D, ws, xs.shape, stride, pad);
        const dw = convFilterGrad(xs, dy as tf.Tensor4D, ws.shape[0], ws.shape[1], stride, pad);
        return [dx, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, filter) as tf.Tensor4D;
}

/**
 * Transposed 2D convolution (deconvolution), NHWC, filter [k, k, outC, inC] (tfjs layout). Either
 * kernel == stride (each input pixel paints its own k × k block: one matMul) or stride 1 with an
 * odd kernel ('same': a conv with the flipped filter) — the two forms VoxelNet's RPN uses
 * (§2.1.3, Fig. 4). Built from differentiable ops, so it trains on every backend.
 */
export function conv2dTranspose(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [k, , outC, inC] = filter.shape;
    if (stride === 1) return conv2d(x, flipFilter(filter), 1, [(k - 1) / 2, (k - 1) / 2]);
    const [B, H, W] = x.shape;
    const wm = tf.reshape(tf.transpose(filter, [3, 0, 1, 2]), [inC, k * k * outC]);
    const y = tf.matMul(tf.reshape(x, [B * H * W, inC]), wm);
    const blocks = tf.reshape(y, [B, H, W, k, k, outC]);
    return tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [B, H * k, W * k, outC]);
  });
}

/**
 * Scatters voxel features [K, C] into a dense grid [1, D, H, W, C] at `coords` (K×3: z, y, x);
 * empty cells are 0 (VoxelNet §2.1.1, "sparse tensor representation"). Forward `tf.scatterND`,
 * gradient `tf.gatherND` (both available on cpu and wasm).
 */
export function scatterToDense(
  features: tf.Tensor2D,
  coords: Int32Array,
  gridSize: readonly number[],
): tf.Tensor5D {
  const [D, H, W] = gridSize;
  const C = features.shape[1];
  const K = features.shape[0];
  const indices = () => tf.tensor2d(coords.subarray(0, K * 3), [K, 3], 'int32');
  // the gradient rebuilds the index tensor from `coords` instead of saving it: a saved tensor
  // would outlive forward-only calls
  const f = tf.customGrad(((fi: tf.Tensor) => ({
    value: tf.tidy(() => tf.scatterND(indices(), fi, [D, H, W, C])),
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => tf.gatherND(dy, indices())),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return tf.tidy(() => tf.reshape(f(features), [1, D, H, W, C]) as tf.Tensor5D);
}

/**
 * 3D convolution NDHWC with a cubic-in-HW kernel [kd, kh, kw, cin, cout], stride (sd, s, s),
 * explicit padding (pd, ph, pw), computed as Σ over depth taps of 2D convolutions of depth slices
 * (`conv2d` above). On tfjs-wasm this is ~20× faster than its Conv3D kernel for VoxelNet's shallow
 * grids (measured: 2×64×64×32 → 32), and it trains on both backends through `conv2d`'s gradient.
 */
export function conv3d(
  x: tf.Tensor5D,
  filter: tf.Tensor5D,
  stride: [number, number, number],
  padding: [number, number, number],
): tf.Tensor5D {
  return tf.tidy(() => {
    const [kd] = filter.shape;
    const D = x.shape[1];
    const xp = padding[0]
      ? tf.pad(x, [
          [0, 0],
          [padding[0], padding[0]],
          [0, 0],
          [0, 0],
          [0, 0],
        ])
      : x;
    const Dp = D + 2 * padding[0];
    const Dout = Math.floor((Dp - kd) / stride[0]) + 1;
    const slices = tf.unstack(xp, 1) as tf.Tensor4D[];
    const taps = tf.unstack(filter, 0) as tf.Tensor4D[];
    const outs: tf.Tensor4D[] = [];
    for (let d = 0; d < Dout; d++) {
      let acc: tf.Tensor4D | null = null;
      for (let k = 0; k < kd; k++) {
        const y = conv2d(slices[d * stride[0] + k], taps[k], stride[1], [padding[1], padding[2]]);
        acc = acc ? (tf.add(acc, y) as tf.Tensor4D) : y;
      }
      outs.push(acc as tf.Tensor4D);
    }
    return tf.stack(outs, 1) as tf.Tensor5D;
  });
}
