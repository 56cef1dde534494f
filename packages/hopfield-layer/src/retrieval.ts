/**
 * The functional core of modern Hopfield networks (Ramsauer et al., ICLR 2021):
 * the association (softmax) matrix, the update rule ξⁿᵉʷ = X softmax(β Xᵀ ξ) (paper Eq. 3 / Thm 1–4),
 * iterated with the stopping rule of the reference implementation (ml-jku/hopfield-layers,
 * `hflayers/functional.py` `hopfield_core_forward`), and the masks of that implementation.
 *
 * Layout: patterns are rows (`[…, numPatterns, dim]`), i.e. the paper's X (columns x_i) transposed.
 * Multi-head tensors are `[batch, heads, seq, dim]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { canReadSync, stopGradient } from './device';
import { checkPositiveFinite, fmtShape, HopfieldError, perHead } from './errors';
import { batchMatMul } from './matmul';

/** β per head, the number of update steps and the stopping threshold. */
export interface UpdateRuleOptions {
  /**
   * β (inverse temperature), one value for all heads or one per head. Must be finite and > 0.
   * Default `1/sqrt(dim)` (the transformer value) in {@link hopfieldCore}.
   */
  scaling?: number | readonly number[];
  /**
   * Update steps after the first association, one value or one per head. `0` (default) is one
   * softmax, i.e. attention; `n` allows up to n further steps; `null` (or a negative number) runs until
   * the `updateStepsEps` rule stops the head (at most `maxUnboundedSteps`).
   */
  updateStepsMax?: number | null | readonly (number | null)[];
  /**
   * A head keeps updating only while max over the batch of ‖ξ_t − ξ_{t−1}‖_F (Frobenius norm over
   * `[seq, numStored]`) exceeds this. One value or one per head; > 0. Default 1e-4.
   */
  updateStepsEps?: number | readonly number[];
  /** Guard for unbounded iteration (`updateStepsMax: null`): the most update steps run. Default 1000. */
  maxUnboundedSteps?: number;
}

/** Masks of the association matrix. In both, `true` (non-zero) means *ignore this stored pattern*. */
export interface AssociationMaskOptions {
  /** `[batch, numStored]`; true / non-zero = that stored pattern is ignored (logit −∞). */
  storedPatternPaddingMask?: tf.Tensor;
  /**
   * `[seq, numStored]` (broadcast over batch and heads), `[batch·heads, seq, numStored]` (row
   * `b·heads + h`, as in the reference) or `[batch, heads, seq, numStored]`. A `bool` or `int32` mask
   * ignores the true / non-zero entries; a `float32` mask is *added* to the logits (reference semantics).
   */
  associationMask?: tf.Tensor;
}

export interface HopfieldCoreOptions extends UpdateRuleOptions, AssociationMaskOptions {
  /** Dropout rate on the final association matrix (only when `training`). Default 0. */
  dropout?: number;
  training?: boolean;
  /** Seed of the dropout mask. */
  seed?: number;
  /**
   * Extra stored patterns appended to every batch element after the projection (hflayers
   * `concat_bias_pattern`, which the reference creates but never uses): `stored` `[heads, dim]`,
   * `projection` `[heads, projDim]`. Never masked.
   */
  biasPattern?: { stored: tf.Tensor; projection: tf.Tensor };
  /** Append one all-zero stored pattern and projection (hflayers `add_zero_association`). Never masked. */
  addZeroAssociation?: boolean;
}

/** Result of {@link hopfieldCore}; the tensors are new and owned by the caller. */
export interface HopfieldCoreResult {
  /** Retrieved patterns ξ·V: `[batch, heads, seq, projDim]`. */
  output: tf.Tensor4D;
  /** Final association matrix (softmax, before dropout): `[batch, heads, seq, numStored(+extra)]`. */
  association: tf.Tensor4D;
  /**
   * Update steps each head ran after its first association. On `webgpu` (stopping test on the
   * device, see {@link hopfieldCore}) the steps computed: a head the `updateStepsEps` rule froze
   * earlier is counted up to its `updateStepsMax`.
   */
  updateSteps: number[];
  /**
   * Softmax evaluations over all heads (the reference's `association_computations` counts per
   * step); on `webgpu` counted like `updateSteps`.
   */
  associationComputations: number;
}

