// Convolutional middle layers, VoxelNet §2.1.2 / §3.1: ConvMD(cin, cout, k, s, p) = Conv3D + BN +
// ReLU on the dense [D, H, W] voxel grid, then the depth axis folded into channels for the RPN
// (64 × 2 × 400 × 352 → 128 × 400 × 352 for car). PyTorch order when folding: channel = c·D + d.
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
import { conv3d } from './ops';

/** One Conv3D layer: filters, cubic kernel, stride (d, h, w), padding (d, h, w). */
export interface Conv3dSpec {
  filters: number;
  kernel: number;
  /** Stride (d, h, w); h and w must be equal. */
  stride: [number, number, number];
  padding: [number, number, number];
}

/** The paper's car middle layers (§3.1). */
export const PAPER_MIDDLE_LAYERS: Conv3dSpec[] = [
  { filters: 64, kernel: 3, stride: [2, 1, 1], padding: [1, 1, 1] },
  { filters: 64, kernel: 3, stride: [1, 1, 1], padding: [0, 1, 1] },
  { filters: 64, kernel: 3, stride: [2, 1, 1], padding: [1, 1, 1] },
];

/** Options of {@link ConvMiddleLayers}. */
export interface ConvMiddleLayersArgs {
  /** Input channels (the VFE output). Default 128. */
  inChannels?: number;
  /** Layers. Default {@link PAPER_MIDDLE_LAYERS}. */
  layers?: Conv3dSpec[];
  batchNorm?: BatchNormOptions;
  seed?: number;
  name?: string;
}

/** Output depth of the middle layers for an input depth. */
export function middleOutputDepth(depth: number, specs: Conv3dSpec[]): number {
  let d = depth;
  for (const s of specs) d = Math.floor((d + 2 * s.padding[0] - s.kernel) / s.stride[0]) + 1;
  return d;
}

/** `apply(grid)`: [B, D, H, W, C] → [B, H', W', C'·D'] (depth folded into channels). */
export class ConvMiddleLayers extends layers.Layer {
  static className = 'VoxelNetConvMiddleLayers';
  readonly inChannels: number;
  readonly specs: Conv3dSpec[];
  readonly bnOptions: BatchNormOptions;
  readonly seed: number;
  private kernels: LayerVariable[] = [];
  private norms: BatchNormVars[] = [];

  constructor(args: ConvMiddleLayersArgs = {}) {
    super({ name: args.name });
    this.inChannels = args.inChannels ?? 128;
    this.specs = args.layers ?? PAPER_MIDDLE_LAYERS;
    this.bnOptions = args.batchNorm ?? {};
    this.seed = args.seed ?? 0;
  }

  override build(): void {
    let cin = this.inChannels;
    this.specs.forEach((s, i) => {
      this.kernels.push(
        addKernel(
          this,
          `blocks.${i}.conv.weight`,
          [s.kernel, s.kernel, s.kernel, cin, s.filters],
          this.seed + 200 + i,
          'he',
        ),
      );
      this.norms.push(addBatchNorm(this, `blocks.${i}.norm`, s.filters));
      cin = s.filters;
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    const [B, D, H, W] = inputShape as number[];
    let [d, h, w] = [D, H, W];
    for (const s of this.specs) {
      d = Math.floor((d + 2 * s.padding[0] - s.kernel) / s.stride[0]) + 1;
      h = Math.floor((h + 2 * s.padding[1] - s.kernel) / s.stride[1]) + 1;
      w = Math.floor((w + 2 * s.padding[2] - s.kernel) / s.stride[2]) + 1;
    }
    const c = this.specs.length ? this.specs[this.specs.length - 1].filters : this.inChannels;
    return [B, h, w, c * d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;
      if (x.rank !== 5 || x.shape[4] !== this.inChannels) {
        throw new InvalidArgumentError(
          'ConvMiddleLayers',
          'input',
          `[B, D, H, W, ${this.inChannels}]`,
          x.shape,
        );
      }
      const training = kwargs.training ?? false;
      this.specs.forEach((s, i) => {
        const y = conv3d(x, this.kernels[i].read() as tf.Tensor5D, s.stride, s.padding);
        x = tf.relu(batchNorm(y, this.norms[i], training, this.bnOptions)) as tf.Tensor5D;
      });
      const [B, D, H, W, C] = x.shape;
      return tf.reshape(tf.transpose(x, [0, 2, 3, 4, 1]), [B, H, W, C * D]);
    });
  }

  /** Loads `blocks.{i}.conv.weight` (Conv3d, no bias) and `blocks.{i}.norm.*`. */
  loadStateDict(dict: StateDict, prefix = ''): void {
    if (!this.built) this.build();
    const vars: { name: string; variable: LayerVariable; torch: string; layout: Layout }[] = [];
    this.kernels.forEach((k, i) => {
      vars.push({ name: '', variable: k, torch: `blocks.${i}.conv.weight`, layout: 'conv3d' });
      const n = this.norms[i];
      vars.push({ name: '', variable: n.gamma, torch: `blocks.${i}.norm.weight`, layout: 'same' });
      vars.push({ name: '', variable: n.beta, torch: `blocks.${i}.norm.bias`, layout: 'same' });
      vars.push({ name: '', variable: n.mean, torch: `blocks.${i}.norm.running_mean`, layout: 'same' });
      vars.push({ name: '', variable: n.variance, torch: `blocks.${i}.norm.running_var`, layout: 'same' });
    });
    loadInto('ConvMiddleLayers.loadStateDict', vars, dict, prefix);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      inChannels: this.inChannels,
      layers: this.specs as unknown as tf.serialization.ConfigDict[],
      batchNorm: this.bnOptions as tf.serialization.ConfigDict,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(ConvMiddleLayers);
