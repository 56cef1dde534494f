import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError } from './errors';
import { seededRandom } from './random';
import { type Pooling, pool, type VisionTransformer } from './vit';

/** Features of a dataset, row-major `[n, dim]`. */
export interface Features {
  data: Float32Array;
  n: number;
  dim: number;
}

/** Pooled encoder features of `images` `[n, H, W, C]` (no masking), computed in batches. */
export function extractFeatures(
  encoder: VisionTransformer,
  images: tf.Tensor4D,
  opts: { pooling?: Pooling; batchSize?: number } = {},
): Features {
  const { pooling = 'meanPatch', batchSize = 256 } = opts;
  const n = images.shape[0];
  const dim = encoder.config.embedDim;
  const data = new Float32Array(n * dim);
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    const f = tf.tidy(() => pool(encoder.encode(tf.slice(images, [s, 0, 0, 0], [m, -1, -1, -1])), pooling));
    data.set(f.dataSync() as Float32Array, s * dim);
    f.dispose();
  }
  return { data, n, dim };
}

function checkLabels(name: string, labels: ArrayLike<number>, n: number): void {
  if (labels.length !== n)
    throw new MaectInputError(name, `${n} labels (one per feature row)`, `${labels.length}`);
}

function numClassesOf(...ls: ArrayLike<number>[]): number {
  let m = 0;
  for (const l of ls) for (let i = 0; i < l.length; i++) m = Math.max(m, l[i]);
  return m + 1;
}

/** Options of {@link knnAccuracy}. */
export interface KnnOptions {
  /** Neighbours. Default 10 (ml-jku/MAE-CT `eval_knn.py`). */
  k?: number;
  /** Vote weight exp(sim / T). Default 0.07 (DINO / MAE-CT `metrics/functional/knn.py`). */
  temperature?: number;
  /** Query rows per matMul. Default 512. */
  batchSize?: number;
}

/**
 * k-NN classification accuracy on L2-normalized features: each test row votes with its k most
 * cosine-similar train rows, weighted by exp(sim/T) (Wu et al. 2018, as DINO and MAE-CT evaluate).
 */
