import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type BlockWeights, dense, layerNorm, transformerBlock } from './block';
import { MaectInputError, shapeString } from './errors';
import { type MaskPlan, restoreTokens } from './masking';
import { sincosPosEmbed2dValues } from './pos-embed';
import {
  applyStateDict,
  blockSpecs,
  collectStateDict,
  type ExportStateDictOptions,
  type LoadStateDictOptions,
  linearSpec,
  type ParamSpec,
  plainSpec,
  posEmbedSpec,
  type StateDict,
} from './state-dict';
import { addBlockWeights, Init } from './weights';

/** MAE decoder options (facebookresearch/mae `MaskedAutoencoderViT` argument names in camelCase). */
export interface MaeDecoderOptions {
  /** Patches per image side (imgSize / patchSize). Default 14. */
  gridSize?: number;
  /** Patch side in pixels. Default 16. */
  patchSize?: number;
  /** Image channels. Default 3. */
  inChans?: number;
  /** Width of the encoder tokens fed in. Default 768. */
  embedDim?: number;
  /** Decoder token width. Default 512. */
  decoderEmbedDim?: number;
  /** Decoder blocks. Default 8. */
  decoderDepth?: number;
  /** Decoder heads. Default 16. */
  decoderNumHeads?: number;
  /** MLP hidden width / width. Default 4. */
  mlpRatio?: number;
  /** LayerNorm epsilon. Default 1e-6. */
  layerNormEps?: number;
  /** Seed of the initial weights. Default 1. */
  seed?: number;
}

/** Resolved options of a {@link MaeDecoder} (every field set). */
export type MaeDecoderConfig = Required<MaeDecoderOptions>;

/**
 * Defaults of {@link MaeDecoderOptions}: MAE's decoder (512-d, 8 blocks, 16 heads; facebookresearch/mae
 * `models_mae.py` `mae_vit_base_patch16_dec512d8b`) behind a ViT-B/16 encoder (768-d) on 224² images
 * (14 × 14 patches of 16 × 16 × 3).
 */
export const MAE_DECODER_DEFAULTS: MaeDecoderConfig = {
  gridSize: 14,
  patchSize: 16,
  inChans: 3,
  embedDim: 768,
  decoderEmbedDim: 512,
  decoderDepth: 8,
  decoderNumHeads: 16,
  mlpRatio: 4,
  layerNormEps: 1e-6,
  seed: 1,
};

/**
 * MAE's lightweight decoder (He et al. 2022, §3 "MAE decoder"; facebookresearch/mae `models_mae.py`
 * `forward_decoder`): embed the encoder tokens, put a shared learned mask token at every removed
 * patch, add fixed sin-cos positions, pre-norm blocks, norm, and a linear prediction of each patch's
 * `p²·C` pixels. `decode(latent, plan)`: `[batch, 1 + kept, embedDim]` → `[batch, N, p²·C]`.
 */
export class MaeDecoder extends tfl.layers.Layer {
  static className = 'MaeDecoder';
  readonly config: MaeDecoderConfig;
  private vars: {
    embedKernel: tfl.LayerVariable;
    embedBias: tfl.LayerVariable;
    maskToken: tfl.LayerVariable;
    posEmbed: tfl.LayerVariable;
    blocks: BlockWeights[];
    normGamma: tfl.LayerVariable;
    normBeta: tfl.LayerVariable;
    predKernel: tfl.LayerVariable;
    predBias: tfl.LayerVariable;
  } | null = null;

  constructor(args: MaeDecoderOptions & { name?: string; trainable?: boolean } = {}) {
    const { name, trainable, ...opts } = args;
    super({ name, trainable });
    const c: MaeDecoderConfig = { ...MAE_DECODER_DEFAULTS };
    for (const k of Object.keys(MAE_DECODER_DEFAULTS) as (keyof MaeDecoderConfig)[])
      if (opts[k] !== undefined) (c as Record<string, unknown>)[k] = opts[k];
    for (const k of [
      'gridSize',
      'patchSize',
      'inChans',
      'embedDim',
      'decoderEmbedDim',
      'decoderDepth',
      'decoderNumHeads',
    ] as const)
      if (!Number.isInteger(c[k]) || c[k] <= 0)
        throw new MaectInputError(k, 'a positive integer', String(c[k]));
    if (c.decoderEmbedDim % c.decoderNumHeads !== 0 || c.decoderEmbedDim % 4 !== 0)
      throw new MaectInputError(
        'decoderEmbedDim',
        `a multiple of decoderNumHeads ${c.decoderNumHeads} and of 4`,
        String(c.decoderEmbedDim),
      );
    this.config = c;
  }

