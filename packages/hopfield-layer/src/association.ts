/**
 * The parameters and forward pass of one Hopfield association (hflayers `Hopfield` +
 * `HopfieldCore`, ml-jku/hopfield-layers `hflayers/__init__.py`, `activation.py`, `functional.py`):
 * input LayerNorms → projections into the association space → {@link hopfieldCore} → output
 * projection. Shared by the three layers, which own the weights (created through `addWeight`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { fmtShape, HopfieldError } from './errors';
import { matMul } from './matmul';
import type { HopfieldDims, ResolvedHopfieldOptions } from './options';
import { hopfieldCore } from './retrieval';

export type AddWeight = (
  name: string,
  shape: number[],
  init: 'zeros' | 'ones' | 'normal',
  trainable?: boolean,
) => LayerVariable;

/** What a state dict value may be: a tensor, or `{shape, data}` (e.g. a fixture / JSON export). */
export type StateDictValue = tf.Tensor | { shape: number[]; data: ArrayLike<number> };

/** One reference parameter: its state_dict name and PyTorch shape, read and written in tfjs layout. */
export interface StateEntry {
  name: string;
  shape: number[];
  get(): tf.Tensor;
  set(value: tf.Tensor): void;
}

export interface AssociationMasks {
  storedPatternPaddingMask?: tf.Tensor;
  associationMask?: tf.Tensor;
}

interface Weights {
  normStoredGamma?: LayerVariable;
  normStoredBeta?: LayerVariable;
  normStateGamma?: LayerVariable;
  normStateBeta?: LayerVariable;
  normProjectionGamma?: LayerVariable;
  normProjectionBeta?: LayerVariable;
  stateKernel?: LayerVariable;
  stateBias?: LayerVariable;
  storedKernel?: LayerVariable;
  storedBias?: LayerVariable;
  projectionKernel?: LayerVariable;
  projectionBias?: LayerVariable;
  spaceGamma?: LayerVariable;
  spaceBeta?: LayerVariable;
  biasStored?: LayerVariable;
  biasProjection?: LayerVariable;
  outKernel?: LayerVariable;
  outBias?: LayerVariable;
}

/** LayerNorm over the last axis (biased variance, as torch.nn.LayerNorm). */
function layerNorm(x: tf.Tensor, eps: number, gamma?: LayerVariable, beta?: LayerVariable): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  if (gamma) y = tf.mul(y, gamma.read());
  if (beta) y = tf.add(y, beta.read());
  return y;
}

/** x `[B, N, in]` · kernel `[in, out]` + bias → `[B, N, out]`. */
function linear(x: tf.Tensor, kernel: LayerVariable, bias?: LayerVariable): tf.Tensor {
  const [B, N, inSize] = x.shape as [number, number, number];
  let y = matMul(tf.reshape(x, [B * N, inSize]), kernel.read());
  if (bias) y = tf.add(y, bias.read());
  return tf.reshape(y, [B, N, kernel.shape[1] as number]);
}

/** `[B, N, H·d]` → `[B, H, N, d]`. */
function splitHeads(x: tf.Tensor, H: number): tf.Tensor4D {
  const [B, N, f] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [B, N, H, f / H]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/** Static pattern `[B, N, d]` repeated for every head → `[B, H, N, d]`. */
function repeatHeads(x: tf.Tensor, H: number): tf.Tensor4D {
  const [B, N, f] = x.shape as [number, number, number];
  const x4 = tf.reshape(x, [B, 1, N, f]);
  return (H === 1 ? x4 : tf.broadcastTo(x4, [B, H, N, f])) as tf.Tensor4D;
}

const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  tanh: tf.tanh,
  relu: tf.relu,
  sigmoid: tf.sigmoid,
  selu: tf.selu,
  celu: (x) => tf.elu(x),
  elu: (x) => tf.elu(x),
  exp: tf.exp,
  abs: tf.abs,
  square: tf.square,
  sqrt: tf.sqrt,
  sin: tf.sin,
  cos: tf.cos,
  erf: tf.erf,
  softplus: tf.softplus,
  neg: tf.neg,
};