const DEFAULT_EPS = 1e-4;

/**
 * Test hook (not exported from the package): replaces the gradient of the stored patterns used in
 * the update step Qᵗ⁺¹ = ξᵗ K, so that tests can reproduce the reference's fixture gradients
 * (see README, "Differences": PyTorch's `masked_select` backward on a non-contiguous tensor).
 * Called once per update step with that step's active heads and how K was built: with
 * `addZeroAssociation` the reference's K is a fresh (contiguous) `torch.cat`, not a transposed view.
 */
export const testing: {
  updateStoredGradient:
    | ((
        dy: tf.Tensor3D,
        activeHeads: boolean[],
        batch: number,
        heads: number,
        stored: { addZeroAssociation: boolean },
      ) => tf.Tensor)
    | null;
} = { updateStoredGradient: null };
const DEFAULT_MAX_UNBOUNDED = 1000;

function checkRank(name: string, t: tf.Tensor, rank: number, what: string): void {
  if (!(t instanceof tf.Tensor)) {
    throw new HopfieldError(`${name}: expected a tf.Tensor ${what}, received ${typeof t}`);
  }
  if (t.rank !== rank) {
    throw new HopfieldError(`${name}: expected rank ${rank} ${what}, received shape ${fmtShape(t.shape)}`);
  }
}

/** Resolved per-head update rule. */
export interface ResolvedUpdateRule {
  scaling: number[];
  updateStepsMax: number[];
  updateStepsEps: number[];
  maxUnboundedSteps: number;
}

/** Validates and expands the update-rule options to one value per head. */
export function resolveUpdateRule(
  numHeads: number,
  dim: number,
  opts: UpdateRuleOptions,
  defaultScaling = 1 / Math.sqrt(dim),
): ResolvedUpdateRule {
  const scaling = perHead('scaling', opts.scaling ?? defaultScaling, numHeads);
  for (let h = 0; h < numHeads; h++)
    checkPositiveFinite(numHeads > 1 ? `scaling[${h}]` : 'scaling', scaling[h]);
  const rawMax = opts.updateStepsMax === undefined ? 0 : opts.updateStepsMax;
  const updateStepsMax = perHead<number | null>('updateStepsMax', rawMax, numHeads).map((m, h) => {
    if (m === null || (typeof m === 'number' && m < 0)) return Number.POSITIVE_INFINITY;
    if (!Number.isInteger(m)) {
      throw new HopfieldError(
        `updateStepsMax${numHeads > 1 ? `[${h}]` : ''}: expected an integer ≥ 0 or null, received ${String(m)}`,
      );
    }
    return m;
  });
  const updateStepsEps = perHead('updateStepsEps', opts.updateStepsEps ?? DEFAULT_EPS, numHeads);
  for (let h = 0; h < numHeads; h++) {
    checkPositiveFinite(numHeads > 1 ? `updateStepsEps[${h}]` : 'updateStepsEps', updateStepsEps[h]);
  }
  const maxUnboundedSteps = opts.maxUnboundedSteps ?? DEFAULT_MAX_UNBOUNDED;
  if (!Number.isInteger(maxUnboundedSteps) || maxUnboundedSteps < 0) {
    throw new HopfieldError(
      `maxUnboundedSteps: expected an integer ≥ 0, received ${String(maxUnboundedSteps)}`,
    );
  }
  return { scaling, updateStepsMax, updateStepsEps, maxUnboundedSteps };
}

/**
 * The additive logit mask (0 or −∞, plus any float mask) broadcastable to `[B, H, L, S + extraColumns]`
 * (appended columns unmasked), or null. Throws when a row would have every stored pattern masked (its
 * softmax would be NaN) — a synchronous read of the mask, skipped on backends that cannot read
 * synchronously (`webgpu`; see `canReadSync`), where such a row's association is NaN.
 */
