import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type BlockWeights, dense, layerNorm, transformerBlock } from './block';
import { MaectInputError, shapeString } from './errors';
import { type MaskPlan, randomMasking, selectKept } from './masking';
import { type DataFormat, patchify, toChannelsLast } from './patchify';
import { sincosPosEmbed2dValues } from './pos-embed';
import {
  applyStateDict,
  blockSpecs,
  collectStateDict,
  type ExportStateDictOptions,
  type LoadStateDictOptions,
  type ParamSpec,
  plainSpec,
  posEmbedSpec,
  type StateDict,
} from './state-dict';
import { addBlockWeights, Init } from './weights';

/** Shape of a ViT encoder (timm / facebookresearch/mae argument names in camelCase). */
export interface VitOptions {
  /** Square input side in pixels. Default 224. */
  imgSize?: number;
  /** Square patch side in pixels. Default 16. */
  patchSize?: number;
  /** Input channels. Default 3. */
  inChans?: number;
  /** Token width D. Default 768. */
  embedDim?: number;
  /** Number of blocks. Default 12. */
  depth?: number;
  /** Attention heads (D must be divisible by it). Default 12. */
  numHeads?: number;
  /** MLP hidden width / D. Default 4. */
  mlpRatio?: number;
  /** Bias on the q, k, v projections. Default true (MAE). */
  qkvBias?: boolean;
  /** LayerNorm epsilon. Default 1e-6 (MAE's `partial(nn.LayerNorm, eps=1e-6)`). */
  layerNormEps?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

export interface VitLayerArgs extends VitOptions {
  name?: string;
  trainable?: boolean;
}

/** How an image is summarized for heads and evaluation (MAE-CT `models/poolings`). */
export type Pooling = 'cls' | 'meanPatch';

/** Options of {@link VisionTransformer.encode}. */
export interface EncodeOptions {
  /** Image layout. Default `'channelsLast'`. */
  dataFormat?: DataFormat;
  /** Keep only these patches (MAE pre-training); default: all patches. */
  mask?: MaskPlan;
}

/** Resolved options of a ViT encoder. */
export type VitConfig = Required<VitOptions>;

/**
 * Defaults of {@link VitOptions}: ViT-B/16 on 224² RGB images (Dosovitskiy et al. 2021; timm
 * `vit_base_patch16_224`, the MAE encoder) with qkv bias and LayerNorm ε 1e-6 as in MAE.
 */
export const VIT_DEFAULTS: VitConfig = {
  imgSize: 224,
  patchSize: 16,
  inChans: 3,
  embedDim: 768,
  depth: 12,
  numHeads: 12,
  mlpRatio: 4,
  qkvBias: true,
  layerNormEps: 1e-6,
  seed: 0,
};

export function resolveVit(opts: VitOptions): VitConfig {
  const c: VitConfig = { ...VIT_DEFAULTS };
  // Only the known options (a layer config from \`fromConfig\` also carries tfjs base keys).
  for (const k of Object.keys(VIT_DEFAULTS) as (keyof VitConfig)[])
    if (opts[k] !== undefined) (c as Record<string, unknown>)[k] = opts[k];
  const int = (name: keyof VitConfig) => {
    const v = c[name] as number;
    if (!Number.isInteger(v) || v <= 0) throw new MaectInputError(name, 'a positive integer', String(v));
  };
  for (const k of ['imgSize', 'patchSize', 'inChans', 'embedDim', 'depth', 'numHeads'] as const) int(k);
  if (c.imgSize % c.patchSize !== 0)
    throw new MaectInputError('imgSize', `a multiple of patchSize ${c.patchSize}`, String(c.imgSize));
  if (c.embedDim % c.numHeads !== 0)
    throw new MaectInputError('embedDim', `a multiple of numHeads ${c.numHeads}`, String(c.embedDim));
  if (c.embedDim % 4 !== 0)
    throw new MaectInputError(
      'embedDim',
      'a multiple of 4 (2D sin-cos positional embedding)',
      String(c.embedDim),
    );
  if (!(c.mlpRatio > 0) || !Number.isInteger(c.embedDim * c.mlpRatio))
    throw new MaectInputError(
      'mlpRatio',
      'a positive ratio with an integer hidden width',
      String(c.mlpRatio),
    );
  return c;
}

/**
 * Vision Transformer encoder (Dosovitskiy et al. 2021; as MAE's encoder, He et al. 2022 §3):
 * patch embedding (a stride-p convolution, computed as patchify + matMul so its gradient needs no
 * `Conv2DBackpropFilter`), class token, fixed 2D sin-cos positional embedding, pre-norm blocks whose
 * attention is a one-step Hopfield retrieval, final LayerNorm.
 *
 * `apply(images)` with images `[batch, imgSize, imgSize, inChans]` gives tokens `[batch, 1 + N, embedDim]`
 * (class token first, N = (imgSize/patchSize)²). {@link VisionTransformer.encode} also takes a mask plan.
 * Variables are named after the reference keys (`blocks.3.attn.query.kernel`); `loadStateDict` /
 * `stateDict` read and write timm / MAE checkpoints.
 */
export class VisionTransformer extends tfl.layers.Layer {
  static className = 'VisionTransformer';
  readonly config: VitConfig;
  private vars: {
    patchKernel: tfl.LayerVariable;
    patchBias: tfl.LayerVariable;
    clsToken: tfl.LayerVariable;
    posEmbed: tfl.LayerVariable;
    blocks: BlockWeights[];
    normGamma: tfl.LayerVariable;
    normBeta: tfl.LayerVariable;
  } | null = null;

