import type { MaeOptions } from './mae';

/**
 * Model shapes. `tiny` trains on 2 CPU cores; the others are the ViT shapes of the papers
 * (timm / facebookresearch/mae `models_mae.py`, decoder 512-d × 8 blocks × 16 heads).
 */
export const MAE_PRESETS = {
  /** 32×32 images, 4×4 patches (64 tokens), D 64, 4 blocks, 4 heads; decoder 64 × 2 × 4. */
  tiny: {
    imgSize: 32,
    patchSize: 4,
    embedDim: 64,
    depth: 4,
    numHeads: 4,
    decoderEmbedDim: 64,
    decoderDepth: 2,
    decoderNumHeads: 4,
  },
  'vit-ti/16': {
    embedDim: 192,
    depth: 12,
    numHeads: 3,
    decoderEmbedDim: 512,
    decoderDepth: 8,
    decoderNumHeads: 16,
  },
  'vit-s/16': {
    embedDim: 384,
    depth: 12,
    numHeads: 6,
    decoderEmbedDim: 512,
    decoderDepth: 8,
    decoderNumHeads: 16,
  },
  'vit-b/16': {
    embedDim: 768,
    depth: 12,
    numHeads: 12,
    decoderEmbedDim: 512,
    decoderDepth: 8,
    decoderNumHeads: 16,
  },
  'vit-l/16': {
    embedDim: 1024,
    depth: 24,
    numHeads: 16,
    decoderEmbedDim: 512,
    decoderDepth: 8,
    decoderNumHeads: 16,
  },
  'vit-h/14': {
    patchSize: 14,
    embedDim: 1280,
    depth: 32,
    numHeads: 16,
    decoderEmbedDim: 512,
    decoderDepth: 8,
    decoderNumHeads: 16,
  },
} as const satisfies Record<string, MaeOptions>;

/** Name of a {@link MAE_PRESETS} entry: `'tiny'` or a ViT shape such as `'vit-b/16'`. */
export type MaePresetName = keyof typeof MAE_PRESETS;
