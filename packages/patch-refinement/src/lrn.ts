// The Local Refinement Network (Patch Refinement §3): a VoxelNet-based detector that sees one
// canonical patch at a finer voxel resolution than the RPN can afford on the whole scene. It is
// built from @paperstack/voxelnet's stages — voxelizer, VFE, Conv3D middle layers, RPN backbone,
// anchor head, anchors, target assigner, box coder and loss — over the patch's canonical range,
// with a batch dimension over patches. Its output for a patch is the box of its best-scoring
// anchor (full 3D box, relative to the canonical frame) and that anchor's confidence.
import {
  type AnchorTargets,
  assignTargets,
  decodeBoxes,
  InvalidArgumentError,
  type LossOptions,
  type LossParts,
  pointMask,
  scatterToDense,
  VoxelNet,
  type VoxelNetConfig,
  type Voxels,
  voxelnetLoss,
} from '@paperstack/voxelnet';
import * as tf from '@tensorflow/tfjs-core';

/** Every size of a Local Refinement Network (defaults: {@link LRN_SMALL_PRESET}). */
export interface LrnConfig {
  /** Patch region [length, width] in metres — must equal the PatchExtractor's `size`. */
  patchSize: [number, number];
  /** z slab [zmin, zmax) in metres — must equal the PatchExtractor's `zRange`. */
  zRange: [number, number];
  /** LRN voxel size [vx, vy, vz] in metres. */
  voxelSize: [number, number, number];
  /** Remaining VoxelNet sizes (VFE, middle layers, RPN blocks, anchors, targets, batch norm, seed). */
  network: Partial<Omit<VoxelNetConfig, 'pointCloudRange' | 'voxelSize'>>;
}

/**
 * The small preset (trains on 2 CPU cores): 6.4 m × 6.4 m × 4 m patches at 0.2 × 0.2 × 1 m voxels
 * (a 4 × 32 × 32 grid — 2× finer in x/y than voxelnet's small-preset RPN at 0.4 m), VFE(7→16→16),
 * no Conv3D (the 4 height slices are folded into channels) and a 3-block RPN of 32–64 channels.
 */
export const LRN_SMALL_PRESET: LrnConfig = {
  patchSize: [6.4, 6.4],
  zRange: [-3, 1],
  voxelSize: [0.2, 0.2, 1],
  // Only what differs from voxelnet's SMALL_PRESET (VoxelNet fills the rest from it): a lighter VFE,
  // no middle layers (the 4 height slices are folded into channels), a narrower second RPN block.
  network: {
    vfeChannels: [16, 16],
    voxelChannels: 16,
    middleLayers: [],
    rpnBlocks: [
      { layers: 2, filters: 32, stride: 2 },
      { layers: 2, filters: 32, stride: 2 },
      { layers: 2, filters: 64, stride: 2 },
    ],
  },
};

/** One refined patch: canonical box, confidence. */
export interface Refinement {
  /** [7] refined box in the patch's canonical frame (x, y, z, dx, dy, dz, heading). */
  box: Float64Array;
  /** Sigmoid confidence of the best anchor (0 for an empty patch). */
  score: number;
  /** True when no point of the patch fell in the LRN's voxel grid (then `box` is a placeholder). */
  empty: boolean;
}

/** A training example: a canonical patch and its boxes. */
export interface LrnExample {
  /** Canonical points, flat n×4. */
  points: Float32Array;
  /** The object this patch was drawn for (7, canonical) or null for a background patch. */
  target: Float64Array | null;
  /** Other objects in the patch (flat M×7, canonical): their anchors are neither positive nor negative. */
  others: Float64Array;
}

/**
 * The Local Refinement Network. `lrn.refine(patchPointsList)` → refined canonical boxes; `lrn.loss(examples)`
 * for training; the voxelnet stages are `lrn.net.vfe / middle / rpn / head`.
 */
export class LocalRefinementNetwork {
  readonly config: LrnConfig;
  /** The VoxelNet whose stages, voxelizer and anchors (over the canonical patch range) the LRN uses. */
  readonly net: VoxelNet;

