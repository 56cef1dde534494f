/**
 * The evaluation: weighted k-NN classification of features, as solo-learn's
 * `WeightedKNNClassifier` (`solo/utils/knn.py`: cosine similarity, k = 20, votes exp(s / T) with
 * T = 0.07); MAE-CT's `metrics/functional/knn.py` weights its votes the same way.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link knnAccuracy}. */
export interface KnnOptions {
  /** Neighbours that vote. Default 20 (solo-learn). */
  k?: number;
  /** Vote temperature T: a neighbour with cosine s votes exp(s / T). Default 0.07 (solo-learn). */
  temperature?: number;
  /** Number of classes (labels are `0..classes-1`). Default: the largest label + 1. */
  classes?: number;
}

/**
 * Accuracy in % of a weighted k-NN classifier whose memory is `featTrain` `[n, d]` with labels
 * `yTrain`, on `featTest` `[m, d]` with labels `yTest`. Leaves no tensors behind; the inputs stay
 * the caller's.
 */
export function knnAccuracy(
  featTrain: tf.Tensor2D,
  yTrain: ArrayLike<number>,
  featTest: tf.Tensor2D,
  yTest: ArrayLike<number>,
  options: KnnOptions = {},
): number {
  const { k = 20, temperature = 0.07 } = options;
  const [n, d] = featTrain.shape;
  if (featTest.shape[1] !== d)
    throw new RangeError(
      `knnAccuracy: featTest must have ${d} columns like featTrain, received [${featTest.shape}]`,
    );
  if (yTrain.length !== n || yTest.length !== featTest.shape[0])
    throw new RangeError(
      `knnAccuracy: expected ${n} train and ${featTest.shape[0]} test labels, received ${yTrain.length} and ${yTest.length}`,
    );
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new RangeError(`knnAccuracy: options.k must be an integer in [1, ${n}], received ${k}`);
  const classes = options.classes ?? Math.max(...Array.from(yTrain)) + 1;
  const { values, indices } = tf.tidy(() => {
    const a = tf.div(featTest, tf.norm(featTest, 'euclidean', 1, true));
    const b = tf.div(featTrain, tf.norm(featTrain, 'euclidean', 1, true));
    const top = tf.topk(tf.matMul(a, b, false, true), k);
    return { values: top.values.dataSync(), indices: top.indices.dataSync() };
  });
  let hit = 0;
  const votes = new Float64Array(classes);
  for (let i = 0; i < yTest.length; i++) {
    votes.fill(0);
    for (let j = 0; j < k; j++)
      votes[yTrain[indices[i * k + j]]] += Math.exp(values[i * k + j] / temperature);
    let best = 0;
    for (let c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
    if (best === yTest[i]) hit++;
  }
  return (100 * hit) / yTest.length;
}