export class HopfieldAssociation {
  readonly w: Weights = {};
  private dropoutCalls = 0;
  /** Update steps each head ran in the latest forward pass. */
  lastUpdateSteps: number[] | null = null;

  constructor(
    readonly opts: ResolvedHopfieldOptions,
    readonly dims: HopfieldDims,
  ) {}

  /** Creates the weights (reference init: projections N(0, 0.02), biases 0, LayerNorm 1/0). */
  build(add: AddWeight): void {
    const o = this.opts;
    const {
      numHeads: H,
      headDim: d,
      stateSize,
      storedSize,
      projectionSize,
      valueHeadDim,
      valueInSize,
    } = this.dims;
    const w = this.w;
    if (o.normalizeStoredPattern && o.normalizeStoredPatternAffine) {
      w.normStoredGamma = add('norm_stored_pattern_gamma', [storedSize], 'ones');
      w.normStoredBeta = add('norm_stored_pattern_beta', [storedSize], 'zeros');
    }
    if (o.normalizeStatePattern && o.normalizeStatePatternAffine) {
      w.normStateGamma = add('norm_state_pattern_gamma', [stateSize], 'ones');
      w.normStateBeta = add('norm_state_pattern_beta', [stateSize], 'zeros');
    }
    if (o.normalizePatternProjection && o.normalizePatternProjectionAffine) {
      w.normProjectionGamma = add('norm_pattern_projection_gamma', [projectionSize], 'ones');
      w.normProjectionBeta = add('norm_pattern_projection_beta', [projectionSize], 'zeros');
    }
    if (!o.statePatternAsStatic) {
      w.stateKernel = add('state_kernel', [stateSize, H * d], 'normal');
      if (o.inputBias) w.stateBias = add('state_bias', [H * d], 'zeros');
    }
    if (!o.storedPatternAsStatic) {
      w.storedKernel = add('stored_kernel', [storedSize, H * d], 'normal');
      if (o.inputBias) w.storedBias = add('stored_bias', [H * d], 'zeros');
    }
    if (!o.patternProjectionAsStatic) {
      w.projectionKernel = add('projection_kernel', [valueInSize, H * valueHeadDim], 'normal');
      if (o.inputBias) w.projectionBias = add('projection_bias', [H * valueHeadDim], 'zeros');
    }
    if (o.normalizeHopfieldSpace && o.normalizeHopfieldSpaceAffine) {
      w.spaceGamma = add('hopfield_space_gamma', [d], 'ones');
      w.spaceBeta = add('hopfield_space_beta', [d], 'zeros');
    }
    if (o.concatBiasPattern) {
      w.biasStored = add('bias_stored_pattern', [H * d], 'normal');
      w.biasProjection = add('bias_pattern_projection', [H * valueHeadDim], 'normal');
    }
    if (!o.disableOutProjection) {
      w.outKernel = add('out_kernel', [H * valueHeadDim, this.dims.outputSize], 'normal');
      if (o.inputBias) w.outBias = add('out_bias', [this.dims.outputSize], 'zeros');
    }
  }

  /** Checks batch-first inputs against the resolved sizes. */
  checkInputs(stored: tf.Tensor, state: tf.Tensor, projection: tf.Tensor): void {
    const dims = this.dims;
    const check = (name: string, t: tf.Tensor, features: number) => {
      if (!(t instanceof tf.Tensor) || t.rank !== 3) {
        throw new HopfieldError(
          `${name}: expected rank 3 [batch, seq, ${features}], received ${t instanceof tf.Tensor ? fmtShape(t.shape) : typeof t}`,
        );
      }
      if (t.shape[2] !== features) {
        throw new HopfieldError(
          `${name}: expected feature size ${features}, received shape ${fmtShape(t.shape)}`,
        );
      }
    };
    check('stored pattern', stored, dims.storedSize);
    check('state pattern', state, dims.stateSize);
    check('pattern projection', projection, dims.projectionSize);
    if (stored.shape[0] !== state.shape[0] || projection.shape[0] !== state.shape[0]) {
      throw new HopfieldError(
        `inputs: expected one batch size, received stored ${fmtShape(stored.shape)}, state ${fmtShape(state.shape)}, projection ${fmtShape(projection.shape)}`,
      );
    }
    if (projection.shape[1] !== stored.shape[1]) {
      throw new HopfieldError(
        `pattern projection: expected ${stored.shape[1]} patterns (as many as stored), received shape ${fmtShape(projection.shape)}`,
      );
    }
  }