  constructor(config: Partial<LrnConfig> = {}) {
    const c: LrnConfig = {
      ...LRN_SMALL_PRESET,
      ...config,
      network: { ...LRN_SMALL_PRESET.network, ...(config.network ?? {}) },
    };
    const [L, W] = c.patchSize;
    if (!(L > 0 && W > 0))
      throw new InvalidArgumentError(
        'LocalRefinementNetwork',
        'patchSize',
        '[length, width] positive',
        c.patchSize,
      );
    if (!(c.zRange[1] > c.zRange[0]))
      throw new InvalidArgumentError(
        'LocalRefinementNetwork',
        'zRange',
        '[zmin, zmax] with zmax > zmin',
        c.zRange,
      );
    if (c.voxelSize.length !== 3 || c.voxelSize.some((v) => !(v > 0))) {
      throw new InvalidArgumentError(
        'LocalRefinementNetwork',
        'voxelSize',
        '3 positive sizes [vx, vy, vz]',
        c.voxelSize,
      );
    }
    this.config = c;
    this.net = new VoxelNet({
      ...c.network,
      pointCloudRange: [-L / 2, -W / 2, c.zRange[0], L / 2, W / 2, c.zRange[1]],
      voxelSize: [...c.voxelSize],
    });
  }

  /** Anchors (canonical frame, flat N×7) in the head's (y, x, a) order. */
  get anchors(): Float32Array {
    return this.net.anchors;
  }

  /** Voxelizes one canonical patch (null when no point falls in the grid). */
  voxelize(points: Float32Array, options: { seed?: number; shuffle?: boolean } = {}): Voxels | null {
    if (points.length === 0) return null;
    const v = this.net.voxelizer.voxelize(points, {
      shuffle: options.shuffle ?? false,
      seed: options.seed ?? 0,
    });
    return v.numVoxels > 0 ? v : null;
  }

  /**
   * Runs the stages on a batch of voxelized patches (nulls are empty patches: an all-zero grid).
   * Returns score logits [B, H', W', A] and residuals [B, H', W', A·7]; the caller disposes them.
   */
  forward(
    batch: (Voxels | null)[],
    options: { training?: boolean } = {},
  ): { scores: tf.Tensor4D; boxes: tf.Tensor4D } {
    if (batch.length === 0)
      throw new InvalidArgumentError('LocalRefinementNetwork.forward', 'batch', 'at least one patch', 0);
    const training = options.training ?? false;
    const T = this.net.voxelizer.maxPointsPerVoxel;
    const [D, H, W] = this.net.voxelizer.gridSize;
    let K = 0;
    for (const v of batch) K += v ? v.numVoxels : 0;
    if (K === 0)
      throw new InvalidArgumentError(
        'LocalRefinementNetwork.forward',
        'batch',
        'at least one non-empty patch',
        'only empty patches',
      );
    // the batch is stacked along the depth axis (b·D + z) and unfolded after the scatter
    const features = new Float32Array(K * T * 7);
    const numPoints = new Int32Array(K);
    const coords = new Int32Array(K * 3);
    let k = 0;
    batch.forEach((v, b) => {
      if (!v) return;
      features.set(v.features, k * T * 7);
      numPoints.set(v.numPoints, k);
      for (let i = 0; i < v.numVoxels; i++) {
        coords[(k + i) * 3] = b * D + v.coords[i * 3];
        coords[(k + i) * 3 + 1] = v.coords[i * 3 + 1];
        coords[(k + i) * 3 + 2] = v.coords[i * 3 + 2];
      }
      k += v.numVoxels;
    });
    const B = batch.length;
    return tf.tidy(() => {
      const feats = tf.tensor3d(features, [K, T, 7]);
      const mask = pointMask(numPoints, T);
      const vf = this.net.vfe.apply([feats, mask], { training }) as tf.Tensor2D;
      const dense = tf.reshape(scatterToDense(vf, coords, [B * D, H, W]), [B, D, H, W, vf.shape[1]]);
      const bev = this.net.middle.apply(dense, { training }) as tf.Tensor4D;
      const rpn = this.net.rpn.apply(bev, { training }) as tf.Tensor4D;
      const [scores, boxes] = this.net.head.apply(rpn) as tf.Tensor4D[];
      return { scores, boxes };
    });
  }

  /**
   * Anchor targets of one example: anchors matching `target` are positive (voxelnet's rule), anchors
   * overlapping another object (IoU ≥ the negative threshold) are ignored, the rest negative.
   */
  targets(example: Pick<LrnExample, 'target' | 'others'>): AnchorTargets {
    const opts = this.net.config.targets;
    const t = assignTargets(this.anchors, example.target ?? [], opts);
    if (example.others.length > 0) {
      const o = assignTargets(this.anchors, example.others, opts);
      for (let i = 0; i < t.labels.length; i++) {
        if (t.labels[i] === 0 && o.labels[i] !== 0) {
          t.labels[i] = -1;
          t.numNegative--;
        }
      }
    }
    return t;
  }

