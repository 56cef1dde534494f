import * as tf from '@tensorflow/tfjs-core';

/** A multiple-instance dataset: bags of instances (feature vectors) with one binary label per bag. */
export interface MilDataset {
  name: string;
  /** Features per instance. */
  dim: number;
  /** Bag b: its instances row-major, `[size_b, dim]`. */
  bags: Float32Array[];
  /** Bag labels, 1 = positive, 0 = negative. */
  labels: Int32Array;
  /** Bag ids as they appear in the source file (or generated). */
  bagIds: string[];
  /** Per bag, the instance labels as written in the file (1 = positive); optional. */
  instanceLabels?: Int32Array[];
  /** Per bag, the instance ids as written in the file; optional. */
  instanceIds?: string[][];
}

export const bagSize = (ds: MilDataset, b: number) => ds.bags[b].length / ds.dim;

/** The bags `idx` of `ds` (shared instance arrays, no copy). */
export function subset(ds: MilDataset, idx: ArrayLike<number>): MilDataset {
  const pick = <T>(a: T[]) => Array.from(idx, (i) => a[i]);
  return {
    name: ds.name,
    dim: ds.dim,
    bags: pick(ds.bags),
    labels: Int32Array.from(idx, (i) => ds.labels[i]),
    bagIds: pick(ds.bagIds),
    instanceLabels: ds.instanceLabels && pick(ds.instanceLabels),
    instanceIds: ds.instanceIds && pick(ds.instanceIds),
  };
}

/** Per-feature mean and standard deviation over all instances (for z-scoring with training statistics). */
export function featureStats(ds: MilDataset): { mean: Float32Array; std: Float32Array } {
  const { dim } = ds;
  const sum = new Float64Array(dim);
  const sq = new Float64Array(dim);
  let n = 0;
  for (const bag of ds.bags) {
    for (let i = 0; i < bag.length; i += dim) {
      for (let j = 0; j < dim; j++) {
        sum[j] += bag[i + j];
        sq[j] += bag[i + j] ** 2;
      }
      n++;
    }
  }
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    mean[j] = sum[j] / n;
    const v = sq[j] / n - mean[j] ** 2;
    std[j] = v > 1e-12 ? Math.sqrt(v) : 1; // constant features stay centred, unscaled
  }
  return { mean, std };
}

/** A copy of `ds` with every feature z-scored by the given statistics. */
export function standardize(ds: MilDataset, stats: { mean: Float32Array; std: Float32Array }): MilDataset {
  const { dim } = ds;
  return {
    ...ds,
    bags: ds.bags.map((bag) => {
      const out = new Float32Array(bag.length);
      for (let i = 0; i < bag.length; i++) out[i] = (bag[i] - stats.mean[i % dim]) / stats.std[i % dim];
      return out;
    }),
  };
}

/**
 * The bags `idx` as one zero-padded tensor `[B, S, dim]` (S = the largest bag) and the padding
 * mask `[B, S]` (bool, true = padding: hflayers' `stored_pattern_padding_mask` convention).
 */
export function padBatch(ds: MilDataset, idx: ArrayLike<number>): { x: tf.Tensor3D; mask: tf.Tensor2D } {
  const B = idx.length;
  let S = 1;
  for (let k = 0; k < B; k++) S = Math.max(S, bagSize(ds, idx[k]));
  const x = new Float32Array(B * S * ds.dim);
  const mask = new Uint8Array(B * S).fill(1);
  for (let k = 0; k < B; k++) {
    const bag = ds.bags[idx[k]];
    x.set(bag, k * S * ds.dim);
    mask.fill(0, k * S, k * S + bag.length / ds.dim);
  }
  return { x: tf.tensor3d(x, [B, S, ds.dim]), mask: tf.tensor2d(mask, [B, S], 'bool') };
}
