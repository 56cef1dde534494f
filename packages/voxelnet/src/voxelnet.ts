// The VoxelNet detector (Zhou & Tuzel, CVPR 2018, Fig. 2): voxelizer → feature learning network
// (VFE) → scatter to the dense grid → convolutional middle layers → RPN backbone → anchor head,
// with anchors, targets, loss and rotated-NMS post-processing. Each stage is its own module and
// layer (OpenPCDet's vfe / backbones_3d / backbones_2d / dense_heads split), so other detectors
// (Patch Refinement) can reuse or swap them.
import * as tf from '@tensorflow/tfjs-core';
import { generateAnchors } from './anchors';
import { decodeBoxes } from './box-coder';
import { InvalidArgumentError } from './errors';
import { rotatedNms } from './geometry/nms';
import { type LossOptions, type LossParts, voxelnetLoss } from './losses';
import { AnchorHead } from './network/anchor-head';
import type { BatchNormOptions, StateDict } from './network/common';
import { type Conv3dSpec, ConvMiddleLayers, middleOutputDepth, PAPER_MIDDLE_LAYERS } from './network/middle';
import { scatterToDense } from './network/ops';
import {
  PAPER_RPN_BLOCKS,
  PAPER_RPN_UPSAMPLE,
  RpnBackbone,
  type RpnBlockSpec,
  type RpnUpsampleSpec,
} from './network/rpn';
import { pointMask, VoxelFeatureExtractor } from './network/vfe';
import { type AnchorTargets, assignTargets, type TargetOptions } from './target-assigner';
import { gridSizeOf, Voxelizer, type Voxels } from './voxelizer';

/** Every size of a VoxelNet. {@link PRESETS} holds the paper's car configuration and a small one. */
export interface VoxelNetConfig {
  /** [xmin, ymin, zmin, xmax, ymax, zmax] (LiDAR frame, metres). */
  pointCloudRange: number[];
  /** [vx, vy, vz] (metres). */
  voxelSize: number[];
  /** T. */
  maxPointsPerVoxel: number;
  /** K. */
  maxVoxels: number;
  /** VFE layer output channels. */
  vfeChannels: number[];
  /** Voxel feature size (final FCN). */
  voxelChannels: number;
  middleLayers: Conv3dSpec[];
  rpnBlocks: RpnBlockSpec[];
  rpnUpsample: RpnUpsampleSpec[];
  /** Anchor [dx, dy, dz], centre height and rotations. */
  anchorSize: number[];
  anchorZ: number;
  anchorRotations: number[];
  targets: TargetOptions;
  batchNorm: BatchNormOptions;
  seed: number;
}

/** The paper's car configuration (§3.1): 10 × 400 × 352 grid, T = 35, 70,400 anchors. */
export const CAR_PRESET: VoxelNetConfig = {
  pointCloudRange: [0, -40, -3, 70.4, 40, 1],
  voxelSize: [0.2, 0.2, 0.4],
  maxPointsPerVoxel: 35,
  maxVoxels: 20000,
  vfeChannels: [32, 128],
  voxelChannels: 128,
  middleLayers: PAPER_MIDDLE_LAYERS,
  rpnBlocks: PAPER_RPN_BLOCKS,
  rpnUpsample: PAPER_RPN_UPSAMPLE,
  anchorSize: [3.9, 1.6, 1.56],
  anchorZ: -1.0,
  anchorRotations: [0, Math.PI / 2],
  targets: { positiveIoU: 0.6, negativeIoU: 0.45 },
  batchNorm: { eps: 1e-3, momentum: 0.01 },
  seed: 0,
};

/**
 * A configuration that trains on 2 CPU cores: 25.6 m × 25.6 m in front of the sensor, 0.4 m
 * voxels, 2 height slices (2 × 64 × 64 grid), VFE(7→16→32), one Conv3D, a 3-block RPN of 32–64
 * channels and 32 × 32 × 2 = 2,048 anchors.
 */
