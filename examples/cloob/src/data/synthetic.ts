import { normal } from '@paperstack/example-kit';
import type { PairedDataset } from './paired';

export interface SyntheticOptions {
  /** Latent classes. Default 10. */
  classes?: number;
  /** Pairs. Default 2000. */
  size?: number;
  /** Dimension of the shared latent (class centre + per-pair attributes). Default 16. */
  latentDim?: number;
  /** Std of the per-pair attributes shared by both modalities, relative to unit class centres. Default 0.6. */
  attributeStd?: number;
  /** Dimension of each modality's private nuisance latent. Default 16. */
  nuisanceDim?: number;
  /** Std of the nuisance latents. Default 1. */
  nuisanceStd?: number;
  imageDim?: number;
  textDim?: number;
  /** Observation noise std. Default 0.1. */
  noiseStd?: number;
  seed?: number;
  /**
   * Seed of the generative process (class centres, mixing matrices). Pairs drawn with the same
   * `worldSeed` and different `seed` come from the same distribution (train/test splits).
   * Default 1234.
   */
  worldSeed?: number;
}

/**
 * Two modalities generated from a shared latent with known classes. The shared latent of pair i is
 * s_i = μ_{c_i} + a_i (class centre + per-pair attributes); each modality sees it through its own
 * random nonlinear map together with private nuisance n:
 *   image_i = tanh(A [s_i; n_i^img]) + ε,   text_i = tanh(B [s_i; n_i^txt]) + ε.
 * The prompt of class c is the text map of [μ_c; 0] (no attributes, no nuisance), the analogue
 * of "a photo of a {class}". So the pairing carries more than the class, and the class must be
 * read from both modalities through different nonlinearities — the regime the paper's zero-shot
 * evaluation probes.
 */
export function syntheticPairs(opts: SyntheticOptions = {}): PairedDataset {
  const {
    classes = 10,
    size = 2000,
    latentDim = 16,
    attributeStd = 0.6,
    nuisanceDim = 16,
    nuisanceStd = 1,
    imageDim = 64,
    textDim = 32,
    noiseStd = 0.1,
    seed = 0,
    worldSeed = 1234,
  } = opts;
  const world = normal(worldSeed);
  const rnd = normal(seed * 7919 + 17);
  const centres = Array.from({ length: classes }, () => {
    const v = Array.from({ length: latentDim }, world);
    const n = Math.hypot(...v);
    return v.map((x) => (x / n) * Math.sqrt(latentDim) * 0.5);
  });
  const inDim = latentDim + nuisanceDim;
  const mixing = (out: number) => Array.from({ length: out * inDim }, () => world() / Math.sqrt(inDim));
  const A = mixing(imageDim);
  const B = mixing(textDim);
  const project = (
    M: number[],
    out: number,
    z: number[],
    dst: Float32Array,
    offset: number,
    noise: number,
  ) => {
    for (let o = 0; o < out; o++) {
      let acc = 0;
      for (let k = 0; k < inDim; k++) acc += M[o * inDim + k] * z[k];
      dst[offset + o] = Math.tanh(acc) + noise * rnd();
    }
  };

  const images = new Float32Array(size * imageDim);
  const texts = new Float32Array(size * textDim);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const c = i % classes;
    labels[i] = c;
    const s = centres[c].map((m) => m + attributeStd * rnd());
    const zImg = [...s, ...Array.from({ length: nuisanceDim }, () => nuisanceStd * rnd())];
    const zTxt = [...s, ...Array.from({ length: nuisanceDim }, () => nuisanceStd * rnd())];
    project(A, imageDim, zImg, images, i * imageDim, noiseStd);
    project(B, textDim, zTxt, texts, i * textDim, noiseStd);
  }
  const prompts = new Float32Array(classes * textDim);
  for (let c = 0; c < classes; c++) {
    project(B, textDim, [...centres[c], ...new Array(nuisanceDim).fill(0)], prompts, c * textDim, 0);
  }
  return {
    images,
    texts,
    labels,
    prompts,
    imageDim,
    textDim,
    classNames: Array.from({ length: classes }, (_, c) => `class ${c}`),
  };
}
