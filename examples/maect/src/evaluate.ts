import {
  extractFeatures,
  kmeansClustering,
  knnAccuracy,
  linearProbeAccuracy,
  lowShotIndices,
  subsetFeatures,
  type VisionTransformer,
} from '@paperstack/maect';
import type { ImageSplit } from './data';

/** The encoders compared, in order: the ViT before pre-training, after MAE, after MAE-CT. */
export const ENCODERS = ['random init', 'MAE', 'MAE-CT'] as const;
/** One of {@link ENCODERS}. */
export type EncoderName = (typeof ENCODERS)[number];

/** The evaluation of one encoder; accuracies and NMI as fractions in [0, 1]. */
export interface EncoderMetrics {
  name: EncoderName;
  /** k-NN accuracy (k 10, cosine, votes exp(sim / 0.07)). */
  knn: number;
  /** Linear probe on all train labels. */
  linear: number;
  /** Linear probe on a class-balanced 1% of the train labels. */
  low1: number;
  /** Linear probe on 10% of the train labels. */
  low10: number;
  /** k-means (10 clusters) accuracy under Hungarian matching, on the test split. */
  clusterAcc: number;
  /** Normalized mutual information of the k-means clusters and the labels. */
  nmi: number;
}

/** The metric keys of {@link EncoderMetrics} with their table labels, in table order. */
export const METRICS = [
  ['knn', 'k-NN (k 10)'],
  ['linear', 'linear probe'],
  ['low10', '10% labels'],
  ['low1', '1% labels'],
  ['clusterAcc', 'k-means ACC'],
  ['nmi', 'k-means NMI'],
] as const satisfies readonly (readonly [keyof EncoderMetrics, string])[];

/** A metric key of {@link EncoderMetrics}. */
export type MetricKey = (typeof METRICS)[number][0];

/** Linear-probe recipe: MAE-CT `yamls/probe.yaml` epochs, SGD peak lr 0.1. */
const PROBE = { epochs: 50, lr: 0.1 };

/**
 * MAE-CT's evaluation protocols (§4, Table 1–3) on mean-pooled patch tokens (MAE-CT's ViT-B
 * pooling): k-NN and linear probe fit on the train split and scored on the test split, low-shot
 * probes on 1% / 10% of the train labels, k-means on the test split.
 * @param onStep called after each of the 5 protocols
 */
export async function evaluateEncoder(
  name: EncoderName,
  encoder: VisionTransformer,
  data: ImageSplit,
  seed: number,
  onStep?: (step: number, total: number) => void,
): Promise<EncoderMetrics> {
  const { train, test } = data;
  const ftr = extractFeatures(encoder, train.x, { pooling: 'meanPatch' });
  const fte = extractFeatures(encoder, test.x, { pooling: 'meanPatch' });
  const knn = knnAccuracy(ftr, train.labels, fte, test.labels, { k: 10, temperature: 0.07 });
  onStep?.(1, 5);
  const linear = linearProbeAccuracy(ftr, train.labels, fte, test.labels, { ...PROBE, seed });
  onStep?.(2, 5);
  const lowShot = (fraction: number) => {
    const idx = lowShotIndices(train.labels, fraction, seed);
    return linearProbeAccuracy(
      subsetFeatures(ftr, idx),
      idx.map((i) => train.labels[i]),
      fte,
      test.labels,
      { ...PROBE, seed, batchSize: Math.min(256, idx.length) },
    );
  };
  const low1 = lowShot(0.01);
  onStep?.(3, 5);
  const low10 = lowShot(0.1);
  onStep?.(4, 5);
  const km = await kmeansClustering(fte, test.labels, { seed });
  onStep?.(5, 5);
  return { name, knn, linear, low1, low10, clusterAcc: km.accuracy, nmi: km.nmi };
}
