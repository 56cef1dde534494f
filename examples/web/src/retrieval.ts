// The Hopfield retrieval the playground animates, on whichever tfjs backend is active:
// ξᵗ⁺¹ = Xᵀ softmax(β X ξᵗ) (hopfieldUpdate), with the energy E(ξᵗ) (hopfieldEnergy, paper Eq. 2)
// and the association softmax(β X ξᵗ) (associationMatrix) recorded at every step.
import {
  associationMatrix,
  hopfieldEnergy,
  hopfieldRetrieve,
  hopfieldUpdate,
} from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';

export interface RetrievalStep {
  /** 0 is the query. */
  t: number;
  /** ξᵗ, length dim. */
  state: Float32Array;
  /** E(ξᵗ). */
  energy: number;
  /** softmax(β X ξᵗ) over the stored patterns (the weights that give ξᵗ⁺¹). */
  association: Float32Array;
  /** ‖pᵗ − pᵗ⁻¹‖₂ of the association (the reference's stopping quantity); Infinity at t = 0. */
  change: number;
}

export interface RetrievalOptions {
  beta: number;
  /** Update steps after the query (ξ¹ … ξⁿ). */
  maxSteps: number;
  /** Stop once the association changes by at most this (hflayers' `update_steps_eps`). Default 1e-4. */
  eps?: number;
}

/**
 * Runs the retrieval step by step, yielding ξ⁰ (the query) and each update. Stops after `maxSteps`
 * updates or when the association has converged. Leaks no tensors.
 *
 * @param stored N patterns of equal length dim
 * @param query  length dim
 */
export async function* retrieveSteps(
  stored: readonly Float32Array[],
  query: Float32Array,
  opts: RetrievalOptions,
): AsyncGenerator<RetrievalStep> {
  const n = stored.length;
  const dim = query.length;
  if (n === 0) throw new Error('retrieveSteps: store at least one pattern');
  const flat = new Float32Array(n * dim);
  stored.forEach((p, i) => {
    if (p.length !== dim)
      throw new Error(`retrieveSteps: pattern ${i} has ${p.length} values, the query ${dim}`);
    flat.set(p, i * dim);
  });
  const eps = opts.eps ?? 1e-4;
  const X = tf.tensor2d(flat, [n, dim]);
  let xi: tf.Tensor2D = tf.tensor2d(query, [1, dim]);
  let previous: Float32Array | null = null;
  try {
    for (let t = 0; ; t++) {
      const [e, p] = tf.tidy(() => [
        hopfieldEnergy(xi, X, { beta: opts.beta }),
        associationMatrix(xi, X, { beta: opts.beta }),
      ]);
      const [state, energy, association] = await Promise.all([xi.data(), e.data(), p.data()]);
      e.dispose();
      p.dispose();
      const assoc = Float32Array.from(association as Float32Array);
      let change = Number.POSITIVE_INFINITY;
      if (previous !== null) {
        let s = 0;
        for (let i = 0; i < n; i++) s += (assoc[i] - previous[i]) ** 2;
        change = Math.sqrt(s);
      }
      previous = assoc;
      yield {
        t,
        state: Float32Array.from(state as Float32Array),
        energy: energy[0],
        association: assoc,
        change,
      };
      if (t >= opts.maxSteps || change <= eps) return;
      const next = hopfieldUpdate(xi, X, opts.beta) as tf.Tensor2D;
      xi.dispose();
      xi = next;
    }
  } finally {
    xi.dispose();
    X.dispose();
  }
}

/** How a retrieval ended: the stored pattern it converged to and how close it got. */
export interface RetrievalSummary {
  /** Index of the stored pattern with the largest association weight at the last step. */
  match: number;
  /** Its weight. */
  weight: number;
  /** sign(ξ) equals the stored pattern in every pixel. */
  exact: boolean;
  /** max |ξ − x_match|. */
  maxError: number;
  /** Pixels where sign(ξ) differs from x_match. */
  wrongPixels: number;
}

export function summarize(stored: readonly Float32Array[], last: RetrievalStep): RetrievalSummary {
  let match = 0;
  for (let i = 1; i < last.association.length; i++)
    if (last.association[i] > last.association[match]) match = i;
  const x = stored[match];
  let maxError = 0;
  let wrongPixels = 0;
  for (let i = 0; i < x.length; i++) {
    maxError = Math.max(maxError, Math.abs(last.state[i] - x[i]));
    if (Math.sign(last.state[i]) !== Math.sign(x[i])) wrongPixels++;
  }
  return { match, weight: last.association[match], exact: wrongPixels === 0, maxError, wrongPixels };
}

/**
 * The same retrieval iterated inside the library: `hopfieldRetrieve` with `updateStepsMax` further
 * softmax steps and the same stopping threshold. Its output Xᵀ pᵐ is the state after m + 1 updates, so
 * `updateStepsMax = maxSteps − 1` matches the last state of {@link retrieveSteps} (to within what `eps`
 * allows when the stopping rule ends both early).
 */
export async function libraryRetrieve(
  stored: readonly Float32Array[],
  query: Float32Array,
  opts: RetrievalOptions,
): Promise<{ state: Float32Array; updateSteps: number }> {
  const dim = query.length;
  const flat = new Float32Array(stored.length * dim);
  for (let i = 0; i < stored.length; i++) flat.set(stored[i], i * dim);
  const X = tf.tensor2d(flat, [stored.length, dim]);
  const q = tf.tensor2d(query, [1, dim]);
  try {
    const r = hopfieldRetrieve(q, X, {
      beta: opts.beta,
      updateStepsMax: Math.max(0, opts.maxSteps - 1),
      updateStepsEps: opts.eps ?? 1e-4,
    });
    const state = Float32Array.from((await r.output.data()) as Float32Array);
    r.output.dispose();
    r.association.dispose();
    return { state, updateSteps: r.updateSteps };
  } finally {
    X.dispose();
    q.dispose();
  }
}
