/**
 * Operating regimes of attention heads (Ramsauer et al. 2021, §3 "Transformer and BERT", Fig. 2–3).
 *
 * The paper counts, for every row of a softmax (one state pattern / query over the stored patterns),
 * the number k of largest probabilities needed to reach 90% of the mass, and reads three classes of
 * fixed points of the Hopfield energy off the distribution of k per head:
 * - (I) global averaging: k is large, the head averages over (nearly) all stored patterns;
 * - (II) metastable states: k is medium, the head averages over a subset of similar patterns;
 * - (III) fixed point near a single stored pattern: k is (close to) 1 (Theorem 4: retrieval).
 * The paper gives no numeric boundaries between the classes; this module labels a head by its
 * median k: fixed point when median k ≤ `fixedPointMaxK` (default 1: one pattern carries the mass
 * threshold), global averaging when median k ≥ `globalFraction`·S (default 0.5; uniform rows give
 * k = ⌈0.9·S⌉), metastable in between.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fmtShape, HopfieldError } from './errors';

/**
 * Label of a head's operating regime (paper §3, Fig. 2): `global-averaging` (class I),
 * `metastable` (class II) or `fixed-point` (class III); thresholds in {@link RegimeOptions}.
 */
export type Regime = 'global-averaging' | 'metastable' | 'fixed-point';

/** Thresholds of {@link analyzeRegimes} (the paper gives only the 90% mass criterion). */
export interface RegimeOptions {
  /** Fraction of the softmax mass the k largest probabilities must reach. Default 0.9 (paper). */
  massThreshold?: number;
  /** A head whose median k is at most this is a fixed point (class III). Default 1. */
  fixedPointMaxK?: number;
  /** A head whose median k is at least this fraction of the stored patterns averages globally (class I). Default 0.5. */
  globalFraction?: number;
  /** Allowed |row sum − 1| (rows must be probability distributions). Default 1e-3. */
  sumTolerance?: number;
}

/** The k statistics and regime label of one attention head. */
export interface HeadRegime {
  /** Head index (axis `heads` of the association matrix; 0 for a rank-2 input). */
  head: number;
  /** k of every row of this head (batch-major: all queries of batch 0, then batch 1, …). */
  k: number[];
  /** How many rows have each k: `histogram[k]` for k = 0…numPatterns. */
  histogram: number[];
  /** Mean of `k` over the rows. */
  meanK: number;
  /** Median of `k` over the rows (the statistic the regime label is read from). */
  medianK: number;
  /** Smallest `k` of any row. */
  minK: number;
  /** Largest `k` of any row. */
  maxK: number;
  /**
   * The head's regime from `medianK`: `fixed-point` when ≤ `fixedPointMaxK`, `global-averaging`
   * when ≥ `globalFraction`·numPatterns, else `metastable`.
   */
  regime: Regime;
}

/** Result of {@link analyzeRegimes}: one {@link HeadRegime} per head. */
export interface RegimeAnalysis {
  /** Number of stored patterns S (last axis of the association matrix). */
  numPatterns: number;
  /** The mass threshold that was used (from the options, default 0.9). */
  massThreshold: number;
  /** Per-head statistics, in head order. */
  heads: HeadRegime[];
}