export const SMALL_PRESET: VoxelNetConfig = {
  pointCloudRange: [0, -12.8, -3, 25.6, 12.8, 1],
  voxelSize: [0.4, 0.4, 2],
  maxPointsPerVoxel: 8,
  maxVoxels: 4096,
  vfeChannels: [16, 32],
  voxelChannels: 32,
  middleLayers: [{ filters: 32, kernel: 3, stride: [2, 1, 1], padding: [1, 1, 1] }],
  rpnBlocks: [
    { layers: 2, filters: 32, stride: 2 },
    { layers: 2, filters: 48, stride: 2 },
    { layers: 2, filters: 64, stride: 2 },
  ],
  rpnUpsample: [
    { filters: 32, kernel: 3, stride: 1 },
    { filters: 32, kernel: 2, stride: 2 },
    { filters: 32, kernel: 4, stride: 4 },
  ],
  anchorSize: [3.9, 1.6, 1.56],
  anchorZ: -1.0,
  anchorRotations: [0, Math.PI / 2],
  targets: { positiveIoU: 0.6, negativeIoU: 0.45 },
  batchNorm: { eps: 1e-3, momentum: 0.01 },
  seed: 0,
};

/**
 * The named configurations the `VoxelNet` constructor accepts: `car` ({@link CAR_PRESET}, the paper's
 * car network) and `small` ({@link SMALL_PRESET}, the 2-core configuration, the default).
 */
export const PRESETS = { car: CAR_PRESET, small: SMALL_PRESET } as const;

/** Raw network outputs for one frame. */
export interface VoxelNetOutput {
  /** [1, H', W', A] score logits. */
  scores: tf.Tensor4D;
  /** [1, H', W', A·7] box residuals. */
  boxes: tf.Tensor4D;
}

/** Detections of one frame: LiDAR boxes (N×7) and scores (N), best first. */
export interface Detections {
  boxes: Float32Array;
  scores: Float32Array;
}

/** Options of {@link VoxelNet.detect}. */
export interface DetectOptions {
  /** Minimum score (after the sigmoid). Default 0.3. */
  scoreThreshold?: number;
  /** NMS IoU (BEV, rotated). Default 0.1. */
  nmsIoU?: number;
  /** Maximum detections. Default 100. */
  maxDetections?: number;
}

/**
 * VoxelNet: `new VoxelNet('small')` or `new VoxelNet({ ...CAR_PRESET, seed: 1 })`.
 * Holds the voxelizer, the four network stages (`vfe`, `middle`, `rpn`, `head`) and the anchors.
 */
export class VoxelNet {
  readonly config: VoxelNetConfig;
  readonly voxelizer: Voxelizer;
  readonly vfe: VoxelFeatureExtractor;
  readonly middle: ConvMiddleLayers;
  readonly rpn: RpnBackbone;
  readonly head: AnchorHead;
  /** [H'·W'·A, 7] anchors in the head's (y, x, a) order. */
  readonly anchors: Float32Array;
  /** [H', W'] of the head's output maps. */
  readonly featureMapSize: [number, number];