export function buildAssociationMask(
  batch: number,
  numHeads: number,
  seq: number,
  numStored: number,
  opts: AssociationMaskOptions,
  extraColumns = 0,
): tf.Tensor4D | null {
  const { storedPatternPaddingMask: pad, associationMask: assoc } = opts;
  if (pad == null && assoc == null) return null;
  return tf.tidy(() => {
    let masked: tf.Tensor | null = null; // bool, broadcastable to [B,H,L,S]
    let additive: tf.Tensor | null = null; // float32
    if (pad != null) {
      if (
        !(pad instanceof tf.Tensor) ||
        pad.rank !== 2 ||
        pad.shape[0] !== batch ||
        pad.shape[1] !== numStored
      ) {
        throw new HopfieldError(
          `storedPatternPaddingMask: expected shape [batch, numStored] = ${fmtShape([batch, numStored])}, received ${
            pad instanceof tf.Tensor ? fmtShape(pad.shape) : typeof pad
          }`,
        );
      }
      masked = tf.reshape(tf.notEqual(pad, 0), [batch, 1, 1, numStored]);
    }
    if (assoc != null) {
      if (!(assoc instanceof tf.Tensor)) {
        throw new HopfieldError(`associationMask: expected a tf.Tensor, received ${typeof assoc}`);
      }
      let a4: tf.Tensor;
      const s = assoc.shape;
      if (assoc.rank === 2 && s[0] === seq && s[1] === numStored)
        a4 = tf.reshape(assoc, [1, 1, seq, numStored]);
      else if (assoc.rank === 3 && s[0] === batch * numHeads && s[1] === seq && s[2] === numStored)
        a4 = tf.reshape(assoc, [batch, numHeads, seq, numStored]);
      else if (assoc.rank === 4 && s[0] === batch && s[1] === numHeads && s[2] === seq && s[3] === numStored)
        a4 = assoc;
      else {
        throw new HopfieldError(
          `associationMask: expected shape [seq, numStored] = ${fmtShape([seq, numStored])}, [batch·heads, seq, numStored] = ${fmtShape(
            [batch * numHeads, seq, numStored],
          )} or [batch, heads, seq, numStored], received ${fmtShape(s)}`,
        );
      }
      if (assoc.dtype === 'float32') additive = a4;
      else {
        const m = tf.notEqual(a4, 0);
        masked = masked == null ? m : tf.logicalOr(masked, m);
      }
    }
    let mask: tf.Tensor = tf.zeros([1, 1, 1, numStored]);
    if (masked != null) {
      mask = tf.where(masked, tf.fill(masked.shape, Number.NEGATIVE_INFINITY), tf.zeros(masked.shape));
    }
    if (additive != null) mask = tf.add(mask, additive);
    // Appended patterns (bias / zero association) are never masked.
    if (extraColumns > 0)
      mask = tf.pad(mask, [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, extraColumns],
      ]);
    if (masked != null && canReadSync()) {
      const fullyMasked = tf.any(tf.all(tf.equal(mask, Number.NEGATIVE_INFINITY), -1)).dataSync()[0];
      if (fullyMasked) {
        throw new HopfieldError(
          'storedPatternPaddingMask/associationMask: every stored pattern is masked for some state pattern; its association would be NaN (mask at least one stored pattern per row as false, or use addZeroAssociation)',
        );
      }
    }
    return mask as tf.Tensor4D;
  });
}

