/**
 * A paired two-modality dataset: row i of `images` belongs with row i of `texts`. `labels` are the
 * latent classes, used only for evaluation; `prompts` are one text-modality input per class (the
 * zero-shot "a photo of a {class}" of CLIP/CLOOB).
 */
export interface PairedDataset {
  /** `[n, imageDim]` row-major. */
  images: Float32Array;
  /** `[n, textDim]` row-major. */
  texts: Float32Array;
  /** `[n]` class of each pair. */
  labels: Int32Array;
  /**
   * `[classes · promptsPerClass, textDim]` row-major, class-major: the class prompts. With several
   * prompts per class, zero-shot evaluation averages their normalized embeddings and re-normalizes
   * (the prompt ensemble of CLIP and ml-jku/cloob `zero_shot.py`).
   */
  prompts: Float32Array;
  /** Prompts per class in `prompts`. Default 1. */
  promptsPerClass?: number;
  imageDim: number;
  textDim: number;
  classNames: string[];
}

export function size(d: PairedDataset): number {
  return d.labels.length;
}

/** Rows `index` of a dataset (prompts and names kept). */
export function subset(d: PairedDataset, index: ArrayLike<number>): PairedDataset {
  const n = index.length;
  const images = new Float32Array(n * d.imageDim);
  const texts = new Float32Array(n * d.textDim);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = index[r];
    images.set(d.images.subarray(i * d.imageDim, (i + 1) * d.imageDim), r * d.imageDim);
    texts.set(d.texts.subarray(i * d.textDim, (i + 1) * d.textDim), r * d.textDim);
    labels[r] = d.labels[i];
  }
  return { ...d, images, texts, labels };
}
