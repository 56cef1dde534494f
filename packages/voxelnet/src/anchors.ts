// Anchors, VoxelNet §3.1: one anchor size per class, centred at a fixed height, two rotations
// (0 and π/2), one anchor pair per cell of the RPN's output map. OpenPCDet
// pcdet/models/dense_heads/target_assigner/anchor_generator.py places anchors the same way
// (with `align_center: True` for the cell centres used here).
import { InvalidArgumentError } from './errors';

/** Options of {@link generateAnchors}. Defaults: the paper's car anchors. */
export interface AnchorOptions {
  /** [xmin, ymin, zmin, xmax, ymax, zmax] covered by the feature map. Default [0, −40, −3, 70.4, 40, 1]. */
  pointCloudRange?: readonly number[];
  /** [H, W] of the RPN output map (y cells, x cells). Default [200, 176]. */
  featureMapSize?: readonly number[];
  /** Anchor size [dx (length), dy (width), dz (height)] in metres. Default [3.9, 1.6, 1.56]. */
  size?: readonly number[];
  /** Anchor centre height z in metres (LiDAR frame). Default −1.0. */
  zCenter?: number;
  /** Anchor headings in radians. Default [0, π/2]. */
  rotations?: readonly number[];
}

/**
 * Anchors as LiDAR boxes, flat [H·W·R, 7] (x, y, z, dx, dy, dz, heading), ordered (y, x, rotation)
 * — the order of the RPN's NHWC output maps with R anchors per cell.
 */
export function generateAnchors(options: AnchorOptions = {}): Float32Array {
  const {
    pointCloudRange = [0, -40, -3, 70.4, 40, 1],
    featureMapSize = [200, 176],
    size = [3.9, 1.6, 1.56],
    zCenter = -1.0,
    rotations = [0, Math.PI / 2],
  } = options;
  const [H, W] = featureMapSize;
  if (!(Number.isInteger(H) && Number.isInteger(W) && H > 0 && W > 0)) {
    throw new InvalidArgumentError(
      'generateAnchors',
      'featureMapSize',
      '[H, W] positive integers',
      featureMapSize,
    );
  }
  if (size.length !== 3 || size.some((v) => !(v > 0))) {
    throw new InvalidArgumentError('generateAnchors', 'size', '[dx, dy, dz] positive', size);
  }
  const R = rotations.length;
  const out = new Float32Array(H * W * R * 7);
  const sx = (pointCloudRange[3] - pointCloudRange[0]) / W;
  const sy = (pointCloudRange[4] - pointCloudRange[1]) / H;
  let o = 0;
  for (let i = 0; i < H; i++) {
    const y = pointCloudRange[1] + (i + 0.5) * sy;
    for (let j = 0; j < W; j++) {
      const x = pointCloudRange[0] + (j + 0.5) * sx;
      for (let r = 0; r < R; r++) {
        out[o++] = x;
        out[o++] = y;
        out[o++] = zCenter;
        out[o++] = size[0];
        out[o++] = size[1];
        out[o++] = size[2];
        out[o++] = rotations[r];
      }
    }
  }
  return out;
}