/**
 * Multi-head Hopfield association with update iterations (the core of hflayers'
 * `hopfield_core_forward`, without the projections):
 *
 *   ξ⁰ = softmax(β Q Kᵀ + mask),  Qᵗ⁺¹ = ξᵗ K,  ξᵗ⁺¹ = softmax(β Qᵗ⁺¹ Kᵀ + mask),  output = ξ V.
 *
 * After each softmax a head stays active only while `t < updateStepsMax[h]` and (from t = 1 on)
 * max over the batch of ‖ξᵗ − ξᵗ⁻¹‖_F > `updateStepsEps[h]`; inactive heads keep their ξ. The
 * stopping test is not differentiated; gradients flow through every step that ran.
 *
 * The test reads ‖ξᵗ − ξᵗ⁻¹‖ synchronously, except on the `webgpu` backend, which cannot (in
 * Node) or only slowly (browsers): there it stays on the device as a per-head 0/1 gate, every
 * step up to `updateStepsMax` is computed, and a head that fell below `updateStepsEps` keeps its ξ
 * — the same output and gradients, more computation. Unbounded steps (`updateStepsMax: null`) need
 * the read and throw there; use {@link hopfieldRetrieveAsync} for iteration until convergence.
 *
 * @param state   Q, already projected: `[batch, heads, seq, dim]`
 * @param stored  K: `[batch, heads, numStored, dim]`
 * @param projection V: `[batch, heads, numStored, projDim]`
 */
