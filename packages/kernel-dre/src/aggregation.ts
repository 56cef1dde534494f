/**
 * IWA — importance-weighted aggregation (Dinu et al., ICLR 2023, "Addressing Parameter Choice
 * Issues in Unsupervised Domain Adaptation by Aggregation", Sec. 3; reference Xpitfire/iwa and
 * lugruber/dre_iter_reg `approaches/aggregation.py`).
 *
 * Given l models' class-probability outputs on labelled source points (x_i, y_i), i = 1..n, with
 * importance weights w_i ≈ p_target(x_i)/p_source(x_i), and on unlabelled target points x̃_j, the
 * aggregation weights c solve the importance-weighted least-squares normal equations
 *
 *   G c = F,  G_pq = 1/m Σ_j ⟨f_p(x̃_j), f_q(x̃_j)⟩,  F_k = 1/n Σ_i w_i ⟨f_k(x_i), onehot(y_i)⟩,
 *
 * with the pseudo-inverse of G at relative cutoff `rcond` (numpy `pinv` semantics); the ensemble
 * is f = Σ_k c_k f_k and its prediction argmax_c f.
 */
import { DREInputError, describe, positive } from './errors';
import { pinv } from './linalg';

/** Per-model predictions [models][points][classes] (e.g. softmax outputs). */
export type ModelPredictions = ArrayLike<ArrayLike<ArrayLike<number>>>;

/** Options of {@link aggregate}. */
export interface AggregateOptions {
  /** Relative singular-value cutoff of the pseudo-inverse of G. Default 1e-2 (the reference default). */
  rcond?: number;
}

/** The IWA solution of {@link aggregate} with the quantities it was solved from (float64, row-major). */
export interface AggregationResult {
  /** [models] aggregation weights c. */
  weights: Float64Array;
  /** [models, models] target Gram matrix G (row-major). */
  G: Float64Array;
  /** [models] importance-weighted source correlations F. */
  F: Float64Array;
  /** Singular values of G (descending) and how many were kept. */
  singularValues: Float64Array;
  /** Number of singular values of G above `rcond`·max, i.e. kept in the pseudo-inverse. */
  rank: number;
}

function check3(
  name: string,
  p: ModelPredictions,
  l?: number,
  c?: number,
): { l: number; n: number; c: number } {
  if (!p || typeof p.length !== 'number' || p.length === 0) {
    throw new DREInputError(name, 'predictions [models][points][classes]', describe(p));
  }
  if (l !== undefined && p.length !== l) throw new DREInputError(name, `${l} models`, `${p.length} models`);
  const n = p[0].length;
  if (!(n >= 1)) throw new DREInputError(`${name}[0]`, 'at least one point', `${n} points`);
  const cls = p[0][0].length;
  if (c !== undefined && cls !== c)
    throw new DREInputError(`${name}[0][0]`, `${c} classes`, `${cls} classes`);
  for (let k = 0; k < p.length; k++) {
    if (p[k].length !== n)
      throw new DREInputError(`${name}[${k}]`, `${n} points (as model 0)`, `${p[k].length} points`);
    for (let i = 0; i < n; i++) {
      const row = p[k][i];
      if (row.length !== cls)
        throw new DREInputError(`${name}[${k}][${i}]`, `${cls} classes`, `${row.length} classes`);
      for (let j = 0; j < cls; j++) {
        if (!Number.isFinite(row[j]))
          throw new DREInputError(`${name}[${k}][${i}]`, 'finite values', String(row[j]));
      }
    }
  }
  return { l: p.length, n, c: cls };
}

/**
 * IWA aggregation weights from source predictions [l][n][c] with labels [n] (class indices) and
 * importance weights [n], and target predictions [l][m][c].
 */
export function aggregate(
  source: { predictions: ModelPredictions; labels: ArrayLike<number>; weights: ArrayLike<number> },
  target: ModelPredictions,
  options: AggregateOptions = {},
): AggregationResult {
  const rcond = positive('options.rcond', options.rcond ?? 1e-2);
  const { l, n, c } = check3('source.predictions', source.predictions);
  const { n: m } = check3('target', target, l, c);
  if (source.labels.length !== n) {
    throw new DREInputError('source.labels', `${n} labels`, `${source.labels.length}`);
  }
  if (source.weights.length !== n) {
    throw new DREInputError('source.weights', `${n} weights`, `${source.weights.length}`);
  }
  for (let i = 0; i < n; i++) {
    const y = source.labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= c) {
      throw new DREInputError(`source.labels[${i}]`, `a class index in [0, ${c})`, String(y));
    }
    const w = source.weights[i];
    if (!Number.isFinite(w) || w < 0)
      throw new DREInputError(`source.weights[${i}]`, 'a finite weight ≥ 0', String(w));
  }
  const G = new Float64Array(l * l);
  for (let p = 0; p < l; p++) {
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let j = 0; j < m; j++) {
        const a = target[p][j];
        const b = target[q][j];
        for (let k = 0; k < c; k++) s += a[k] * b[k];
      }
      G[p * l + q] = s / m;
      G[q * l + p] = s / m;
    }
  }
  const F = new Float64Array(l);
  for (let k = 0; k < l; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += source.weights[i] * source.predictions[k][i][source.labels[i]];
    F[k] = s / n;
  }
  const { inverse, singularValues, rank } = pinv(G, l, l, rcond);
  const weights = new Float64Array(l);
  for (let p = 0; p < l; p++) {
    let s = 0;
    for (let q = 0; q < l; q++) s += inverse[p * l + q] * F[q];
    weights[p] = s;
  }
  return { weights, G, F, singularValues, rank };
}

/** The aggregated scores Σ_k c_k f_k(x) [points][classes] and their argmax classes [points]. */
export function ensemblePredict(
  predictions: ModelPredictions,
  weights: ArrayLike<number>,
): { scores: Float64Array[]; classes: Int32Array } {
  const { l, n, c } = check3('predictions', predictions);
  if (weights.length !== l)
    throw new DREInputError('weights', `${l} weights (one per model)`, `${weights.length}`);
  const scores: Float64Array[] = [];
  const classes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = new Float64Array(c);
    for (let k = 0; k < l; k++) {
      const row = predictions[k][i];
      for (let j = 0; j < c; j++) s[j] += weights[k] * row[j];
    }
    let best = 0;
    for (let j = 1; j < c; j++) if (s[j] > s[best]) best = j;
    scores.push(s);
    classes[i] = best;
  }
  return { scores, classes };
}