  constructor(config: 'car' | 'small' | Partial<VoxelNetConfig> = 'small') {
    const c: VoxelNetConfig =
      typeof config === 'string' ? { ...PRESETS[config] } : { ...SMALL_PRESET, ...config };
    if (typeof config === 'string' && !(config in PRESETS)) {
      throw new InvalidArgumentError('VoxelNet', 'config', `'car', 'small' or a config object`, config);
    }
    this.config = c;
    this.voxelizer = new Voxelizer(c);
    const [D, H, W] = gridSizeOf(c.pointCloudRange, c.voxelSize);
    const dOut = middleOutputDepth(D, c.middleLayers);
    if (dOut < 1)
      throw new InvalidArgumentError(
        'VoxelNet',
        'middleLayers',
        `layers that keep depth ≥ 1 (grid depth ${D})`,
        dOut,
      );
    const middleOut =
      (c.middleLayers.length ? c.middleLayers[c.middleLayers.length - 1].filters : c.voxelChannels) * dOut;
    const bn = c.batchNorm;
    this.vfe = new VoxelFeatureExtractor({
      vfeChannels: c.vfeChannels,
      outChannels: c.voxelChannels,
      batchNorm: bn,
      seed: c.seed,
    });
    this.middle = new ConvMiddleLayers({
      inChannels: c.voxelChannels,
      layers: c.middleLayers,
      batchNorm: bn,
      seed: c.seed,
    });
    this.rpn = new RpnBackbone({
      inChannels: middleOut,
      blocks: c.rpnBlocks,
      upsample: c.rpnUpsample,
      batchNorm: bn,
      seed: c.seed,
    });
    this.head = new AnchorHead({
      inChannels: c.rpnUpsample.reduce((a, u) => a + u.filters, 0),
      anchorsPerLocation: c.anchorRotations.length,
      seed: c.seed,
    });
    const s = c.rpnBlocks[0].stride;
    this.featureMapSize = [Math.ceil(H / s), Math.ceil(W / s)];
    this.anchors = generateAnchors({
      pointCloudRange: c.pointCloudRange,
      featureMapSize: this.featureMapSize,
      size: c.anchorSize,
      zCenter: c.anchorZ,
      rotations: c.anchorRotations,
    });
    for (const l of [this.vfe, this.middle, this.rpn, this.head]) (l.build as () => void).call(l);
  }

  /** Runs the network on voxelized points. The caller disposes the outputs. */
  forward(voxels: Voxels, options: { training?: boolean } = {}): VoxelNetOutput {
    const training = options.training ?? false;
    if (voxels.numVoxels === 0) {
      throw new InvalidArgumentError(
        'VoxelNet.forward',
        'voxels',
        'at least one non-empty voxel',
        'no voxels (no points in range)',
      );
    }
    return tf.tidy(() => {
      const T = voxels.maxPointsPerVoxel;
      const feats = tf.tensor3d(voxels.features, [voxels.numVoxels, T, 7]);
      const mask = pointMask(voxels.numPoints, T);
      const vf = this.vfe.apply([feats, mask], { training }) as tf.Tensor2D;
      const dense = scatterToDense(vf, voxels.coords, voxels.gridSize);
      const bev = this.middle.apply(dense, { training }) as tf.Tensor4D;
      const rpn = this.rpn.apply(bev, { training }) as tf.Tensor4D;
      const [scores, boxes] = this.head.apply(rpn) as tf.Tensor4D[];
      return { scores, boxes };
    });
  }

  /** Trainable variables of all stages (the optimizer's var list). */
  trainableVariables(): tf.Variable[] {
    return [this.vfe, this.middle, this.rpn, this.head].flatMap((l) =>
      l.trainableWeights.map((w) => w.read() as tf.Variable),
    );
  }

  /** Anchor targets of ground-truth LiDAR boxes (M×7) for this network's anchors. */
  targets(gtBoxes: ArrayLike<number>): AnchorTargets {
    return assignTargets(this.anchors, gtBoxes, this.config.targets);
  }

  /** Loss of one frame (voxels + ground-truth LiDAR boxes), in training mode. The caller disposes the scalars. */
  loss(voxels: Voxels, gtBoxes: ArrayLike<number> | AnchorTargets, options: LossOptions = {}): LossParts {
    const t =
      'labels' in (gtBoxes as AnchorTargets)
        ? (gtBoxes as AnchorTargets)
        : this.targets(gtBoxes as ArrayLike<number>);
    const out = this.forward(voxels, { training: true });
    const parts = voxelnetLoss(out.scores, out.boxes, t, options);
    tf.dispose([out.scores, out.boxes]);
    return parts;
  }