export function hopfieldCore(
  state: tf.Tensor,
  stored: tf.Tensor,
  projection: tf.Tensor,
  opts: HopfieldCoreOptions = {},
): HopfieldCoreResult {
  checkRank('state', state, 4, '[batch, heads, seq, dim]');
  checkRank('stored', stored, 4, '[batch, heads, numStored, dim]');
  checkRank('projection', projection, 4, '[batch, heads, numStored, projDim]');
  const [B, H, L, d] = state.shape as [number, number, number, number];
  const S = stored.shape[2] as number;
  if (stored.shape[0] !== B || stored.shape[1] !== H || stored.shape[3] !== d) {
    throw new HopfieldError(
      `stored: expected shape [${B}, ${H}, numStored, ${d}] (batch, heads and dim of state), received ${fmtShape(stored.shape)}`,
    );
  }
  const dv = projection.shape[3] as number;
  if (projection.shape[0] !== B || projection.shape[1] !== H || projection.shape[2] !== S) {
    throw new HopfieldError(
      `projection: expected shape [${B}, ${H}, ${S}, projDim] (batch, heads, numStored of stored), received ${fmtShape(projection.shape)}`,
    );
  }
  if (S === 0 && !opts.addZeroAssociation && opts.biasPattern == null) {
    throw new HopfieldError('stored: expected at least one stored pattern, received numStored = 0');
  }
  const rule = resolveUpdateRule(H, d, opts);
  const onDevice = !canReadSync();
  if (
    onDevice &&
    rule.maxUnboundedSteps > 0 &&
    rule.updateStepsMax.some((m) => m === Number.POSITIVE_INFINITY)
  ) {
    throw new HopfieldError(
      `updateStepsMax: expected a finite number of steps on the ${tf.getBackend()} backend (its stopping test cannot read values synchronously), received null / a negative number; use hopfieldRetrieveAsync to iterate until convergence`,
    );
  }
  const dropout = opts.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) {
    throw new HopfieldError(`dropout: expected a rate in [0, 1), received ${String(dropout)}`);
  }
  if (opts.biasPattern != null) {
    const { stored: bk, projection: bv } = opts.biasPattern;
    if (!(bk instanceof tf.Tensor) || bk.size !== H * d) {
      throw new HopfieldError(
        `biasPattern.stored: expected ${H * d} values ([heads, dim]), received ${bk instanceof tf.Tensor ? fmtShape(bk.shape) : typeof bk}`,
      );
    }
    if (!(bv instanceof tf.Tensor) || bv.size !== H * dv) {
      throw new HopfieldError(
        `biasPattern.projection: expected ${H * dv} values ([heads, projDim]), received ${bv instanceof tf.Tensor ? fmtShape(bv.shape) : typeof bv}`,
      );
    }
  }
  const extra = (opts.biasPattern != null ? 1 : 0) + (opts.addZeroAssociation ? 1 : 0);
  const S2 = S + extra;

  const updateSteps = new Array<number>(H).fill(0);
  let associationComputations = 0;

  const result = tf.tidy(() => {
    const mask = buildAssociationMask(B, H, L, S, opts, extra);

    let k4: tf.Tensor = stored;
    let v4: tf.Tensor = projection;
    if (opts.biasPattern != null) {
      const bk = tf.broadcastTo(tf.reshape(opts.biasPattern.stored, [1, H, 1, d]), [B, H, 1, d]);
      const bv = tf.broadcastTo(tf.reshape(opts.biasPattern.projection, [1, H, 1, dv]), [B, H, 1, dv]);
      k4 = tf.concat([k4, bk], 2);
      v4 = tf.concat([v4, bv], 2);
    }
    if (opts.addZeroAssociation) {
      k4 = tf.concat([k4, tf.zeros([B, H, 1, d])], 2);
      v4 = tf.concat([v4, tf.zeros([B, H, 1, dv])], 2);
    }
    const k3 = tf.reshape(k4, [B * H, S2, d]);
    const v3 = tf.reshape(v4, [B * H, S2, dv]);
    const uniform = rule.scaling.every((b) => b === rule.scaling[0]);
    const beta = uniform ? tf.scalar(rule.scaling[0]) : tf.tensor4d(rule.scaling, [1, H, 1, 1]);
    const scaled = (q4: tf.Tensor) => tf.reshape(tf.mul(q4, beta), [B * H, L, d]);

    let q3 = scaled(state);
    let xi: tf.Tensor | null = null;
    let active = new Array<boolean>(H).fill(true);
    // On the device (no synchronous read): [1, H, 1, 1], 1 while the updateStepsEps rule lets the
    // head update; `active` then holds only the step-count bound.
    let moving: tf.Tensor | null = null;
    for (let t = 0; ; t++) {
      const raw = batchMatMul(q3, k3, true);
      const logits = tf.reshape(raw, [B, H, L, S2]);
      const masked = mask != null ? tf.add(logits, mask) : logits;
      const fresh = tf.softmax(masked);
      // Neither backward needs the logits (softmax's gradient uses its output): free them now, so a
      // step holds one [L, S] buffer per head instead of three until the scope ends.
      tf.dispose(masked === logits ? [raw, logits] : [raw, logits, masked]);
      const nActive = active.filter(Boolean).length;
      associationComputations += nActive;
      let next: tf.Tensor;
      if (xi == null || (nActive === H && moving == null)) next = fresh;
      else {
        let on: tf.Tensor = tf.tensor4d(
          active.map((a) => (a ? 1 : 0)),
          [1, H, 1, 1],
        );
        if (moving != null) on = tf.mul(on, moving);
        next = tf.add(tf.mul(fresh, on), tf.mul(xi, tf.sub(1, on)));
      }
      // Stopping rule (not differentiated): bounded step count, then the change of ξ per head.
      const unboundedGuard = t >= rule.maxUnboundedSteps;
      const candidate = active.map((a, h) => a && t < rule.updateStepsMax[h] && !unboundedGuard);
      if (xi != null && candidate.some(Boolean) && onDevice) {
        // ‖Δξ‖² > eps² per head as a 0/1 gate (`step` has a zero gradient; the difference is cut
        // from the tape so the gate adds no gradient work); a frozen head stays frozen.
        const sq = tf.max(tf.sum(tf.square(stopGradient(tf.sub(next, xi))), [2, 3], true), 0, true);
        const eps2 = tf.tensor4d(
          rule.updateStepsEps.map((e) => e * e),
          [1, H, 1, 1],
        );
        const gate = tf.step(tf.sub(sq, eps2));
        moving = moving == null ? gate : tf.mul(moving, gate);
      } else if (xi != null && candidate.some(Boolean)) {
        const sq = tf.tidy(() => tf.max(tf.sum(tf.square(tf.sub(next, xi!)), [2, 3]), 0).dataSync());
        for (let h = 0; h < H; h++) candidate[h] = candidate[h] && Math.sqrt(sq[h]) > rule.updateStepsEps[h];
      }
      xi = next;
      active = candidate;
      if (!active.some(Boolean)) break;
      for (let h = 0; h < H; h++) if (active[h]) updateSteps[h]++;
      // ξ-weighted average of the stored patterns is the new state (Hopfield space).
      const hook = testing.updateStoredGradient;
      const kUpdate = hook
        ? tf.customGrad(((x: tf.Tensor) => {
            const heads = [...active];
            return {
              value: tf.clone(x),
              gradFunc: (dy: tf.Tensor) =>
                hook(dy as tf.Tensor3D, heads, B, H, {
                  addZeroAssociation: opts.addZeroAssociation === true,
                }),
            };
          }) as unknown as Parameters<typeof tf.customGrad>[0])(k3)
        : k3;
      q3 = scaled(tf.reshape(batchMatMul(tf.reshape(xi, [B * H, L, S2]), kUpdate), [B, H, L, d]));
    }
    const association = xi as tf.Tensor4D;
    let weights: tf.Tensor = association;
    if (opts.training && dropout > 0) weights = tf.dropout(association, dropout, undefined, opts.seed);
    const output = tf.reshape(batchMatMul(tf.reshape(weights, [B * H, L, S2]), v3), [
      B,
      H,
      L,
      dv,
    ]) as tf.Tensor4D;
    return { output, association };
  });
  return { ...result, updateSteps, associationComputations };
}