/** k: the number of largest entries of `row` whose sum reaches `threshold` (of the row's total). */
export function patternsForMass(row: ArrayLike<number>, threshold = 0.9): number {
  const sorted = Float64Array.from(row).sort().reverse();
  let total = 0;
  for (const v of sorted) total += v;
  const target = threshold * total;
  let acc = 0;
  for (let i = 0; i < sorted.length; i++) {
    acc += sorted[i];
    // A small relative slack so that float32 rows exactly at the threshold (e.g. 0.9 of a one-hot
    // mixture) count as reaching it.
    if (acc >= target * (1 - 1e-6)) return i + 1;
  }
  return sorted.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The checked options and the shape read off the association matrix (no data read yet). */
interface RegimeInput {
  massThreshold: number;
  fixedPointMaxK: number;
  globalFraction: number;
  sumTolerance: number;
  shape: number[];
}

/** Validates `association` and the options of {@link analyzeRegimes} / {@link analyzeRegimesAsync}. */
function checkRegimeInput(association: tf.Tensor, opts: RegimeOptions): RegimeInput {
  const { massThreshold = 0.9, fixedPointMaxK = 1, globalFraction = 0.5, sumTolerance = 1e-3 } = opts;
  if (!(association instanceof tf.Tensor) || association.rank < 2 || association.rank > 4) {
    throw new HopfieldError(
      `associationMatrix: expected a rank 2–4 tensor [(batch,) (heads,) queries, stored], received ${association instanceof tf.Tensor ? fmtShape(association.shape) : typeof association}`,
    );
  }
  if (typeof massThreshold !== 'number' || !(massThreshold > 0 && massThreshold <= 1)) {
    throw new HopfieldError(`massThreshold: expected a number in (0, 1], received ${String(massThreshold)}`);
  }
  if (typeof globalFraction !== 'number' || !(globalFraction > 0 && globalFraction <= 1)) {
    throw new HopfieldError(
      `globalFraction: expected a number in (0, 1], received ${String(globalFraction)}`,
    );
  }
  if (typeof fixedPointMaxK !== 'number' || !(fixedPointMaxK >= 1)) {
    throw new HopfieldError(`fixedPointMaxK: expected a number ≥ 1, received ${String(fixedPointMaxK)}`);
  }
  const shape = association.shape;
  if (shape[shape.length - 1] === 0 || shape[shape.length - 2] === 0) {
    throw new HopfieldError(
      `associationMatrix: expected at least one query and one stored pattern, received ${fmtShape(shape)}`,
    );
  }
  return { massThreshold, fixedPointMaxK, globalFraction, sumTolerance, shape };
}

/** The analysis itself over the matrix's values (row-major, `input.shape`): pure, no tensors. */
function regimesOf(data: tf.TypedArray, input: RegimeInput): RegimeAnalysis {
  const { massThreshold, fixedPointMaxK, globalFraction, sumTolerance, shape } = input;
  const rank = shape.length;
  const S = shape[rank - 1];
  const L = shape[rank - 2];
  const H = rank >= 3 ? shape[rank - 3] : 1;
  const B = rank === 4 ? shape[0] : 1;
  const ks: number[][] = Array.from({ length: H }, () => []);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let l = 0; l < L; l++) {
        const off = ((b * H + h) * L + l) * S;
        const row = data.subarray(off, off + S);
        let sum = 0;
        for (let j = 0; j < S; j++) {
          if (!(row[j] >= 0)) {
            throw new HopfieldError(
              `associationMatrix: expected probabilities ≥ 0, received ${row[j]} at [${[b, h, l, j].slice(4 - rank).join(',')}]`,
            );
          }
          sum += row[j];
        }
        if (Math.abs(sum - 1) > sumTolerance) {
          throw new HopfieldError(
            `associationMatrix: expected rows summing to 1 (softmax probabilities), received a row summing to ${sum} at [${[b, h, l].slice(4 - rank).join(',')}]`,
          );
        }
        ks[h].push(patternsForMass(row, massThreshold));
      }
    }
  }
  const heads = ks.map((k, head): HeadRegime => {
    const histogram = new Array<number>(S + 1).fill(0);
    for (const x of k) histogram[x]++;
    const medianK = median(k);
    const regime: Regime =
      medianK <= fixedPointMaxK
        ? 'fixed-point'
        : medianK >= globalFraction * S
          ? 'global-averaging'
          : 'metastable';
    return {
      head,
      k,
      histogram,
      meanK: k.reduce((a, c) => a + c, 0) / k.length,
      medianK,
      minK: k.reduce((a, c) => Math.min(a, c), Number.POSITIVE_INFINITY),
      maxK: k.reduce((a, c) => Math.max(a, c), 0),
      regime,
    };
  });
  return { numPatterns: S, massThreshold, heads };
}

/**
 * Per-head distribution of k (patterns needed for `massThreshold` of the softmax mass) and the
 * regime label. `association`: softmax probabilities over the stored patterns, e.g.
 * `Hopfield.associationMatrix(x)` `[batch, heads, queries, stored]`, or `[heads, queries, stored]`,
 * or `[queries, stored]` (one head); rows must be non-negative and sum to 1.
 * Reads `association` synchronously; on backends without synchronous reads (webgpu in Node) use
 * {@link analyzeRegimesAsync}.
 */
export function analyzeRegimes(association: tf.Tensor, opts: RegimeOptions = {}): RegimeAnalysis {
  const input = checkRegimeInput(association, opts);
  return regimesOf(association.dataSync(), input);
}

/**
 * {@link analyzeRegimes} with an asynchronous read (`await association.data()`): the same checks
 * (thrown as a rejected promise) and the same result, for backends that cannot read synchronously
 * (tfjs-backend-webgpu in Node). Does not dispose `association`.
 */
export async function analyzeRegimesAsync(
  association: tf.Tensor,
  opts: RegimeOptions = {},
): Promise<RegimeAnalysis> {
  const input = checkRegimeInput(association, opts);
  return regimesOf(await association.data(), input);
}
