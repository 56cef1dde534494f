/**
 * The energy of the modern (continuous) Hopfield network, Ramsauer et al. (ICLR 2021), Eq. 2:
 *
 *   E(ξ) = −lse(β, Xᵀξ) + ½ ξᵀξ + β⁻¹ log N + ½ M²,   lse(β, z) = β⁻¹ log Σ_i exp(β z_i),
 *
 * with N stored patterns x_i (rows of `stored` here), M = max_i ‖x_i‖. The update of
 * `retrieval.ts` is the CCCP step that never increases E (paper §2, Thm 1).
 * Everything is computed with a max-shifted log-sum-exp, so large β and long memories stay finite.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveFinite, fmtShape, HopfieldError } from './errors';

/**
 * lse(β, z) = β⁻¹ log Σ exp(β z) along `axis` (default the last), computed stably.
 */
export function lse(z: tf.Tensor, beta: number, axis = -1): tf.Tensor {
  checkPositiveFinite('beta', beta);
  if (!(z instanceof tf.Tensor)) throw new HopfieldError(`z: expected a tf.Tensor, received ${typeof z}`);
  return tf.tidy(() => tf.div(tf.logSumExp(tf.mul(z, beta), axis), beta));
}

/**
 * E(ξ) for each state pattern.
 *
 * @param state  ξ: `[dim]`, `[seq, dim]` or `[batch, seq, dim]`
 * @param stored X (rows = patterns): `[numStored, dim]`, or `[batch, numStored, dim]` for rank-3 `state`
 * @returns      `[]`, `[seq]` or `[batch, seq]`
 */
export function hopfieldEnergy(state: tf.Tensor, stored: tf.Tensor, opts: { beta: number }): tf.Tensor {
  const beta = opts?.beta;
  checkPositiveFinite('beta', beta);
  if (!(state instanceof tf.Tensor) || state.rank < 1 || state.rank > 3) {
    throw new HopfieldError(
      `state: expected [dim], [seq, dim] or [batch, seq, dim], received ${state instanceof tf.Tensor ? fmtShape(state.shape) : typeof state}`,
    );
  }
  const wantStoredRank = state.rank === 3 ? 3 : 2;
  if (!(stored instanceof tf.Tensor) || stored.rank !== wantStoredRank) {
    throw new HopfieldError(
      `stored: expected ${wantStoredRank === 3 ? '[batch, numStored, dim]' : '[numStored, dim]'}, received ${
        stored instanceof tf.Tensor ? fmtShape(stored.shape) : typeof stored
      }`,
    );
  }
  const d = state.shape[state.rank - 1];
  if (stored.shape[stored.rank - 1] !== d || (state.rank === 3 && stored.shape[0] !== state.shape[0])) {
    throw new HopfieldError(
      `stored: expected ${state.rank === 3 ? `[${state.shape[0]}, numStored, ${d}]` : `[numStored, ${d}]`} to match state ${fmtShape(
        state.shape,
      )}, received ${fmtShape(stored.shape)}`,
    );
  }
  const n = stored.shape[stored.rank - 2];
  if (n === 0) throw new HopfieldError('stored: expected at least one stored pattern, received 0');
  return tf.tidy(() => {
    const xi = state.rank === 1 ? tf.expandDims(state, 0) : state; // [.., L, d]
    const sims = tf.matMul(xi, stored, false, true); // [.., L, N] = x_iᵀ ξ
    const lseTerm = tf.div(tf.logSumExp(tf.mul(sims, beta), -1), beta);
    const half = tf.mul(0.5, tf.sum(tf.square(xi), -1));
    // M = max_i ‖x_i‖ (per batch element for a batched memory).
    const norms2 = tf.sum(tf.square(stored), -1); // [.., N]
    let m2 = tf.max(norms2, -1); // [] or [B]
    if (state.rank === 3) m2 = tf.expandDims(m2, -1);
    const constant = tf.add(Math.log(n) / beta, tf.mul(0.5, m2));
    const e = tf.add(tf.sub(half, lseTerm), constant);
    return state.rank === 1 ? tf.squeeze(e, [0]) : e;
  });
}
