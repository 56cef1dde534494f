import { hopfieldRetrieve } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';
import { patternsForMassRows } from '../analysis/mass';
import type { Patterns } from './patterns';

export interface RetrievalOptions {
  /** β, the inverse temperature of the update ξ ← Xᵀ softmax(β X ξ). */
  beta: number;
  /** Update steps after the first (0 = one update, the paper's one-step retrieval; null = until converged). */
  updateStepsMax?: number | null;
  /** Stopping threshold on the change of the association matrix (hflayers' rule). Default 1e-4. */
  updateStepsEps?: number;
  /** Also compute the patterns k holding 90% of the softmax mass per query. Default false. */
  mass?: boolean;
  /** Entries of the association matrix held at once (queries are chunked). Default 2²². */
  chunkEntries?: number;
}

export interface RetrievalMeasurement {
  /** ‖ξ_new − x_target‖ / ‖x_target‖ per query. */
  relError: Float32Array;
  /** Softmax weight of the target pattern per query (after the last update). */
  targetWeight: Float32Array;
  /** Patterns holding 90% of the mass per query (when `mass`). */
  k90?: Int32Array;
  /** Association rows `[queries, numStored]` (only when `mass`; for further analysis). */
  association?: Float32Array;
  /** The retrieved states `[queries, dim]`. */
  retrieved: Float32Array;
  /** Largest number of update steps run after the first (over chunks). */
  updateSteps: number;
}

/**
 * Retrieves each query from the stored patterns with the modern Hopfield update
 * (`hopfieldRetrieve` of @paperstack/hopfield-layer) and measures how close the result is to the
 * pattern it was corrupted from.
 */
export function measureRetrieval(
  stored: Patterns,
  queries: Float32Array,
  targets: ArrayLike<number>,
  opts: RetrievalOptions,
): RetrievalMeasurement {
  const { dim, count } = stored;
  const Q = targets.length;
  if (queries.length !== Q * dim) {
    throw new Error(`measureRetrieval: expected ${Q}×${dim} query values, received ${queries.length}`);
  }
  const chunk = Math.max(1, Math.floor((opts.chunkEntries ?? 2 ** 22) / count));
  const relError = new Float32Array(Q);
  const targetWeight = new Float32Array(Q);
  const retrieved = new Float32Array(Q * dim);
  const association = opts.mass ? new Float32Array(Q * count) : undefined;
  let updateSteps = 0;
  const X = tf.tensor2d(stored.data, [count, dim]);
  try {
    for (let start = 0; start < Q; start += chunk) {
      const end = Math.min(Q, start + chunk);
      const xi = tf.tensor2d(queries.subarray(start * dim, end * dim), [end - start, dim]);
      const r = hopfieldRetrieve(xi, X, {
        beta: opts.beta,
        updateStepsMax: opts.updateStepsMax === undefined ? 0 : opts.updateStepsMax,
        updateStepsEps: opts.updateStepsEps ?? 1e-4,
      });
      updateSteps = Math.max(updateSteps, r.updateSteps);
      const out = r.output.dataSync() as Float32Array;
      retrieved.set(out, start * dim);
      const assoc = r.association.dataSync() as Float32Array;
      if (association) association.set(assoc, start * count);
      for (let q = start; q < end; q++) {
        const t = targets[q];
        targetWeight[q] = assoc[(q - start) * count + t];
        let num = 0;
        let den = 0;
        for (let j = 0; j < dim; j++) {
          const x = stored.data[t * dim + j];
          const d = out[(q - start) * dim + j] - x;
          num += d * d;
          den += x * x;
        }
        relError[q] = Math.sqrt(num / Math.max(den, 1e-12));
      }
      tf.dispose([xi, r.output, r.association]);
    }
  } finally {
    X.dispose();
  }
  const k90 = association ? patternsForMassRows(association, count, 0.9) : undefined;
  return { relError, targetWeight, k90, association, retrieved, updateSteps };
}

/**
 * The classical (binary) Hopfield network as the baseline: Hebbian weights W = Σᵢ xᵢxᵢᵀ with zero
 * diagonal, synchronous updates ξ ← sign(Wξ) (a zero field keeps the old sign) until nothing changes
 * or `maxSteps`. Returns the relative errors against the targets.
 */
export function measureClassicalRetrieval(
  stored: Patterns,
  queries: Float32Array,
  targets: ArrayLike<number>,
  maxSteps = 30,
): { relError: Float32Array; steps: number } {
  const { dim, count } = stored;
  const Q = targets.length;
  let steps = 0;
  const final = tf.tidy(() => {
    const X = tf.tensor2d(stored.data, [count, dim]);
    const full = tf.matMul(X, X, true, false);
    const W = tf.sub(full, tf.mul(full, tf.eye(dim)));
    let xi: tf.Tensor2D = tf.sign(tf.tensor2d(queries, [Q, dim]));
    // masked (zero) entries start at +1 so that the state is binary
    xi = tf.where(tf.equal(xi, 0), tf.onesLike(xi), xi);
    for (; steps < maxSteps; steps++) {
      const h = tf.matMul(xi, W);
      const next = tf.where(tf.equal(h, 0), xi, tf.sign(h)) as tf.Tensor2D;
      const changed = tf.any(tf.notEqual(next, xi)).dataSync()[0];
      xi = next;
      if (!changed) break;
    }
    return xi;
  });
  const out = final.dataSync() as Float32Array;
  final.dispose();
  const relError = new Float32Array(Q);
  for (let q = 0; q < Q; q++) {
    let num = 0;
    let den = 0;
    for (let j = 0; j < dim; j++) {
      const x = stored.data[targets[q] * dim + j];
      num += (out[q * dim + j] - x) ** 2;
      den += x * x;
    }
    relError[q] = Math.sqrt(num / den);
  }
  return { relError, steps };
}
