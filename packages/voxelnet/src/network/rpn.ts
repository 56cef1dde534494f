// Region proposal network backbone, VoxelNet §2.1.3 (Fig. 4): three chained blocks of
// Conv2D(·, ·, 3, s, 1) + BN + ReLU (the first conv of each block strided), each block's output
// upsampled by a Deconv2D + BN + ReLU to a common resolution, and the three concatenated
// (768 × H/2 × W/2 for car). Parameter names follow OpenPCDet
// pcdet/models/backbones_2d/base_bev_backbone.py `BaseBEVBackbone` (blocks.{b}.{i}, deblocks.{b}.{i}).
// The anchor heads (1×1 convs) are a separate stage: `AnchorHead`.
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
import { conv2d, conv2dTranspose } from './ops';

/** One RPN block: `layers` 3×3 convs with `filters` channels, the first with `stride`. */
export interface RpnBlockSpec {
  layers: number;
  filters: number;
  stride: number;
}
/** One upsampling deconv: kernel = stride ('valid'), or stride 1 with an odd kernel ('same'). */
export interface RpnUpsampleSpec {
  filters: number;
  kernel: number;
  stride: number;
}

/** The paper's car RPN (Fig. 4): blocks of 4, 6, 6 convs. */
export const PAPER_RPN_BLOCKS: RpnBlockSpec[] = [
  { layers: 4, filters: 128, stride: 2 },
  { layers: 6, filters: 128, stride: 2 },
  { layers: 6, filters: 256, stride: 2 },
];
/** Deconv2D(128, 256, 3, 1), (128, 256, 2, 2), (256, 256, 4, 4) — 'same' padding for the first (qianguih/voxelnet model/rpn.py). */
export const PAPER_RPN_UPSAMPLE: RpnUpsampleSpec[] = [
  { filters: 256, kernel: 3, stride: 1 },
  { filters: 256, kernel: 2, stride: 2 },
  { filters: 256, kernel: 4, stride: 4 },
];

/** Options of {@link RpnBackbone}. */
export interface RpnBackboneArgs {
  /** Input channels (middle-layer output, C·D). Default 128. */
  inChannels?: number;
  blocks?: RpnBlockSpec[];
  upsample?: RpnUpsampleSpec[];
  batchNorm?: BatchNormOptions;
  seed?: number;
  name?: string;
}

/** `apply(x)`: [B, H, W, inChannels] → [B, H/s₁, W/s₁, Σ upsample filters]. */
export class RpnBackbone extends layers.Layer {
  static className = 'VoxelNetRpnBackbone';
  readonly inChannels: number;
  readonly blocks: RpnBlockSpec[];
  readonly upsample: RpnUpsampleSpec[];
  readonly bnOptions: BatchNormOptions;
  readonly seed: number;
  private convs: { kernel: LayerVariable; norm: BatchNormVars; stride: number; torch: string }[][] = [];
  private deconvs: { kernel: LayerVariable; norm: BatchNormVars; stride: number }[] = [];

  constructor(args: RpnBackboneArgs = {}) {
    super({ name: args.name });
    this.inChannels = args.inChannels ?? 128;
    this.blocks = args.blocks ?? PAPER_RPN_BLOCKS;
    this.upsample = args.upsample ?? PAPER_RPN_UPSAMPLE;
    this.bnOptions = args.batchNorm ?? {};
    this.seed = args.seed ?? 0;
    if (this.upsample.length !== this.blocks.length) {
      throw new InvalidArgumentError(
        'RpnBackbone',
        'upsample',
        `one spec per block (${this.blocks.length})`,
        this.upsample.length,
      );
    }
    this.upsample.forEach((u, i) => {
      if (!(u.kernel === u.stride || (u.stride === 1 && u.kernel % 2 === 1))) {
        throw new InvalidArgumentError(
          'RpnBackbone',
          `upsample[${i}]`,
          'kernel == stride, or stride 1 with an odd kernel',
          u,
        );
      }
    });
  }