  /**
   * Projected q `[B,H,L,d]`, k `[B,H,S,d]`, v `[B,H,S,dv]` from batch-first raw patterns
   * (hflayers `_associate` + iteration 0 of `hopfield_core_forward`).
   */
  project(
    stored: tf.Tensor,
    state: tf.Tensor,
    projection: tf.Tensor,
  ): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D } {
    const o = this.opts;
    const w = this.w;
    const H = this.dims.numHeads;
    let ys = stored;
    let rs = state;
    let vs = projection;
    if (o.normalizeStoredPattern)
      ys = layerNorm(ys, o.normalizeStoredPatternEps, w.normStoredGamma, w.normStoredBeta);
    if (o.normalizeStatePattern)
      rs = layerNorm(rs, o.normalizeStatePatternEps, w.normStateGamma, w.normStateBeta);
    if (o.normalizePatternProjection) {
      vs = layerNorm(vs, o.normalizePatternProjectionEps, w.normProjectionGamma, w.normProjectionBeta);
    }
    let q = w.stateKernel ? splitHeads(linear(rs, w.stateKernel, w.stateBias), H) : repeatHeads(rs, H);
    let k = w.storedKernel ? splitHeads(linear(ys, w.storedKernel, w.storedBias), H) : repeatHeads(ys, H);
    let v: tf.Tensor4D;
    const connected = o.patternProjectionAsConnected && w.storedKernel != null;
    const vIn = connected ? linear(vs, w.storedKernel!, w.storedBias) : vs;
    if (w.projectionKernel) v = splitHeads(linear(vIn, w.projectionKernel, w.projectionBias), H);
    else v = connected ? splitHeads(vIn, H) : repeatHeads(vIn, H);
    if (o.normalizeHopfieldSpace) {
      q = layerNorm(q, o.normalizeHopfieldSpaceEps, w.spaceGamma, w.spaceBeta) as tf.Tensor4D;
      k = layerNorm(k, o.normalizeHopfieldSpaceEps, w.spaceGamma, w.spaceBeta) as tf.Tensor4D;
    }
    return { q, k, v };
  }

  /**
   * Forward pass on batch-first patterns. Returns the output `[B, L, outputSize]` and the
   * association matrix `[B, H, L, S(+extra)]`. The caller runs it inside `tf.tidy`.
   */
  forward(
    stored: tf.Tensor,
    state: tf.Tensor,
    projection: tf.Tensor,
    masks: AssociationMasks,
    training: boolean,
  ): { output: tf.Tensor; association: tf.Tensor4D; projected: tf.Tensor4D } {
    this.checkInputs(stored, state, projection);
    const f32 = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
    [stored, state, projection] = [f32(stored), f32(state), f32(projection)];
    const o = this.opts;
    const w = this.w;
    const { headDim: d } = this.dims;
    const { q, k, v } = this.project(stored, state, projection);
    const defaultScaling = this.dims.staticExecution ? 1 : 1 / Math.sqrt(d);
    const seed = o.seed == null ? undefined : o.seed + 7919 * this.dropoutCalls;
    if (training && o.dropout > 0) this.dropoutCalls++;
    const r = hopfieldCore(q, k, v, {
      scaling: o.scaling ?? defaultScaling,
      updateStepsMax: o.updateStepsMax,
      updateStepsEps: o.updateStepsEps,
      storedPatternPaddingMask: masks.storedPatternPaddingMask,
      associationMask: masks.associationMask,
      dropout: o.dropout,
      training,
      seed,
      addZeroAssociation: o.addZeroAssociation,
      biasPattern:
        w.biasStored && w.biasProjection
          ? { stored: w.biasStored.read(), projection: w.biasProjection.read() }
          : undefined,
    });
    this.lastUpdateSteps = r.updateSteps;
    return { output: this.output(r.output), association: r.association, projected: v };
  }

  /**
   * Heads `[B, H, L, dv]` (the retrieved patterns ξ·V) → layer output `[B, L, outputSize]`: heads
   * concatenated, output projection, optional activation.
   */
  output(heads: tf.Tensor4D): tf.Tensor {
    const o = this.opts;
    const w = this.w;
    const H = this.dims.numHeads;
    const [B, , L, dv] = heads.shape;
    let out: tf.Tensor = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [B, L, H * dv]);
    if (w.outKernel) out = linear(out, w.outKernel, w.outBias);
    if (o.associationActivation != null) out = ACTIVATIONS[o.associationActivation](out);
    return out;
  }

  /** The reference `state_dict` entries (PyTorch names and layouts), in the reference's order. */
  stateEntries(prefix: string): StateEntry[] {
    const o = this.opts;
    const w = this.w;
    const { numHeads: H, headDim: d, valueHeadDim } = this.dims;
    const entries: StateEntry[] = [];
    const core = `${prefix}association_core.`;
    const vec = (name: string, v: LayerVariable, refShape = v.shape as number[]): StateEntry => ({
      name,
      shape: refShape,
      get: () => tf.reshape(v.read(), refShape),
      set: (t) => v.write(tf.reshape(t, v.shape as number[])),
    });
    const mat = (name: string, v: LayerVariable): StateEntry => ({
      name,
      shape: [v.shape[1] as number, v.shape[0] as number],
      get: () => tf.transpose(v.read()),
      set: (t) => v.write(tf.transpose(t)),
    });
    if (w.spaceGamma && w.spaceBeta) {
      entries.push(vec(`${core}p_norm_weight`, w.spaceGamma), vec(`${core}p_norm_bias`, w.spaceBeta));
    }
    const kernels = [w.stateKernel, w.storedKernel, w.projectionKernel].filter(
      (x): x is LayerVariable => x != null,
    );
    if (this.dims.packed) {
      if (kernels.length > 0) {
        const rows = kernels.map((k) => k.shape[1] as number);
        const cols = kernels[0].shape[0] as number;
        entries.push({
          name: `${core}in_proj_weight`,
          shape: [rows.reduce((a, b) => a + b, 0), cols],
          get: () =>
            tf.concat(
              kernels.map((k) => tf.transpose(k.read())),
              0,
            ),
          set: (t) => {
            const parts = tf.split(t, rows, 0);
            kernels.forEach((k, i) => {
              k.write(tf.transpose(parts[i]));
            });
          },
        });
      }
    } else {
      if (w.stateKernel) entries.push(mat(`${core}q_proj_weight`, w.stateKernel));
      if (w.storedKernel) entries.push(mat(`${core}k_proj_weight`, w.storedKernel));
      if (w.projectionKernel) entries.push(mat(`${core}v_proj_weight`, w.projectionKernel));
    }
    if (o.inputBias && kernels.length > 0) {
      // Reference layout: [q (unless static); k (unless static); v (always, unused when static)].
      const parts: { size: number; v?: LayerVariable }[] = [];
      if (!o.statePatternAsStatic) parts.push({ size: H * d, v: w.stateBias });
      if (!o.storedPatternAsStatic) parts.push({ size: H * d, v: w.storedBias });
      parts.push({ size: H * valueHeadDim, v: w.projectionBias });
      const sizes = parts.map((p) => p.size);
      entries.push({
        name: `${core}in_proj_bias`,
        shape: [sizes.reduce((a, b) => a + b, 0)],
        get: () => tf.concat(parts.map((p) => (p.v ? p.v.read() : tf.zeros([p.size])))),
        set: (t) => {
          const split = tf.split(t, sizes);
          parts.forEach((p, i) => {
            p.v?.write(split[i]);
          });
        },
      });
    }
    if (w.biasStored) entries.push(vec(`${core}bias_k`, w.biasStored, [1, 1, H * d]));
    if (w.biasProjection) entries.push(vec(`${core}bias_v`, w.biasProjection, [1, 1, H * valueHeadDim]));
    if (w.outKernel) {
      entries.push(mat(`${core}out_proj.weight`, w.outKernel));
      if (w.outBias) entries.push(vec(`${core}out_proj.bias`, w.outBias));
    }
    const norm = (name: string, g?: LayerVariable, b?: LayerVariable) => {
      if (g && b) entries.push(vec(`${prefix}${name}.weight`, g), vec(`${prefix}${name}.bias`, b));
    };
    norm('norm_stored_pattern', w.normStoredGamma, w.normStoredBeta);
    norm('norm_state_pattern', w.normStateGamma, w.normStateBeta);
    norm('norm_pattern_projection', w.normProjectionGamma, w.normProjectionBeta);
    return entries;
  }
}

