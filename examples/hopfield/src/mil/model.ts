import { HopfieldPooling, type HopfieldPoolingArgs } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * How a bag of instance embeddings becomes one vector:
 * - `hopfield`: `HopfieldPooling` (learned state pattern(s) attending over the instances; paper §4);
 * - `attention`: attention-based MIL pooling of Ilse et al. (ICML 2018), a = softmax(wᵀ tanh(V h));
 * - `gated-attention`: its gated variant, a = softmax(wᵀ (tanh(V h) ⊙ sigmoid(U h)));
 * - `mean`: the average of the instance embeddings.
 */
export type Pooling = 'hopfield' | 'attention' | 'gated-attention' | 'mean';

export interface MilModelOptions {
  /** Features per instance. */
  inputDim: number;
  pooling: Pooling;
  /** Width of the instance embedding (one dense ReLU layer); 0 = pool the raw features. Default 64. */
  embedDim?: number;
  /**
   * Image instances: embed each with a small LeNet-style network before the dense layer, as Ilse et
   * al. (2018, MNIST-bags) do — two blocks of 5×5 convolution (`filters[k]` channels, ReLU) and 2×2
   * max pooling. `height · width · channels` must equal `inputDim`; needs `embedDim > 0`.
   */
  conv?: { height: number; width: number; channels: number; filters: [number, number] };
  /** `HopfieldPooling` options (inputSize is set from the embedding). */
  hopfield?: Omit<HopfieldPoolingArgs, 'inputSize'>;
  /** Width of the attention MLP (Ilse et al.'s L). Default 64. */
  attentionDim?: number;
  seed?: number;
}

/** instance embedding → pooling → linear logit, for bags `[B, S, inputDim]` with padding masks. */
export class MilModel {
  readonly options: Required<Omit<MilModelOptions, 'hopfield' | 'conv'>> &
    Pick<MilModelOptions, 'hopfield' | 'conv'>;
  private readonly convs: tfl.layers.Layer[] = [];
  private readonly embed: tfl.layers.Layer | null;
  private readonly hopfield: HopfieldPooling | null = null;
  private readonly attV: tfl.layers.Layer | null = null;
  private readonly attU: tfl.layers.Layer | null = null;
  private readonly attW: tfl.layers.Layer | null = null;
  private readonly head: tfl.layers.Layer;
  private built = false;

  constructor(opts: MilModelOptions) {
    const { inputDim, pooling, embedDim = 64, attentionDim = 64, seed = 0, hopfield, conv } = opts;
    if (!['hopfield', 'attention', 'gated-attention', 'mean'].includes(pooling)) {
      throw new Error(
        `MilModel: pooling must be hopfield | attention | gated-attention | mean, received '${pooling}'`,
      );
    }
    this.options = { inputDim, pooling, embedDim, attentionDim, seed, hopfield, conv };
    const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 131 + k });
    if (conv) {
      const { height, width, channels, filters } = conv;
      if (height * width * channels !== inputDim || embedDim <= 0) {
        throw new Error(
          `MilModel: conv expects height·width·channels = inputDim and embedDim > 0, received ${height}·${width}·${channels} = ${height * width * channels}, inputDim ${inputDim}, embedDim ${embedDim}`,
        );
      }
      filters.forEach((f, k) => {
        const opts = {
          filters: f,
          kernelSize: 5,
          activation: 'relu' as const,
          kernelInitializer: init(7 + k),
        };
        this.convs.push(tfl.layers.conv2d(opts), tfl.layers.maxPooling2d({ poolSize: 2 }));
      });
    }
    this.embed =
      embedDim > 0
        ? tfl.layers.dense({ units: embedDim, activation: 'relu', kernelInitializer: init(1) })
        : null;
    const width = embedDim > 0 ? embedDim : inputDim;
    if (pooling === 'hopfield') {
      this.hopfield = new HopfieldPooling({ ...hopfield, inputSize: width, seed: seed * 131 + 2 });
    } else if (pooling !== 'mean') {
      this.attV = tfl.layers.dense({ units: attentionDim, activation: 'tanh', kernelInitializer: init(3) });
      if (pooling === 'gated-attention') {
        this.attU = tfl.layers.dense({
          units: attentionDim,
          activation: 'sigmoid',
          kernelInitializer: init(4),
        });
      }
      this.attW = tfl.layers.dense({ units: 1, kernelInitializer: init(5) });
    }
    this.head = tfl.layers.dense({ units: 1, kernelInitializer: init(6) });
  }

  /** Bag logits `[B]` for bags `x` `[B, S, inputDim]` with padding `mask` `[B, S]` (bool, true = padding). */
  logits(x: tf.Tensor3D, mask: tf.Tensor2D, training = false): tf.Tensor1D {
    return tf.tidy(() => {
      this.built = true;
      const h = this.embedInstances(x);
      let pooled: tf.Tensor2D;
      if (this.hopfield) {
        pooled = this.hopfield.apply(h, { storedPatternPaddingMask: mask, training }) as tf.Tensor2D;
      } else if (this.attW) {
        let a = this.attV!.apply(h) as tf.Tensor3D;
        if (this.attU) a = tf.mul(a, this.attU.apply(h) as tf.Tensor3D);
        const scores = tf.squeeze(this.attW.apply(a) as tf.Tensor3D, [2]);
        const weights = tf.softmax(tf.where(mask, tf.fill(scores.shape, -1e9), scores));
        pooled = tf.squeeze(tf.matMul(tf.expandDims(weights, 1), h), [1]) as tf.Tensor2D;
      } else {
        const keep = tf.cast(tf.logicalNot(mask), 'float32');
        const sum = tf.sum(tf.mul(h, tf.expandDims(keep, 2)), 1);
        pooled = tf.div(sum, tf.maximum(tf.sum(keep, 1, true), 1)) as tf.Tensor2D;
      }
      return tf.squeeze(this.head.apply(pooled) as tf.Tensor2D, [1]) as tf.Tensor1D;
    });
  }

  /** Instance embeddings `[B, S, width]` (padding instances are embedded too, and masked later). */
  private embedInstances(x: tf.Tensor3D): tf.Tensor3D {
    if (!this.embed) return x;
    const [B, S] = x.shape;
    if (this.convs.length === 0) return this.embed.apply(x) as tf.Tensor3D;
    const { height, width, channels } = this.options.conv!;
    let f = tf.reshape(x, [B * S, height, width, channels]) as tf.Tensor;
    for (const l of this.convs) f = l.apply(f) as tf.Tensor;
    const e = this.embed.apply(tf.reshape(f, [B * S, -1])) as tf.Tensor2D;
    return tf.reshape(e, [B, S, this.options.embedDim]);
  }

  /** The trainable variables (after the first call). */
  variables(): tf.Variable[] {
    if (!this.built) throw new Error('MilModel: call logits() once before variables()');
    return this.layers().flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** Number of trainable parameters. */
  parameterCount(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  private layers(): tfl.layers.Layer[] {
    return [...this.convs, this.embed, this.hopfield, this.attV, this.attU, this.attW, this.head].filter(
      (l): l is tfl.layers.Layer => l !== null,
    );
  }

  dispose(): void {
    for (const l of this.layers()) if (this.built) l.dispose();
  }
}