/** Options of the single-memory helpers ({@link hopfieldRetrieve}, {@link associationMatrix}). */
export interface RetrieveOptions extends Omit<UpdateRuleOptions, 'scaling'> {
  /** β (inverse temperature), finite and > 0. */
  beta: number;
  /** Patterns returned per stored pattern (values), same leading shape as `stored`. Default: `stored`. */
  projection?: tf.Tensor;
  /** `[numStored]` for rank-2 inputs, `[batch, numStored]` for rank 3; true = ignore. */
  storedPatternPaddingMask?: tf.Tensor;
  /** `[seq, numStored]`, or `[batch, seq, numStored]` for rank-3 inputs; see {@link AssociationMaskOptions}. */
  associationMask?: tf.Tensor;
}

/** Result of {@link hopfieldRetrieve}; the tensors are new and owned by the caller. */
export interface RetrieveResult {
  /** Retrieved patterns, `[seq, projDim]` or `[batch, seq, projDim]` (rank of the inputs). */
  output: tf.Tensor;
  /** Association matrix, `[seq, numStored]` or `[batch, seq, numStored]`. */
  association: tf.Tensor;
  /** Update steps run after the first association. */
  updateSteps: number;
}

function toBatched(
  state: tf.Tensor,
  stored: tf.Tensor,
  opts: RetrieveOptions,
): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D; masks: AssociationMaskOptions; rank: number } {
  const rank = state?.rank;
  if (!(state instanceof tf.Tensor) || (rank !== 2 && rank !== 3)) {
    throw new HopfieldError(
      `state: expected [seq, dim] or [batch, seq, dim], received ${state instanceof tf.Tensor ? fmtShape(state.shape) : typeof state}`,
    );
  }
  const what = rank === 2 ? '[numStored, dim]' : '[batch, numStored, dim]';
  checkRank('stored', stored, rank, what);
  const projection = opts.projection ?? stored;
  checkRank(
    'projection',
    projection,
    rank,
    rank === 2 ? '[numStored, projDim]' : '[batch, numStored, projDim]',
  );
  if (stored.shape[rank - 1] !== state.shape[rank - 1]) {
    throw new HopfieldError(
      `stored: expected feature size ${state.shape[rank - 1]} (that of state), received shape ${fmtShape(stored.shape)}`,
    );
  }
  if (rank === 3 && (stored.shape[0] !== state.shape[0] || projection.shape[0] !== state.shape[0])) {
    throw new HopfieldError(
      `stored/projection: expected batch size ${state.shape[0]} (that of state), received ${fmtShape(stored.shape)} and ${fmtShape(projection.shape)}`,
    );
  }
  if (projection.shape[rank - 2] !== stored.shape[rank - 2]) {
    throw new HopfieldError(
      `projection: expected ${stored.shape[rank - 2]} patterns (as many as stored), received shape ${fmtShape(projection.shape)}`,
    );
  }
  const q = (rank === 2 ? tf.expandDims(tf.expandDims(state, 0), 0) : tf.expandDims(state, 1)) as tf.Tensor4D;
  const k = (
    rank === 2 ? tf.expandDims(tf.expandDims(stored, 0), 0) : tf.expandDims(stored, 1)
  ) as tf.Tensor4D;
  const v = (
    rank === 2 ? tf.expandDims(tf.expandDims(projection, 0), 0) : tf.expandDims(projection, 1)
  ) as tf.Tensor4D;
  const masks: AssociationMaskOptions = {};
  const S = stored.shape[rank - 2];
  const L = state.shape[rank - 2];
  if (opts.storedPatternPaddingMask != null) {
    const p = opts.storedPatternPaddingMask;
    const want = rank === 2 ? [S] : [state.shape[0], S];
    if (!(p instanceof tf.Tensor) || p.shape.join() !== want.join()) {
      throw new HopfieldError(
        `storedPatternPaddingMask: expected shape ${fmtShape(want)}, received ${p instanceof tf.Tensor ? fmtShape(p.shape) : typeof p}`,
      );
    }
    masks.storedPatternPaddingMask = rank === 2 ? tf.reshape(p, [1, S]) : p;
  }
  if (opts.associationMask != null) {
    const a = opts.associationMask;
    const ok =
      a instanceof tf.Tensor &&
      ((a.rank === 2 && a.shape[0] === L && a.shape[1] === S) ||
        (rank === 3 && a.rank === 3 && a.shape.join() === [state.shape[0], L, S].join()));
    if (!ok) {
      throw new HopfieldError(
        `associationMask: expected shape ${fmtShape([L, S])}${rank === 3 ? ` or ${fmtShape([state.shape[0], L, S])}` : ''}, received ${
          a instanceof tf.Tensor ? fmtShape(a.shape) : typeof a
        }`,
      );
    }
    masks.associationMask = a;
  }
  return { q, k, v, masks, rank };
}