  /**
   * Detects objects in a point cloud (flat N×4 float32, LiDAR frame): voxelize (no shuffle), run
   * the network, keep anchors above the score threshold, decode, rotated NMS.
   */
  async detect(points: Float32Array, options: DetectOptions = {}): Promise<Detections> {
    const voxels = this.voxelizer.voxelize(points, { shuffle: false });
    if (voxels.numVoxels === 0) return { boxes: new Float32Array(0), scores: new Float32Array(0) };
    const out = this.forward(voxels);
    const probs = tf.sigmoid(out.scores);
    const [p, d] = await Promise.all([probs.data(), out.boxes.data()]);
    tf.dispose([out.scores, out.boxes, probs]);
    return this.postprocess(p as Float32Array, d as Float32Array, options);
  }

  /** Scores (N, after sigmoid) and residuals (N×7) → detections (threshold, decode, NMS). */
  postprocess(probs: Float32Array, deltas: Float32Array, options: DetectOptions = {}): Detections {
    const { scoreThreshold = 0.3, nmsIoU = 0.1, maxDetections = 100 } = options;
    const idx: number[] = [];
    for (let i = 0; i < probs.length; i++) if (probs[i] >= scoreThreshold) idx.push(i);
    const a = new Float32Array(idx.length * 7);
    const dl = new Float32Array(idx.length * 7);
    const sc = new Float32Array(idx.length);
    idx.forEach((i, k) => {
      a.set(this.anchors.subarray(i * 7, i * 7 + 7), k * 7);
      dl.set(deltas.subarray(i * 7, i * 7 + 7), k * 7);
      sc[k] = probs[i];
    });
    const boxes = decodeBoxes(a, dl);
    const keep = rotatedNms(boxes, sc, { iouThreshold: nmsIoU, maxOutput: maxDetections });
    const outBoxes = new Float32Array(keep.length * 7);
    const outScores = new Float32Array(keep.length);
    keep.forEach((i, k) => {
      outBoxes.set(boxes.subarray(i * 7, i * 7 + 7), k * 7);
      outScores[k] = sc[i];
    });
    return { boxes: outBoxes, scores: outScores };
  }

  /** Loads PyTorch-style parameters with stage prefixes `vfe.`, `middle.`, `rpn.`, `head.`. */
  loadStateDict(dict: StateDict): void {
    this.vfe.loadStateDict(dict, 'vfe.');
    this.middle.loadStateDict(dict, 'middle.');
    this.rpn.loadStateDict(dict, 'rpn.');
    this.head.loadStateDict(dict, 'head.');
  }

  /** All weights (trainable and running statistics) as plain arrays, by stage-prefixed name — a checkpoint. */
  async getWeights(): Promise<Record<string, { shape: number[]; data: number[] }>> {
    const out: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [prefix, l] of [
      ['vfe.', this.vfe],
      ['middle.', this.middle],
      ['rpn.', this.rpn],
      ['head.', this.head],
    ] as const) {
      for (const w of l.weights) {
        const name = w.originalName.split('/').pop() as string;
        out[prefix + name] = { shape: w.shape as number[], data: Array.from(await w.read().data()) };
      }
    }
    return out;
  }

  /** Restores weights saved by {@link getWeights}. */
  setWeights(weights: Record<string, { shape: number[]; data: number[] }>): void {
    for (const [prefix, l] of [
      ['vfe.', this.vfe],
      ['middle.', this.middle],
      ['rpn.', this.rpn],
      ['head.', this.head],
    ] as const) {
      for (const w of l.weights) {
        const key = prefix + (w.originalName.split('/').pop() as string);
        const v = weights[key];
        if (!v)
          throw new InvalidArgumentError('VoxelNet.setWeights', `weights['${key}']`, 'present', 'missing');
        if (v.shape.join() !== w.shape.join()) {
          throw new InvalidArgumentError(
            'VoxelNet.setWeights',
            `weights['${key}']`,
            `shape [${w.shape}]`,
            `[${v.shape}]`,
          );
        }
        const t = tf.tensor(v.data, v.shape);
        w.write(t);
        t.dispose();
      }
    }
  }

  /** Releases every weight. */
  dispose(): void {
    for (const l of [this.vfe, this.middle, this.rpn, this.head]) {
      for (const w of l.weights) w.dispose();
    }
  }
}