export function knnAccuracy(
  train: Features,
  trainLabels: ArrayLike<number>,
  test: Features,
  testLabels: ArrayLike<number>,
  opts: KnnOptions = {},
): number {
  const { k = 10, temperature = 0.07, batchSize = 512 } = opts;
  checkLabels('trainLabels', trainLabels, train.n);
  checkLabels('testLabels', testLabels, test.n);
  if (train.dim !== test.dim) throw new MaectInputError('test', `dim ${train.dim}`, `dim ${test.dim}`);
  if (!Number.isInteger(k) || k < 1 || k > train.n)
    throw new MaectInputError('k', `an integer in [1, ${train.n}]`, String(k));
  const classes = numClassesOf(trainLabels, testLabels);
  const bank = tf.tidy(() => l2norm(tf.tensor2d(train.data, [train.n, train.dim])));
  let correct = 0;
  for (let s = 0; s < test.n; s += batchSize) {
    const m = Math.min(batchSize, test.n - s);
    const { values, indices } = tf.tidy(() => {
      const q = l2norm(tf.tensor2d(test.data.subarray(s * test.dim, (s + m) * test.dim), [m, test.dim]));
      return tf.topk(tf.matMul(q, bank, false, true), k);
    });
    const v = values.dataSync();
    const idx = indices.dataSync();
    tf.dispose([values, indices]);
    const votes = new Float64Array(classes);
    for (let i = 0; i < m; i++) {
      votes.fill(0);
      for (let j = 0; j < k; j++) votes[trainLabels[idx[i * k + j]]] += Math.exp(v[i * k + j] / temperature);
      let best = 0;
      for (let c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
      if (best === testLabels[s + i]) correct++;
    }
  }
  bank.dispose();
  return correct / test.n;
}

function l2norm(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
}

/** Options of {@link linearProbeAccuracy}. */
export interface LinearProbeOptions {
  /** Passes over the training features. Default 50 (MAE-CT `yamls/probe.yaml`). */
  epochs?: number;
  /** Peak SGD lr (momentum 0.9, wd 0, 10% warmup then cosine). Default 0.1. */
  lr?: number;
  /** Rows per SGD step. Default 256. */
  batchSize?: number;
  /** Seed of init and shuffling. Default 0. */
  seed?: number;
}

/**
 * Linear probing (MAE §A.2 / MAE-CT `models/heads/linear_head.py`): frozen features, a BatchNorm
 * without affine parameters, a linear classifier trained with SGD. The BN statistics are the train
 * set's (what BN's running statistics converge to), applied to train and test alike.
 * @returns test accuracy
 */
export function linearProbeAccuracy(
  train: Features,
  trainLabels: ArrayLike<number>,
  test: Features,
  testLabels: ArrayLike<number>,
  opts: LinearProbeOptions = {},
): number {
  const { epochs = 50, lr = 0.1, batchSize = 256, seed = 0 } = opts;
  checkLabels('trainLabels', trainLabels, train.n);
  checkLabels('testLabels', testLabels, test.n);
  const classes = numClassesOf(trainLabels, testLabels);
  const d = train.dim;
  const rand = seededRandom(seed);
  const [xTrain, xTest] = tf.tidy(() => {
    const a = tf.tensor2d(train.data, [train.n, d]);
    const b = tf.tensor2d(test.data, [test.n, d]);
    const { mean, variance } = tf.moments(a, 0);
    const sd = tf.sqrt(tf.add(variance, 1e-6));
    return [tf.div(tf.sub(a, mean), sd), tf.div(tf.sub(b, mean), sd)];
  });
  const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(trainLabels), 'int32'), classes));
  // trunc-normal(std 0.01) init, zero bias (MAE-CT LinearHead).
  const init = (t: tf.Tensor) => {
    const v = tf.variable(t);
    t.dispose();
    return v;
  };
  // tfjs's normal generators treat a seed of 0 as "no seed" (tfjs-core rand_util.ts): map it to a fixed value.
  const normalSeed = seed === 0 ? 0x9e3779b9 : seed;
  const w = init(tf.tidy(() => tf.mul(tf.truncatedNormal([d, classes], 0, 1, 'float32', normalSeed), 0.01)));
  const bias = init(tf.zeros([classes]));
  const mom = [init(tf.zeros([d, classes])), init(tf.zeros([classes]))];
  const steps = epochs * Math.ceil(train.n / batchSize);
  let step = 0;
  const order = Array.from({ length: train.n }, (_, i) => i);
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s < train.n; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const warm = Math.max(1, Math.round(steps * 0.1));
      const f =
        step < warm ? (step + 1) / warm : 0.5 * (1 + Math.cos((Math.PI * (step - warm)) / (steps - warm)));
      step++;
      tf.tidy(() => {
        const ids = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(xTrain, ids);
        const yb = tf.gather(yTrain, ids);
        const { grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(yb, tf.add(tf.matMul(xb, w), bias)) as tf.Scalar,
          [w, bias],
        );
        [w, bias].forEach((v, vi) => {
          mom[vi].assign(tf.add(tf.mul(mom[vi], 0.9), grads[v.name]));
          v.assign(tf.sub(v, tf.mul(mom[vi], lr * f)));
        });
      });
    }
  }
  const pred = tf.tidy(() => tf.argMax(tf.add(tf.matMul(xTest, w), bias), 1));
  const p = pred.dataSync();
  let correct = 0;
  for (let i = 0; i < test.n; i++) if (p[i] === testLabels[i]) correct++;
  tf.dispose([xTrain, xTest, yTrain, w, bias, ...mom, pred]);
  return correct / test.n;
}

/**
 * Indices of a class-balanced labelled subset with `fraction` of each class (at least one per
 * class), for low-shot evaluation (MAE-CT's 1% / 10% ImageNet splits are fixed files; here seeded).
 */
