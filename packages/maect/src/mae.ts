import * as tf from '@tensorflow/tfjs-core';
import { MaeDecoder } from './decoder';
import { MaectInputError } from './errors';
import { maeLoss } from './loss';
import { maskTensor, randomMasking } from './masking';
import type { DataFormat } from './patchify';
import {
  applyStateDict,
  collectStateDict,
  type ExportStateDictOptions,
  type LoadStateDictOptions,
  type StateDict,
} from './state-dict';
import { VisionTransformer, type VitOptions } from './vit';

export interface MaeOptions extends VitOptions {
  /** Decoder token width. Default 512. */
  decoderEmbedDim?: number;
  /** Decoder blocks. Default 8. */
  decoderDepth?: number;
  /** Decoder heads. Default 16. */
  decoderNumHeads?: number;
  /** Normalized-pixel target (see {@link maeLoss}). Default true. */
  normPixLoss?: boolean;
}

/** Options of one {@link MaskedAutoencoder.forward} pass: the mask and the image layout. */
export interface MaeForwardOptions {
  /** Fraction of patches removed, in (0, 1). Default 0.75 (MAE §4.1). */
  maskRatio?: number;
  /** Seed of the mask noise. Required unless `noise` is given. */
  seed?: number;
  /** Explicit uniform noise `[batch, N]` (row-major), e.g. PyTorch's `torch.rand`, for parity. */
  noise?: ArrayLike<number>;
  /** Image layout. Default `'channelsLast'`. */
  dataFormat?: DataFormat;
}

/** Result of {@link MaskedAutoencoder.forward}; the caller disposes the three tensors. */
export interface MaeOutput {
  /** Scalar reconstruction loss on the removed patches. */
  loss: tf.Scalar;
  /** `[batch, N, p²·C]` predicted (normalized, with normPixLoss) patch pixels. */
  pred: tf.Tensor3D;
  /** `[batch, N]`, 1 = removed. */
  mask: tf.Tensor2D;
}

/**
 * Masked autoencoder (He et al. 2022): a {@link VisionTransformer} encoder that sees only the kept
 * patches and a {@link MaeDecoder} that reconstructs the removed ones
 * (facebookresearch/mae `models_mae.py` `MaskedAutoencoderViT.forward`).
 */
export class MaskedAutoencoder {
  readonly encoder: VisionTransformer;
  readonly decoder: MaeDecoder;
  readonly normPixLoss: boolean;

  constructor(opts: MaeOptions = {}) {
    const { decoderEmbedDim, decoderDepth, decoderNumHeads, normPixLoss = true, ...vit } = opts;
    this.encoder = new VisionTransformer(vit);
    const c = this.encoder.config;
    this.decoder = new MaeDecoder({
      gridSize: this.encoder.gridSize,
      patchSize: c.patchSize,
      inChans: c.inChans,
      embedDim: c.embedDim,
      decoderEmbedDim,
      decoderDepth,
      decoderNumHeads,
      mlpRatio: c.mlpRatio,
      layerNormEps: c.layerNormEps,
      seed: c.seed + 1,
    });
    this.encoder.build();
    this.decoder.build();
    this.normPixLoss = normPixLoss;
  }

  /** Encoder + decoder + loss; the caller disposes the returned tensors. */
  forward(images: tf.Tensor, opts: MaeForwardOptions = {}): MaeOutput {
    const { maskRatio = 0.75, seed, noise, dataFormat } = opts;
    if (images.rank !== 4) throw new MaectInputError('images', 'a rank-4 image batch', `rank ${images.rank}`);
    const plan = randomMasking(images.shape[0], this.encoder.numPatches, maskRatio, { seed, noise });
    return tf.tidy(() => {
      const latent = this.encoder.encode(images, { dataFormat, mask: plan });
      const pred = this.decoder.decode(latent, plan);
      const mask = maskTensor(plan);
      const loss = maeLoss(images, pred, mask, {
        patchSize: this.encoder.config.patchSize,
        normPixLoss: this.normPixLoss,
        dataFormat,
      });
      return { loss, pred, mask };
    });
  }

  /** Only the loss (for `optimizer.minimize`). */
  loss(images: tf.Tensor, opts: MaeForwardOptions = {}): tf.Scalar {
    const out = this.forward(images, opts);
    tf.dispose([out.pred, out.mask]);
    return out.loss;
  }

  /** Trainable variables of encoder and decoder (the fixed positional embeddings are not). */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map(
      (w) => w.read() as tf.Variable,
    );
  }

  /**
   * Loads a full MAE state dict (encoder + `decoder_*` + `mask_token`, as in `mae_visualize_vit_*.pth`).
   * For an encoder-only checkpoint use `encoder.loadStateDict`.
   */
  loadStateDict(dict: StateDict, opts: LoadStateDictOptions = {}): void {
    applyStateDict([...this.encoder.paramSpecs(), ...this.decoder.paramSpecs()], dict, opts);
  }

  /** Encoder and decoder weights as one MAE state dict (PyTorch layouts and names). */
  stateDict(opts: ExportStateDictOptions = {}): StateDict {
    return collectStateDict([...this.encoder.paramSpecs(), ...this.decoder.paramSpecs()], opts);
  }

  /** Frees the encoder's and the decoder's variables. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