/** A state dict value as a float32 tensor (the caller disposes it). */
export function stateValueTensor(v: StateDictValue): tf.Tensor {
  if (v instanceof tf.Tensor) return tf.cast(v, 'float32');
  return tf.tensor(Array.from(v.data), v.shape, 'float32');
}

export function stateValueShape(v: StateDictValue): number[] | null {
  if (v instanceof tf.Tensor) return v.shape;
  if (v != null && typeof v === 'object' && Array.isArray(v.shape) && v.data != null) return v.shape;
  return null;
}

/**
 * Loads reference parameters into `entries`: every problem (missing, unexpected, mis-shaped) is
 * collected first and reported in one error, before anything is written.
 */
export function loadStateEntries(
  entries: StateEntry[],
  dict: Record<string, StateDictValue>,
  opts: { strict?: boolean; ignore?: readonly string[] } = {},
): void {
  const strict = opts.strict ?? true;
  if (dict == null || typeof dict !== 'object') {
    throw new HopfieldError(`stateDict: expected an object of name → tensor, received ${String(dict)}`);
  }
  const known = new Set(entries.map((e) => e.name));
  const problems: string[] = [];
  const missing = entries.filter((e) => !(e.name in dict)).map((e) => e.name);
  if (strict && missing.length) problems.push(`missing: ${missing.join(', ')}`);
  const unexpected = Object.keys(dict).filter((k) => !known.has(k) && !(opts.ignore ?? []).includes(k));
  if (strict && unexpected.length) problems.push(`unexpected: ${unexpected.join(', ')}`);
  for (const e of entries) {
    if (!(e.name in dict)) continue;
    const shape = stateValueShape(dict[e.name]);
    if (shape == null)
      problems.push(`${e.name}: expected a tensor or {shape, data}, received ${typeof dict[e.name]}`);
    else if (shape.join() !== e.shape.join()) {
      problems.push(`${e.name}: expected shape ${fmtShape(e.shape)}, received ${fmtShape(shape)}`);
    }
  }
  if (problems.length) throw new HopfieldError(`loadStateDict: ${problems.join('; ')}`);
  for (const e of entries) {
    if (!(e.name in dict)) continue;
    tf.tidy(() => e.set(stateValueTensor(dict[e.name])));
  }
}

/**
 * A seed for tfjs's normal generators, which treat 0 as "no seed" (`seed ? seed : Math.random()` in
 * tfjs-core `rand_util.ts`): 0 maps to a fixed non-zero value, every other seed to itself.
 */
const normalSeed = (seed: number) => (seed === 0 ? 0x9e3779b9 : seed);

/** Initializers for {@link AddWeight} with derived seeds. */
export function makeInitializer(kind: 'zeros' | 'ones' | 'normal', seed: number | null, index: number) {
  if (kind === 'zeros') return initializers.zeros();
  if (kind === 'ones') return initializers.ones();
  return initializers.randomNormal({
    mean: 0,
    stddev: 0.02,
    seed: seed == null ? undefined : normalSeed(seed + index),
  });
}
