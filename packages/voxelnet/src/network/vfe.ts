// Feature learning network, VoxelNet §2.1.1 (Fig. 3): stacked Voxel Feature Encoding layers —
// VFE-i(cin, cout): point-wise Linear(cin → cout/2) + BN + ReLU, element-wise max over the voxel's
// points, concatenation of point-wise and aggregated features — then a final FCN (Linear + BN +
// ReLU) and a voxel-wise max-pool. Padded point slots are zeroed after every stage (§2.3).
// Parameter names follow second.pytorch second/pytorch/models/voxel_encoder.py
// `VoxelFeatureExtractor` (vfe1.linear, vfe1.norm, …, linear, norm; Linear without bias).
import * as tf from '@tensorflow/tfjs-core';
import { type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '../errors';
import type { Shape } from './common';
import {
  addBatchNorm,
  addKernel,
  type BatchNormOptions,
  type BatchNormVars,
  batchNorm,
  type Layout,
  loadInto,
  type StateDict,
} from './common';

/** Options of {@link VoxelFeatureExtractor}. Defaults: the paper's car configuration (§3.1). */
export interface VoxelFeatureExtractorArgs {
  /** Point feature size (7: x, y, z, r, Δx, Δy, Δz). Default 7. */
  inChannels?: number;
  /** Output channels of each VFE layer (each even). Default [32, 128] (VFE-1(7, 32), VFE-2(32, 128)). */
  vfeChannels?: number[];
  /** Output channels of the final FCN = voxel feature size C. Default 128. */
  outChannels?: number;
  /** Batch norm eps / momentum (PyTorch semantics). Default 1e-3 / 0.01. */
  batchNorm?: BatchNormOptions;
  /** Weight-initialisation seed. Default 0. */
  seed?: number;
  name?: string;
}

/**
 * VFE stack + FCN + voxel max-pool as a layer: `apply([features, mask])` with features
 * [K, T, inChannels] and mask [K, T, 1] (1 for real points) → voxel features [K, outChannels].
 */
export class VoxelFeatureExtractor extends layers.Layer {
  static className = 'VoxelNetVoxelFeatureExtractor';
  readonly inChannels: number;
  readonly vfeChannels: number[];
  readonly outChannels: number;
  readonly bnOptions: BatchNormOptions;
  readonly seed: number;
  private vfeKernels: LayerVariable[] = [];
  private vfeNorms: BatchNormVars[] = [];
  private fcnKernel!: LayerVariable;
  private fcnNorm!: BatchNormVars;

  constructor(args: VoxelFeatureExtractorArgs = {}) {
    super({ name: args.name });
    this.inChannels = args.inChannels ?? 7;
    this.vfeChannels = args.vfeChannels ?? [32, 128];
    this.outChannels = args.outChannels ?? 128;
    this.bnOptions = args.batchNorm ?? {};
    this.seed = args.seed ?? 0;
    for (const c of this.vfeChannels) {
      if (!Number.isInteger(c) || c < 2 || c % 2 !== 0) {
        throw new InvalidArgumentError(
          'VoxelFeatureExtractor',
          'vfeChannels',
          'even integers ≥ 2 (point-wise + aggregated halves)',
          this.vfeChannels,
        );
      }
    }
  }

  override build(): void {
    let cin = this.inChannels;
    this.vfeChannels.forEach((c, i) => {
      this.vfeKernels.push(addKernel(this, `vfe${i + 1}.linear.weight`, [cin, c / 2], this.seed + i));
      this.vfeNorms.push(addBatchNorm(this, `vfe${i + 1}.norm`, c / 2));
      cin = c;
    });
    this.fcnKernel = addKernel(this, 'linear.weight', [cin, this.outChannels], this.seed + 100);
    this.fcnNorm = addBatchNorm(this, 'norm', this.outChannels);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape[]): Shape {
    return [inputShape[0][0], this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const [features, mask] = inputs as tf.Tensor[];
      if (!mask || features.rank !== 3 || features.shape[2] !== this.inChannels) {
        throw new InvalidArgumentError(
          'VoxelFeatureExtractor',
          'inputs',
          `[features [K, T, ${this.inChannels}], mask [K, T, 1]]`,
          Array.isArray(inputs) ? inputs.map((t) => t.shape) : [features.shape],
        );
      }
      const training = kwargs.training ?? false;
      const [K, T] = features.shape;
      let x = features;
      this.vfeKernels.forEach((w, i) => {
        const cin = x.shape[2] as number;
        const lin = tf.reshape(tf.matMul(tf.reshape(x, [K * T, cin]), w.read()), [K, T, -1]);
        const pw = tf.mul(tf.relu(batchNorm(lin, this.vfeNorms[i], training, this.bnOptions, mask)), mask);
        const agg = maxOverPoints(pw, true); // ReLU ≥ 0, padded slots are 0: the max ignores them
        x = tf.mul(tf.concat([pw, tf.broadcastTo(agg, [K, T, agg.shape[2] as number])], 2), mask);
      });
      const cin = x.shape[2] as number;
      const lin = tf.reshape(tf.matMul(tf.reshape(x, [K * T, cin]), this.fcnKernel.read()), [K, T, -1]);
      const pw = tf.mul(tf.relu(batchNorm(lin, this.fcnNorm, training, this.bnOptions, mask)), mask);
      return maxOverPoints(pw, false);
    });
  }

  /** Loads second.pytorch-style parameters (`vfe1.linear.weight`, `vfe1.norm.*`, …, `linear.weight`, `norm.*`). */
  loadStateDict(dict: StateDict, prefix = ''): void {
    if (!this.built) this.build();
    const vars: { name: string; variable: LayerVariable; torch: string; layout: Layout }[] = [];
    const bn = (p: string, v: BatchNormVars) => {
      vars.push({ name: '', variable: v.gamma, torch: `${p}.weight`, layout: 'same' });
      vars.push({ name: '', variable: v.beta, torch: `${p}.bias`, layout: 'same' });
      vars.push({ name: '', variable: v.mean, torch: `${p}.running_mean`, layout: 'same' });
      vars.push({ name: '', variable: v.variance, torch: `${p}.running_var`, layout: 'same' });
    };
    this.vfeKernels.forEach((w, i) => {
      vars.push({ name: '', variable: w, torch: `vfe${i + 1}.linear.weight`, layout: 'linear' });
      bn(`vfe${i + 1}.norm`, this.vfeNorms[i]);
    });
    vars.push({ name: '', variable: this.fcnKernel, torch: 'linear.weight', layout: 'linear' });
    bn('norm', this.fcnNorm);
    loadInto('VoxelFeatureExtractor.loadStateDict', vars, dict, prefix);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      inChannels: this.inChannels,
      vfeChannels: this.vfeChannels,
      outChannels: this.outChannels,
      batchNorm: this.bnOptions as tf.serialization.ConfigDict,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(VoxelFeatureExtractor);

/**
 * Element-wise max over a voxel's points, [K, T, C] → [K, 1, C] (keepDims) or [K, C], as a
 * [T × 1] max-pool: its gradient kernel (MaxPoolGrad) is fast on cpu and wasm, where tf.max's
 * gradient (an Equal mask) is slow on wasm.
 */
function maxOverPoints(x: tf.Tensor, keepDims: boolean): tf.Tensor {
  const [K, T, C] = x.shape as number[];
  const pooled = tf.maxPool(tf.reshape(x, [K, T, 1, C]) as tf.Tensor4D, [T, 1], [T, 1], 'valid');
  return tf.reshape(pooled, keepDims ? [K, 1, C] : [K, C]);
}

/** The [K, T, 1] mask of real point slots from per-voxel point counts. */
export function pointMask(numPoints: Int32Array, maxPointsPerVoxel: number): tf.Tensor3D {
  const K = numPoints.length;
  const m = new Float32Array(K * maxPointsPerVoxel);
  for (let k = 0; k < K; k++) m.fill(1, k * maxPointsPerVoxel, k * maxPointsPerVoxel + numPoints[k]);
  return tf.tensor3d(m, [K, maxPointsPerVoxel, 1]);
}