export function lowShotIndices(labels: ArrayLike<number>, fraction: number, seed = 0): number[] {
  if (!(fraction > 0 && fraction <= 1))
    throw new MaectInputError('fraction', 'a number in (0, 1]', String(fraction));
  const rand = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const out: number[] = [];
  for (const idx of [...byClass.keys()].sort((a, b) => a - b).map((c) => byClass.get(c)!)) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    out.push(...idx.slice(0, Math.max(1, Math.round(idx.length * fraction))));
  }
  return out.sort((a, b) => a - b);
}

/** Rows `indices` of `f`. */
export function subsetFeatures(f: Features, indices: ArrayLike<number>): Features {
  const data = new Float32Array(indices.length * f.dim);
  for (let i = 0; i < indices.length; i++)
    data.set(f.data.subarray(indices[i] * f.dim, (indices[i] + 1) * f.dim), i * f.dim);
  return { data, n: indices.length, dim: f.dim };
}

/**
 * Normalized mutual information of two labelings, `I(a;b) / mean(H(a), H(b))` (arithmetic mean,
 * scikit-learn's default `normalized_mutual_info_score`).
 */
export function normalizedMutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLabels('b', b, a.length);
  const n = a.length;
  const joint = new Map<string, number>();
  const ca = new Map<number, number>();
  const cb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  const h = (m: Map<number, number>) => -[...m.values()].reduce((s, c) => s + (c / n) * Math.log(c / n), 0);
  let mi = 0;
  for (const [key, c] of joint) {
    const [x, y] = key.split(',').map(Number);
    mi += (c / n) * Math.log((c * n) / (ca.get(x)! * cb.get(y)!));
  }
  const ha = h(ca);
  const hb = h(cb);
  if (ha === 0 && hb === 0) return 1;
  return mi / ((ha + hb) / 2);
}

/**
 * Clustering accuracy: the share of samples whose cluster maps to their class under the best
 * one-to-one mapping (Hungarian matching; `linear-sum-assignment`, mljs, Jonker-Volgenant).
 */
export async function clusteringAccuracy(
  clusters: ArrayLike<number>,
  labels: ArrayLike<number>,
): Promise<number> {
  checkLabels('labels', labels, clusters.length);
  const { linearSumAssignment } = await import('linear-sum-assignment');
  const k = Math.max(numClassesOf(clusters), numClassesOf(labels));
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < clusters.length; i++) counts[clusters[i]][labels[i]]++;
  const { rowAssignments } = linearSumAssignment(counts, { maximaze: true });
  let hit = 0;
  for (let c = 0; c < k; c++) if (rowAssignments[c] >= 0) hit += counts[c][rowAssignments[c]];
  return hit / clusters.length;
}

/** Result of {@link kmeansClustering}. */
export interface ClusteringResult {
  /** Hungarian-matched accuracy. */
  accuracy: number;
  /** Normalized mutual information. */
  nmi: number;
  /** Cluster id per sample. */
  clusters: number[];
}

/**
 * k-means (`ml-kmeans`, mljs; k-means++ init, seeded) on L2-normalized features with as many
 * clusters as classes, scored by {@link clusteringAccuracy} and {@link normalizedMutualInformation}.
 */
export async function kmeansClustering(
  f: Features,
  labels: ArrayLike<number>,
  opts: { k?: number; seed?: number; maxIterations?: number } = {},
): Promise<ClusteringResult> {
  checkLabels('labels', labels, f.n);
  const { kmeans } = await import('ml-kmeans');
  const k = opts.k ?? numClassesOf(labels);
  const rows: number[][] = [];
  for (let i = 0; i < f.n; i++) {
    const r = Array.from(f.data.subarray(i * f.dim, (i + 1) * f.dim));
    const norm = Math.hypot(...r) || 1;
    rows.push(r.map((v) => v / norm));
  }
  const res = kmeans(rows, k, {
    seed: opts.seed ?? 0,
    initialization: 'kmeans++',
    maxIterations: opts.maxIterations ?? 300,
  });
  return {
    accuracy: await clusteringAccuracy(res.clusters, labels),
    nmi: normalizedMutualInformation(res.clusters, labels),
    clusters: res.clusters,
  };
}