  override build(): void {
    let cin = this.inChannels;
    let seed = this.seed + 300;
    this.blocks.forEach((b, bi) => {
      const convs: { kernel: LayerVariable; norm: BatchNormVars; stride: number; torch: string }[] = [];
      for (let l = 0; l < b.layers; l++) {
        // OpenPCDet indices: ZeroPad2d at 0, then (Conv2d, BN, ReLU) triples from 1
        const ci = 1 + 3 * l;
        convs.push({
          kernel: addKernel(this, `blocks.${bi}.${ci}.weight`, [3, 3, cin, b.filters], seed++, 'he'),
          norm: addBatchNorm(this, `blocks.${bi}.${ci + 1}`, b.filters),
          stride: l === 0 ? b.stride : 1,
          torch: `blocks.${bi}.${ci}`,
        });
        cin = b.filters;
      }
      this.convs.push(convs);
      const u = this.upsample[bi];
      this.deconvs.push({
        kernel: addKernel(
          this,
          `deblocks.${bi}.0.weight`,
          [u.kernel, u.kernel, u.filters, b.filters],
          seed++,
          'he',
        ),
        norm: addBatchNorm(this, `deblocks.${bi}.1`, u.filters),
        stride: u.stride,
      });
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    const [B, H, W] = inputShape as number[];
    const s = this.blocks[0].stride;
    return [B, Math.ceil(H / s), Math.ceil(W / s), this.upsample.reduce((a, u) => a + u.filters, 0)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
        throw new InvalidArgumentError('RpnBackbone', 'input', `[B, H, W, ${this.inChannels}]`, x.shape);
      }
      const training = kwargs.training ?? false;
      const ups: tf.Tensor[] = [];
      this.convs.forEach((block, bi) => {
        for (const c of block) {
          x = tf.relu(
            batchNorm(
              conv2d(x, c.kernel.read() as tf.Tensor4D, c.stride, [1, 1]),
              c.norm,
              training,
              this.bnOptions,
            ),
          ) as tf.Tensor4D;
        }
        const d = this.deconvs[bi];
        ups.push(
          tf.relu(
            batchNorm(
              conv2dTranspose(x, d.kernel.read() as tf.Tensor4D, d.stride),
              d.norm,
              training,
              this.bnOptions,
            ),
          ),
        );
      });
      const h = Math.min(...ups.map((u) => u.shape[1] as number));
      const w = Math.min(...ups.map((u) => u.shape[2] as number));
      return tf.concat(
        ups.map((u) =>
          u.shape[1] === h && u.shape[2] === w ? u : tf.slice(u, [0, 0, 0, 0], [-1, h, w, -1]),
        ),
        3,
      );
    });
  }

  /** Loads OpenPCDet `BaseBEVBackbone` parameters (`blocks.{b}.{i}.weight`, `deblocks.{b}.0.weight`, BN). */
  loadStateDict(dict: StateDict, prefix = ''): void {
    if (!this.built) this.build();
    const vars: { name: string; variable: LayerVariable; torch: string; layout: Layout }[] = [];
    const bn = (p: string, v: BatchNormVars) => {
      vars.push({ name: '', variable: v.gamma, torch: `${p}.weight`, layout: 'same' });
      vars.push({ name: '', variable: v.beta, torch: `${p}.bias`, layout: 'same' });
      vars.push({ name: '', variable: v.mean, torch: `${p}.running_mean`, layout: 'same' });
      vars.push({ name: '', variable: v.variance, torch: `${p}.running_var`, layout: 'same' });
    };
    this.convs.forEach((block, bi) => {
      block.forEach((c, l) => {
        const ci = 1 + 3 * l;
        vars.push({ name: '', variable: c.kernel, torch: `blocks.${bi}.${ci}.weight`, layout: 'conv2d' });
        bn(`blocks.${bi}.${ci + 1}`, c.norm);
      });
      vars.push({
        name: '',
        variable: this.deconvs[bi].kernel,
        torch: `deblocks.${bi}.0.weight`,
        layout: 'deconv2d',
      });
      bn(`deblocks.${bi}.1`, this.deconvs[bi].norm);
    });
    loadInto('RpnBackbone.loadStateDict', vars, dict, prefix);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      inChannels: this.inChannels,
      blocks: this.blocks as unknown as tf.serialization.ConfigDict[],
      upsample: this.upsample as unknown as tf.serialization.ConfigDict[],
      batchNorm: this.bnOptions as tf.serialization.ConfigDict,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(RpnBackbone);