/**
 * Hopfield retrieval from one memory (a single head, no projections): the update
 * ξⁿᵉʷ = Xᵀ softmax(β X ξ) with stored patterns X as rows, iterated as in {@link hopfieldCore}
 * (default: one step). This is the retrieval CLOOB uses (all patterns static, one step).
 *
 * @param state  ξ: `[seq, dim]` or `[batch, seq, dim]`
 * @param stored X: `[numStored, dim]` or `[batch, numStored, dim]`
 */
export function hopfieldRetrieve(state: tf.Tensor, stored: tf.Tensor, opts: RetrieveOptions): RetrieveResult {
  if (opts == null || typeof opts !== 'object') {
    throw new HopfieldError('opts: expected an options object with beta, received ' + String(opts));
  }
  checkPositiveFinite('beta', opts.beta);
  let updateSteps = 0;
  const out = tf.tidy(() => {
    const { q, k, v, masks, rank } = toBatched(state, stored, opts);
    const r = hopfieldCore(q, k, v, { ...opts, ...masks, scaling: opts.beta });
    updateSteps = r.updateSteps[0] as number;
    const squeeze = (t: tf.Tensor) => (rank === 2 ? tf.squeeze(t, [0, 1]) : tf.squeeze(t, [1]));
    return { output: squeeze(r.output), association: squeeze(r.association) };
  });
  return { ...out, updateSteps };
}

/**
 * {@link hopfieldRetrieve} with the stopping test read asynchronously: the same update steps, the
 * same rule (up to `updateStepsMax` further steps while ‖ξᵗ − ξᵗ⁻¹‖_F, max over the batch,
 * exceeds `updateStepsEps`; `null` = until it does not, at most `maxUnboundedSteps`), one
 * `await` per step. For backends that cannot read synchronously (`webgpu` in Node), where
 * {@link hopfieldRetrieve} accepts only a finite `updateStepsMax`. Not differentiable (the steps
 * are separate tfjs calls); for inference and analysis.
 *
 * @param state  ξ: `[seq, dim]` or `[batch, seq, dim]`
 * @param stored X: `[numStored, dim]` or `[batch, numStored, dim]`
 */