  get numPatches(): number {
    return this.config.gridSize ** 2;
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
    const d = c.decoderEmbedDim;
    const out = c.patchSize * c.patchSize * c.inChans;
    const pos = sincosPosEmbed2dValues(d, c.gridSize, { clsToken: true });
    this.vars = {
      embedKernel: add('decoder_embed.kernel', [c.embedDim, d], init.xavier([c.embedDim, d], c.embedDim, d)),
      embedBias: add('decoder_embed.bias', [d], init.zeros([d])),
      maskToken: add('mask_token', [1, 1, d], init.normal([1, 1, d], 0.02)),
      posEmbed: add(
        'decoder_pos_embed',
        [this.numPatches + 1, d],
        tf.tensor2d(Float32Array.from(pos), [this.numPatches + 1, d]),
        false,
      ),
      blocks: Array.from({ length: c.decoderDepth }, (_, i) =>
        addBlockWeights(add, init, `decoder_blocks.${i}.`, d, d * c.mlpRatio, true),
      ),
      normGamma: add('decoder_norm.gamma', [d], init.ones([d])),
      normBeta: add('decoder_norm.beta', [d], init.zeros([d])),
      predKernel: add('decoder_pred.kernel', [d, out], init.xavier([d, out], d, out)),
      predBias: add('decoder_pred.bias', [out], init.zeros([out])),
    };
    this.built = true;
  }

  private v() {
    if (!this.vars) this.build();
    return this.vars!;
  }

  /**
   * @param latent encoder output `[batch, 1 + kept, embedDim]` (class token first)
   * @param plan the mask that produced `latent`; omit when every patch was kept
   * @returns per-patch pixel predictions `[batch, N, p²·C]` in {@link patchify} order
   */
  decode(latent: tf.Tensor, plan?: MaskPlan): tf.Tensor3D {
    const c = this.config;
    const v = this.v();
    const kept = plan ? plan.keep : this.numPatches;
    if (latent.rank !== 3 || latent.shape[1] !== kept + 1 || latent.shape[2] !== c.embedDim)
      throw new MaectInputError(
        'latent',
        `shape [batch, ${kept + 1}, ${c.embedDim}] (class token + kept patches)`,
        `shape ${shapeString(latent.shape)}`,
      );
    return tf.tidy(() => {
      const x = dense(latent, v.embedKernel.read(), v.embedBias.read()) as tf.Tensor3D;
      const [b, , d] = x.shape;
      const cls = tf.slice(x, [0, 0, 0], [b, 1, d]);
      let patches = tf.slice(x, [0, 1, 0], [b, kept, d]) as tf.Tensor3D;
      if (plan) patches = restoreTokens(patches, v.maskToken.read(), plan);
      let h = tf.add(tf.concat([cls, patches], 1), v.posEmbed.read()) as tf.Tensor3D;
      for (const blk of v.blocks)
        h = transformerBlock(h, blk, { numHeads: c.decoderNumHeads, layerNormEps: c.layerNormEps });
      const normed = layerNorm(h, v.normGamma.read(), v.normBeta.read(), c.layerNormEps);
      const pred = dense(normed, v.predKernel.read(), v.predBias.read());
      return tf.slice(pred, [0, 1, 0], [b, this.numPatches, pred.shape[2]!]) as tf.Tensor3D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.decode(Array.isArray(inputs) ? inputs[0] : inputs);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = this.config;
    return [s[0], this.numPatches, c.patchSize * c.patchSize * c.inChans];
  }

  /** Frees the variables; works whether or not the layer was ever applied symbolically. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    if (this._refCount === null) this._refCount = 1;
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.config, ...super.getConfig() };
  }

  /** Reference keys ↔ variables (facebookresearch/mae `MaskedAutoencoderViT` decoder names). */
  paramSpecs(): ParamSpec[] {
    const v = this.v();
    return [
      linearSpec('decoder_embed.weight', v.embedKernel),
      plainSpec('decoder_embed.bias', v.embedBias),
      plainSpec('mask_token', v.maskToken),
      posEmbedSpec('decoder_pos_embed', v.posEmbed),
      ...v.blocks.flatMap((b, i) => blockSpecs(`decoder_blocks.${i}.`, b)),
      plainSpec('decoder_norm.weight', v.normGamma),
      plainSpec('decoder_norm.bias', v.normBeta),
      linearSpec('decoder_pred.weight', v.predKernel),
      plainSpec('decoder_pred.bias', v.predBias),
    ];
  }

  /**
   * Loads the decoder part of an MAE checkpoint (`decoder_*` and `mask_token` keys, PyTorch
   * layouts). Throws a {@link CheckpointError} listing every missing, mis-shaped and unexpected key
   * before writing anything; pass `allowUnexpected` for a full MAE state dict.
   */
  loadStateDict(dict: StateDict, opts: LoadStateDictOptions = {}): void {
    applyStateDict(this.paramSpecs(), dict, opts);
  }

  /** The decoder weights as a reference state dict (PyTorch layouts and names). */
  stateDict(opts: ExportStateDictOptions = {}): StateDict {
    return collectStateDict(this.paramSpecs(), opts);
  }
}
tf.serialization.registerClass(MaeDecoder);