  constructor(args: VitLayerArgs = {}) {
    const { name, trainable, ...opts } = args;
    super({ name, trainable });
    this.config = resolveVit(opts);
  }

  /** Patches per image side. */
  get gridSize(): number {
    return this.config.imgSize / this.config.patchSize;
  }
  /** Patches per image, N. */
  get numPatches(): number {
    return this.gridSize ** 2;
  }

  override build(_inputShape?: tfl.Shape | tfl.Shape[]): void {
    if (this.vars) return;
    const c = this.config;
    const init = new Init(c.seed);
    const add = (name: string, shape: number[], value: tf.Tensor, trainable = true) => {
      const v = this.addWeight(name, shape, 'float32', tfl.initializers.zeros(), undefined, trainable);
      v.write(value);
      value.dispose();
      return v;
    };
    const p = c.patchSize;
    const d = c.embedDim;
    const fanIn = p * p * c.inChans;
    const hidden = d * c.mlpRatio;
    const pos = sincosPosEmbed2dValues(d, this.gridSize, { clsToken: true });
    this.vars = {
      // MAE initializes the patch projection like a Linear over the flattened patch (xavier_uniform).
      patchKernel: add(
        'patch_embed.proj.kernel',
        [p, p, c.inChans, d],
        init.xavier([p, p, c.inChans, d], fanIn, d),
      ),
      patchBias: add('patch_embed.proj.bias', [d], init.zeros([d])),
      clsToken: add('cls_token', [1, 1, d], init.normal([1, 1, d], 0.02)),
      posEmbed: add(
        'pos_embed',
        [this.numPatches + 1, d],
        tf.tensor2d(Float32Array.from(pos), [this.numPatches + 1, d]),
        false,
      ),
      blocks: Array.from({ length: c.depth }, (_, i) =>
        addBlockWeights(add, init, `blocks.${i}.`, d, hidden, c.qkvBias),
      ),
      normGamma: add('norm.gamma', [d], init.ones([d])),
      normBeta: add('norm.beta', [d], init.zeros([d])),
    };
    this.built = true;
  }

  private v() {
    if (!this.vars) this.build();
    return this.vars!;
  }

  /** The block variables (for freezing and layer-wise learning rates). */
  blockWeights(i: number): tfl.LayerVariable[] {
    const b = this.v().blocks[i];
    if (!b) throw new MaectInputError('block', `an index in [0, ${this.config.depth})`, String(i));
    return Object.values(b).filter((x): x is tfl.LayerVariable => x !== null);
  }
  /** Patch embedding, class token and positional embedding (MAE-CT freezes these with block 0). */
  stemWeights(): tfl.LayerVariable[] {
    const v = this.v();
    return [v.patchKernel, v.patchBias, v.clsToken, v.posEmbed];
  }
  /** The final LayerNorm. */
  normWeights(): tfl.LayerVariable[] {
    const v = this.v();
    return [v.normGamma, v.normBeta];
  }

  /** Patch tokens with positional embedding: images → `[batch, N, embedDim]`. */
  embedPatches(images: tf.Tensor, dataFormat: DataFormat = 'channelsLast'): tf.Tensor3D {
    const c = this.config;
    const v = this.v();
    return tf.tidy(() => {
      const x = toChannelsLast(images, c.patchSize, dataFormat, 'images');
      if (x.shape[1] !== c.imgSize || x.shape[2] !== c.imgSize || x.shape[3] !== c.inChans)
        throw new MaectInputError(
          'images',
          `${c.imgSize}×${c.imgSize}×${c.inChans} images (${dataFormat})`,
          `shape ${shapeString(images.shape)}`,
        );
      const patches = patchify(x, c.patchSize);
      const kernel = tf.reshape(v.patchKernel.read(), [c.patchSize * c.patchSize * c.inChans, c.embedDim]);
      const tokens = dense(patches, kernel, v.patchBias.read());
      return tf.add(tokens, tf.slice(v.posEmbed.read(), [1, 0])) as tf.Tensor3D;
    });
  }