export async function hopfieldRetrieveAsync(
  state: tf.Tensor,
  stored: tf.Tensor,
  opts: RetrieveOptions,
): Promise<RetrieveResult> {
  if (opts == null || typeof opts !== 'object') {
    throw new HopfieldError('opts: expected an options object with beta, received ' + String(opts));
  }
  checkPositiveFinite('beta', opts.beta);
  // In a tidy (the rank-2 expandDims make intermediates); keep what is used below.
  let batched!: ReturnType<typeof toBatched>;
  tf.tidy(() => {
    batched = toBatched(state, stored, opts);
    const pad = batched.masks.storedPatternPaddingMask;
    return [batched.q, batched.k, batched.v, ...(pad ? [pad] : [])];
  });
  const { q, k, v, masks, rank } = batched;
  const rule = resolveUpdateRule(1, q.shape[3], opts, opts.beta);
  const [max, eps] = [rule.updateStepsMax[0] as number, rule.updateStepsEps[0] as number];
  // One association per call (updateStepsMax 0); the state update ξᵗ K and the test happen here.
  const associate = (x: tf.Tensor4D) => {
    const r = hopfieldCore(x, k, v, { ...masks, scaling: opts.beta, updateStepsMax: 0 });
    r.output.dispose();
    return r.association;
  };
  const S = k.shape[2];
  let prev: tf.Tensor4D | null = null;
  let xi: tf.Tensor4D | null = null;
  let updateSteps = 0;
  try {
    xi = associate(q);
    for (let t = 0; t < max && t < rule.maxUnboundedSteps; t++) {
      if (prev != null) {
        const change = tf.tidy(() => tf.max(tf.sum(tf.square(tf.sub(xi!, prev!)), [2, 3])));
        const sq = (await change.data())[0] as number;
        change.dispose();
        if (!(Math.sqrt(sq) > eps)) break;
        prev.dispose();
      }
      prev = xi;
      updateSteps++;
      xi = tf.tidy(() => {
        const next = batchMatMul(tf.reshape(prev!, [q.shape[0], q.shape[2], S]), tf.squeeze(k, [1]));
        return associate(tf.expandDims(next, 1) as tf.Tensor4D);
      });
    }
    const last = xi;
    const out = tf.tidy(() => {
      const output = tf.reshape(
        batchMatMul(tf.reshape(last, [q.shape[0], q.shape[2], S]), tf.squeeze(v, [1])),
        [q.shape[0], 1, q.shape[2], v.shape[3]],
      );
      const squeeze = (t: tf.Tensor) => (rank === 2 ? tf.squeeze(t, [0, 1]) : tf.squeeze(t, [1]));
      return { output: squeeze(output), association: squeeze(last) };
    });
    return { ...out, updateSteps };
  } finally {
    for (const t of [xi, prev, q, k, v]) t?.dispose();
    const m = masks.storedPatternPaddingMask;
    if (m != null && m !== opts.storedPatternPaddingMask) m.dispose();
  }
}

/**
 * One Hopfield update ξⁿᵉʷ = Xᵀ softmax(β X ξ) (paper Eq. 3, patterns as rows): the retrieved
 * patterns only. `state` `[seq, dim]` or `[batch, seq, dim]`, `stored` of the same rank.
 */
export function hopfieldUpdate(state: tf.Tensor, stored: tf.Tensor, beta: number): tf.Tensor {
  const r = hopfieldRetrieve(state, stored, { beta });
  r.association.dispose();
  return r.output;
}

/**
 * The association matrix softmax(β ξ Xᵀ + mask) after the configured update steps: `[seq, numStored]`
 * or `[batch, seq, numStored]`.
 */
export function associationMatrix(state: tf.Tensor, stored: tf.Tensor, opts: RetrieveOptions): tf.Tensor {
  const r = hopfieldRetrieve(state, stored, opts);
  r.output.dispose();
  return r.association;
}
