// Anchor head, VoxelNet §2.1.3: 1×1 convolutions from the RPN features to a probability score map
// (one logit per anchor) and a regression map (7 residuals per anchor). Names follow OpenPCDet
// pcdet/models/dense_heads/anchor_head_single.py (conv_cls, conv_box); channel a·7 + k holds
// residual k of anchor a, as there.
import * as tf from '@tensorflow/tfjs-core';
import { type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '../errors';
import type { Shape } from './common';
import { addKernel, type Layout, loadInto, type StateDict } from './common';
import { conv2d } from './ops';

/** Options of {@link AnchorHead}. */
export interface AnchorHeadArgs {
  /** Input channels (RPN output). Default 768. */
  inChannels?: number;
  /** Anchors per location (rotations). Default 2. */
  anchorsPerLocation?: number;
  /** Residuals per anchor. Default 7. */
  codeSize?: number;
  /**
   * Initial bias of the score logits. Default −log((1 − 0.01)/0.01) ≈ −4.6 (a prior of 0.01,
   * OpenPCDet's `init_weights`), so that early training is not swamped by the many negatives.
   */
  clsBiasInit?: number;
  seed?: number;
  name?: string;
}

/** `apply(x)`: [B, H, W, C] → [scores [B, H, W, A] (logits), boxes [B, H, W, A·7]]. */
export class AnchorHead extends layers.Layer {
  static className = 'VoxelNetAnchorHead';
  readonly inChannels: number;
  readonly anchorsPerLocation: number;
  readonly codeSize: number;
  readonly clsBiasInit: number;
  readonly seed: number;
  private clsW!: LayerVariable;
  private clsB!: LayerVariable;
  private boxW!: LayerVariable;
  private boxB!: LayerVariable;

  constructor(args: AnchorHeadArgs = {}) {
    super({ name: args.name });
    this.inChannels = args.inChannels ?? 768;
    this.anchorsPerLocation = args.anchorsPerLocation ?? 2;
    this.codeSize = args.codeSize ?? 7;
    this.clsBiasInit = args.clsBiasInit ?? -Math.log((1 - 0.01) / 0.01);
    this.seed = args.seed ?? 0;
  }

  override build(): void {
    const A = this.anchorsPerLocation;
    this.clsW = addKernel(this, 'conv_cls.weight', [1, 1, this.inChannels, A], this.seed + 400);
    this.clsB = addKernel(this, 'conv_cls.bias', [A], 0, 'zeros');
    this.boxW = addKernel(
      this,
      'conv_box.weight',
      [1, 1, this.inChannels, A * this.codeSize],
      this.seed + 401,
    );
    this.boxB = addKernel(this, 'conv_box.bias', [A * this.codeSize], 0, 'zeros');
    // write() takes the value's data but not the tensor itself: dispose it (else one tensor per head leaks)
    const bias = tf.fill([A], this.clsBiasInit);
    this.clsB.write(bias);
    bias.dispose();
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape): Shape[] {
    const [B, H, W] = inputShape as number[];
    return [
      [B, H, W, this.anchorsPerLocation],
      [B, H, W, this.anchorsPerLocation * this.codeSize],
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
        throw new InvalidArgumentError('AnchorHead', 'input', `[B, H, W, ${this.inChannels}]`, x.shape);
      }
      const cls = tf.add(conv2d(x, this.clsW.read() as tf.Tensor4D, 1, [0, 0]), this.clsB.read());
      const box = tf.add(conv2d(x, this.boxW.read() as tf.Tensor4D, 1, [0, 0]), this.boxB.read());
      return [cls, box];
    });
  }

  /** Loads OpenPCDet `conv_cls.{weight,bias}` and `conv_box.{weight,bias}`. */
  loadStateDict(dict: StateDict, prefix = ''): void {
    if (!this.built) this.build();
    const vars: { name: string; variable: LayerVariable; torch: string; layout: Layout }[] = [
      { name: '', variable: this.clsW, torch: 'conv_cls.weight', layout: 'conv2d' },
      { name: '', variable: this.clsB, torch: 'conv_cls.bias', layout: 'same' },
      { name: '', variable: this.boxW, torch: 'conv_box.weight', layout: 'conv2d' },
      { name: '', variable: this.boxB, torch: 'conv_box.bias', layout: 'same' },
    ];
    loadInto('AnchorHead.loadStateDict', vars, dict, prefix);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      inChannels: this.inChannels,
      anchorsPerLocation: this.anchorsPerLocation,
      codeSize: this.codeSize,
      clsBiasInit: this.clsBiasInit,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(AnchorHead);
