import { hopfieldRetrieval } from '@paperstack/infoloob';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { type PairedDataset, size } from './data/paired';
import { embed } from './model';

export interface Diagnostics {
  /** Zero-shot top-1 accuracy: each image is given the class whose prompt embedding is closest. */
  zeroShotAccuracy: number;
  /** Wang & Isola (2020) alignment: mean ‖f(x_i) − g(y_i)‖² over the pairs (lower = better aligned). */
  alignment: number;
  /** Wang & Isola uniformity of the image embeddings: log mean_{i≠j} exp(−2‖f(x_i) − f(x_j)‖²) (lower = more uniform). */
  uniformityImage: number;
  /** Same for the text embeddings. */
  uniformityText: number;
  /**
   * Effective rank exp(H(λ/Σλ)) of the covariance of the image embeddings (Roy & Vetterli 2007):
   * how many directions the embedding really uses.
   */
  effectiveRank: number;
  /**
   * Effective rank of the same embeddings after one Hopfield retrieval from a memory of
   * `memorySize` of them (β as in training): CLOOB paper §3 argues that retrieval amplifies the
   * covariance structure, i.e. concentrates variance on fewer, shared directions.
   */
  effectiveRankRetrieved: number;
}

/** Eigenvalue entropy rank of the covariance of the rows of `x` `[n, d]`. */
export function effectiveRank(x: tf.Tensor2D): number {
  const cov = tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, 0, true));
    return tf.div(tf.matMul(centred, centred, true, false), x.shape[0] - 1).arraySync() as number[][];
  });
  const eig = new EigenvalueDecomposition(new Matrix(cov), { assumeSymmetric: true }).realEigenvalues.map(
    (v) => Math.max(v, 0),
  );
  const total = eig.reduce((a, b) => a + b, 0);
  const entropy = eig.reduce((h, v) => (v > 0 ? h - (v / total) * Math.log(v / total) : h), 0);
  return Math.exp(entropy);
}

function uniformity(z: tf.Tensor2D): number {
  return tf.tidy(() => {
    const n = z.shape[0];
    const sq = tf.sub(2, tf.mul(2, tf.matMul(z, z, false, true))); // ‖a−b‖² of unit vectors
    const off = tf.sub(tf.ones([n, n]), tf.eye(n));
    const mean = tf.div(tf.sum(tf.mul(tf.exp(tf.mul(sq, -2)), off)), n * (n - 1));
    return tf.log(mean).dataSync()[0];
  });
}

/**
 * One embedding per class from `perClass` normalized prompt embeddings each (rows class-major):
 * their mean, re-normalized (ml-jku/cloob `zero_shot.py`'s prompt ensemble).
 */
export function classEmbeddings(prompts: tf.Tensor2D, classes: number, perClass: number): tf.Tensor2D {
  if (perClass === 1) return prompts;
  return tf.tidy(() => {
    const m = tf.mean(tf.reshape(prompts, [classes, perClass, -1]), 1) as tf.Tensor2D;
    return tf.div(m, tf.add(tf.norm(m, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
  });
}

/** Measures the paper's diagnostics on held-out pairs. */
export function diagnose(
  models: { imageEncoder: tfl.LayersModel; textEncoder: tfl.LayersModel },
  test: PairedDataset,
  opts: { hopfieldBeta?: number; memorySize?: number } = {},
): Diagnostics {
  const { hopfieldBeta = 8, memorySize = 256 } = opts;
  const n = size(test);
  return tf.tidy(() => {
    const x = embed(models.imageEncoder, tf.tensor2d(test.images, [n, test.imageDim]));
    const y = embed(models.textEncoder, tf.tensor2d(test.texts, [n, test.textDim]));
    const classes = test.classNames.length;
    const perClass = test.promptsPerClass ?? 1;
    const prompts = classEmbeddings(
      embed(models.textEncoder, tf.tensor2d(test.prompts, [classes * perClass, test.textDim])),
      classes,
      perClass,
    );
    const predicted = tf.argMax(tf.matMul(x, prompts, false, true), 1);
    const correct = tf.sum(tf.cast(tf.equal(predicted, tf.tensor1d(test.labels, 'int32')), 'float32'));
    const alignment = tf.mean(tf.sum(tf.square(tf.sub(x, y)), 1));
    const m = Math.min(memorySize, n);
    const sample = tf.slice(x, [0, 0], [m, -1]) as tf.Tensor2D;
    return {
      zeroShotAccuracy: correct.dataSync()[0] / n,
      alignment: alignment.dataSync()[0],
      uniformityImage: uniformity(x),
      uniformityText: uniformity(y),
      effectiveRank: effectiveRank(sample),
      effectiveRankRetrieved: effectiveRank(hopfieldRetrieval(sample, sample, hopfieldBeta)),
    };
  });
}
