import { hopfieldRetrieveAsync } from '@paperstack/hopfield-layer';
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
 * (`hopfieldRetrieveAsync` of @paperstack/hopfield-layer: the stopping test and the results are
 * read asynchronously, so this also runs on webgpu in Node) and measures how close the result is
 * to the pattern it was corrupted from.
 */
export async function measureRetrieval(
  stored: Patterns,
  queries: Float32Array,
  targets: ArrayLike<number>,
  opts: RetrievalOptions,
): Promise<RetrievalMeasurement> {
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
      const r = await hopfieldRetrieveAsync(xi, X, {
        beta: opts.beta,
        updateStepsMax: opts.updateStepsMax === undefined ? 0 : opts.updateStepsMax,
        updateStepsEps: opts.updateStepsEps ?? 1e-4,
      });
      updateSteps = Math.max(updateSteps, r.updateSteps);
      const out = (await r.output.data()) as Float32Array;
      retrieved.set(out, start * dim);
      const assoc = (await r.association.data()) as Float32Array;
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
 * or `maxSteps`. Returns the relative errors against the targets. The change test is read
 * asynchronously (one `await` per step).
 */
export async function measureClassicalRetrieval(
  stored: Patterns,
  queries: Float32Array,
  targets: ArrayLike<number>,
  maxSteps = 30,
): Promise<{ relError: Float32Array; steps: number }> {
  const { dim, count } = stored;
  const Q = targets.length;
  let steps = 0;
  const W = tf.tidy(() => {
    const X = tf.tensor2d(stored.data, [count, dim]);
    const full = tf.matMul(X, X, true, false);
    return tf.sub(full, tf.mul(full, tf.eye(dim)));
  });
  let xi: tf.Tensor2D = tf.tidy(() => {
    const s = tf.sign(tf.tensor2d(queries, [Q, dim]));
    // masked (zero) entries start at +1 so that the state is binary
    return tf.where(tf.equal(s, 0), tf.onesLike(s), s);
  });
  try {
    for (; steps < maxSteps; steps++) {
      const prev: tf.Tensor2D = xi;
      const [next, changedT] = tf.tidy(() => {
        const h = tf.matMul(prev, W);
        const n = tf.where(tf.equal(h, 0), prev, tf.sign(h)) as tf.Tensor2D;
        return [n, tf.any(tf.notEqual(n, prev))] as const;
      });
      xi = next;
      prev.dispose();
      const changed = (await changedT.data())[0];
      changedT.dispose();
      if (!changed) break;
    }
  } catch (err) {
    xi.dispose();
    throw err;
  } finally {
    W.dispose();
  }
  const out = (await xi.data()) as Float32Array;
  xi.dispose();
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