  /**
   * Encoder forward (facebookresearch/mae `models_mae.py` `forward_encoder`): embed, keep the plan's
   * patches (if any), prepend `cls_token + pos_embed[0]`, blocks, final norm.
   * @returns `[batch, 1 + kept, embedDim]`
   */
  encode(images: tf.Tensor, opts: EncodeOptions = {}): tf.Tensor3D {
    const c = this.config;
    const v = this.v();
    return tf.tidy(() => {
      let x: tf.Tensor3D = this.embedPatches(images, opts.dataFormat);
      if (opts.mask) x = selectKept(x, opts.mask);
      const batch = x.shape[0];
      const cls = tf.add(
        v.clsToken.read(),
        tf.reshape(tf.slice(v.posEmbed.read(), [0, 0], [1, c.embedDim]), [1, 1, c.embedDim]),
      );
      x = tf.concat([tf.tile(cls, [batch, 1, 1]), x], 1) as tf.Tensor3D;
      for (const b of v.blocks) x = transformerBlock(x, b, c);
      return layerNorm(x, v.normGamma.read(), v.normBeta.read(), c.layerNormEps) as tf.Tensor3D;
    });
  }

  /** Draws a seeded MAE mask for a batch of this encoder's images. */
  randomMask(batch: number, maskRatio: number, seed: number): MaskPlan {
    return randomMasking(batch, this.numPatches, maskRatio, { seed });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.encode(Array.isArray(inputs) ? inputs[0] : inputs);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [s[0], this.numPatches + 1, this.config.embedDim];
  }

  /** Frees the variables; works whether or not the layer was ever applied symbolically. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    if (this._refCount === null) this._refCount = 1;
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.config, ...super.getConfig() };
  }

  /** Reference keys ↔ variables (timm `VisionTransformer` / MAE encoder names). */
  paramSpecs(): ParamSpec[] {
    const v = this.v();
    const d = this.config.embedDim;
    return [
      plainSpec('cls_token', v.clsToken),
      posEmbedSpec('pos_embed', v.posEmbed),
      {
        // torch Conv2d weight OIHW [D, C, p, p] ↔ tfjs HWIO [p, p, C, D].
        key: 'patch_embed.proj.weight',
        shape: [d, this.config.inChans, this.config.patchSize, this.config.patchSize],
        load: (t) => v.patchKernel.write(tf.transpose(t, [2, 3, 1, 0])),
        save: () => tf.transpose(v.patchKernel.read(), [3, 2, 0, 1]),
      },
      plainSpec('patch_embed.proj.bias', v.patchBias),
      ...v.blocks.flatMap((b, i) => blockSpecs(`blocks.${i}.`, b)),
      plainSpec('norm.weight', v.normGamma),
      plainSpec('norm.bias', v.normBeta),
    ];
  }

  /**
   * Loads reference weights (official MAE `mae_pretrain_vit_*.pth` → `model`, timm `vit_*.mae`, MAE-CT
   * `state_dict`) in PyTorch layouts. Throws a {@link CheckpointError} listing every missing,
   * mis-shaped and unexpected key before writing anything.
   */
  loadStateDict(dict: StateDict, opts: LoadStateDictOptions = {}): void {
    applyStateDict(this.paramSpecs(), dict, opts);
  }

  /** The weights as a reference state dict (PyTorch layouts and names). */
  stateDict(opts: ExportStateDictOptions = {}): StateDict {
    return collectStateDict(this.paramSpecs(), opts);
  }
}
tf.serialization.registerClass(VisionTransformer);

/** Mean of the patch tokens (`meanPatch`) or the class token (`cls`): `[batch, 1+N, D]` → `[batch, D]`. */
export function pool(tokens: tf.Tensor3D, pooling: Pooling): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, n, d] = tokens.shape;
    if (pooling === 'cls') return tf.reshape(tf.slice(tokens, [0, 0, 0], [b, 1, d]), [b, d]) as tf.Tensor2D;
    if (pooling === 'meanPatch') return tf.mean(tf.slice(tokens, [0, 1, 0], [b, n - 1, d]), 1) as tf.Tensor2D;
    throw new MaectInputError('pooling', "'cls' or 'meanPatch'", String(pooling));
  });
}