  /** Loss of a batch of examples (training mode). The caller disposes the scalars. */
  loss(examples: LrnExample[], options: LossOptions & { seed?: number } = {}): LossParts {
    const voxels = examples.map((e, i) =>
      this.voxelize(e.points, { shuffle: true, seed: (options.seed ?? 0) + i }),
    );
    const n = this.anchors.length / 7;
    const labels = new Int8Array(n * examples.length);
    const regression = new Float32Array(n * 7 * examples.length);
    const matched = new Int32Array(n * examples.length);
    let numPositive = 0;
    let numNegative = 0;
    examples.forEach((e, b) => {
      const t = this.targets(e);
      labels.set(t.labels, b * n);
      regression.set(t.regression, b * n * 7);
      matched.set(t.matched, b * n);
      numPositive += t.numPositive;
      numNegative += t.numNegative;
    });
    if (voxels.every((v) => v === null)) {
      throw new InvalidArgumentError(
        'LocalRefinementNetwork.loss',
        'examples',
        'at least one patch with points in the grid',
        'only empty patches',
      );
    }
    const out = this.forward(voxels, { training: true });
    const parts = voxelnetLoss(
      out.scores,
      out.boxes,
      { labels, regression, matched, numPositive, numNegative },
      options,
    );
    tf.dispose([out.scores, out.boxes]);
    return parts;
  }

  /**
   * Refines canonical patches: for each, the decoded box of its best-scoring anchor and that
   * anchor's sigmoid confidence. Empty patches (no point in the grid) give score 0 and the
   * anchor-free box [0, 0, anchorZ, anchor size, 0]. Patches run in batches of `batchSize`.
   */
  async refine(patches: Float32Array[], options: { batchSize?: number } = {}): Promise<Refinement[]> {
    const { batchSize = 16 } = options;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new InvalidArgumentError(
        'LocalRefinementNetwork.refine',
        'batchSize',
        'a positive integer',
        batchSize,
      );
    }
    const c = this.net.config;
    const out: Refinement[] = patches.map(() => ({
      box: Float64Array.from([0, 0, c.anchorZ, ...c.anchorSize, 0]),
      score: 0,
      empty: true,
    }));
    const n = this.anchors.length / 7;
    for (let s = 0; s < patches.length; s += batchSize) {
      const idx: number[] = [];
      const voxels: Voxels[] = [];
      for (let i = s; i < Math.min(patches.length, s + batchSize); i++) {
        const v = this.voxelize(patches[i]);
        if (v) {
          idx.push(i);
          voxels.push(v);
        }
      }
      if (voxels.length === 0) continue;
      const res = this.forward(voxels);
      const [logits, deltas] = (await Promise.all([res.scores.data(), res.boxes.data()])) as Float32Array[];
      tf.dispose([res.scores, res.boxes]);
      idx.forEach((i, b) => {
        let best = b * n;
        for (let a = b * n + 1; a < (b + 1) * n; a++) if (logits[a] > logits[best]) best = a;
        const anchor = this.anchors.subarray((best - b * n) * 7, (best - b * n) * 7 + 7);
        out[i] = {
          box: Float64Array.from(decodeBoxes(anchor, deltas.subarray(best * 7, best * 7 + 7))),
          score: 1 / (1 + Math.exp(-logits[best])),
          empty: false,
        };
      });
    }
    return out;
  }

  /** Trainable variables of the LRN's VFE, middle, RPN and head stages (the optimizer's var list). */
  trainableVariables(): tf.Variable[] {
    return this.net.trainableVariables();
  }

  /** All weights as plain arrays (a checkpoint); see voxelnet's `VoxelNet.getWeights`. */
  getWeights(): ReturnType<VoxelNet['getWeights']> {
    return this.net.getWeights();
  }

  /** Restores weights saved by {@link LocalRefinementNetwork.getWeights} (names and shapes are checked). */
  setWeights(weights: Awaited<ReturnType<VoxelNet['getWeights']>>): void {
    this.net.setWeights(weights);
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.net.dispose();
  }
}
