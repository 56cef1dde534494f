/**
 * Hopfield pooling over huge bags with bounded memory (Ramsauer et al. 2021, §4 / DeepRC, Widrich
 * et al. 2020: one Hopfield net stores the ~10^5 sequences of an immune repertoire).
 *
 * The pooling update (paper Eq. 3 with the learned state pattern as query),
 *   z = softmax(β Q Kᵀ) V,
 * is computed chunk by chunk over the stored patterns with the online-softmax recurrence (running
 * max m, running sum l, running weighted sum a; Milakov & Gimelshein 2018):
 *   m' = max(m, max_j s_j),  l' = l·e^{m−m'} + Σ_j e^{s_j−m'},  a' = a·e^{m−m'} + Σ_j e^{s_j−m'} v_j,
 * which is exact (no approximation; only float32 round-off differs from one big softmax).
 *
 * The gradient is a `tf.customGrad` that recomputes each chunk: with p_j = e^{s_j−M}/L (the final M,
 * L of the forward pass), g = ∂loss/∂z and z the output,
 *   ∂/∂v_j = p_j g,   ∂/∂s_j = p_j (g·v_j − g·z),
 * pushed through the chunk's projections by tf's own autodiff. Only one chunk's keys, values and
 * logits are alive at a time, so memory beyond the input (and its gradient) does not grow with the
 * bag size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { HopfieldAssociation } from './association';
import { canReadSync, stopGradient } from './device';
import { checkPositiveInt, fmtShape, HopfieldError } from './errors';
import { type HopfieldCallKwargs, HopfieldPooling, type HopfieldPoolingArgs, poolingInputs } from './layers';
import { resolveUpdateRule } from './retrieval';

type Kwargs = { [key: string]: unknown };

/** Constructor arguments of {@link StreamingHopfieldPooling}: those of `HopfieldPooling` plus the chunk size. */
export interface StreamingHopfieldPoolingArgs extends HopfieldPoolingArgs {
  /** Stored patterns per chunk. Default 4096. */
  chunkSize?: number;
}

/** Default number of stored patterns processed at once. */
export const DEFAULT_CHUNK_SIZE = 4096;

/** Lowest finite float32: the running max starts here so that fully-masked chunks stay finite. */
const MIN_F32 = -3.4028234663852886e38;

/**
 * `HopfieldPooling` whose association runs as a chunked, numerically exact streaming softmax over
 * the stored patterns (forward and gradient). Same weights, options, state dict and outputs as
 * `HopfieldPooling` (to float32 round-off), with memory bounded by `chunkSize` instead of the bag
 * size. Supports one association step (`updateStepsMax: 0`, the pooling default) without dropout,
 * bias pattern or zero association; the `storedPatternPaddingMask` kwarg is supported,
 * `associationMask` is not.
 */
export class StreamingHopfieldPooling extends HopfieldPooling {
  static override className = 'StreamingHopfieldPooling';
  readonly chunkSize: number;

  constructor(args: StreamingHopfieldPoolingArgs = {}) {
    super(args);
    this.chunkSize = args.chunkSize ?? DEFAULT_CHUNK_SIZE;
    checkPositiveInt('chunkSize', this.chunkSize);
    const o = this.options;
    const steps = Array.isArray(o.updateStepsMax) ? o.updateStepsMax : [o.updateStepsMax];
    if (!steps.every((s) => s === 0)) {
      throw new HopfieldError(
        `updateStepsMax: StreamingHopfieldPooling runs one association step, expected 0, received ${JSON.stringify(o.updateStepsMax)}`,
      );
    }
    if (o.dropout > 0)
      throw new HopfieldError(`dropout: StreamingHopfieldPooling expected 0, received ${o.dropout}`);
    if (o.addZeroAssociation)
      throw new HopfieldError('addZeroAssociation: StreamingHopfieldPooling expected false, received true');
    if (o.concatBiasPattern)
      throw new HopfieldError('concatBiasPattern: StreamingHopfieldPooling expected false, received true');
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const out = this.runStreaming(inputs, kwargs as HopfieldCallKwargs);
      return tf.reshape(out, [out.shape[0], -1]);
    });
  }

  private runStreaming(inputs: tf.Tensor | tf.Tensor[], kwargs: HopfieldCallKwargs): tf.Tensor {
    const list = poolingInputs(inputs);
    if (kwargs?.associationMask != null) {
      throw new HopfieldError(
        'associationMask: StreamingHopfieldPooling expected none (use storedPatternPaddingMask), received a tensor',
      );
    }
    if (!this.built) this.buildEagerly(() => this.build(list.map((t) => t.shape)));
    const f32 = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
    const stored = f32(list[0]);
    const projection = list.length === 2 ? f32(list[1]) : null;
    const pad = kwargs?.storedPatternPaddingMask;
    const [B, N] = stored.shape as [number, number, number];
    if (pad != null) {
      if (!(pad instanceof tf.Tensor) || pad.rank !== 2 || pad.shape[0] !== B || pad.shape[1] !== N) {
        throw new HopfieldError(
          `storedPatternPaddingMask: expected shape [${B},${N}] ([batch, numStored]), received ${pad instanceof tf.Tensor ? fmtShape(pad.shape) : typeof pad}`,
        );
      }
    }
    const heads = streamingAssociation({
      assoc: this.assoc!,
      poolingWeights: this.poolingWeights!,
      stored,
      projection,
      padMask: pad == null ? null : tf.cast(tf.notEqual(pad, 0), 'bool'),
      chunkSize: this.chunkSize,
    });
    return this.assoc!.output(heads);
  }

  /** The `HopfieldPooling` config plus `chunkSize`. */
  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), chunkSize: this.chunkSize };
  }
}

serialization.registerClass(StreamingHopfieldPooling);

interface StreamingInputs {
  assoc: HopfieldAssociation;
  poolingWeights: LayerVariable;
  stored: tf.Tensor;
  projection: tf.Tensor | null;
  padMask: tf.Tensor | null;
  chunkSize: number;
}

/** The trainable variables the association reads (the output projection is applied outside). */
function associationVariables(assoc: HopfieldAssociation, poolingWeights: LayerVariable): tf.Tensor[] {
  const w = assoc.w;
  const used = [
    w.normStoredGamma,
    w.normStoredBeta,
    w.normStateGamma,
    w.normStateBeta,
    w.normProjectionGamma,
    w.normProjectionBeta,
    w.stateKernel,
    w.stateBias,
    w.storedKernel,
    w.storedBias,
    w.projectionKernel,
    w.projectionBias,
    w.spaceGamma,
    w.spaceBeta,
    poolingWeights,
  ];
  return used.filter((v): v is LayerVariable => v?.trainable === true).map((v) => v.read());
}

/** `[B, H, Q, dv]`: softmax(β Q Kᵀ) V computed over chunks of the stored patterns. */
function streamingAssociation(s: StreamingInputs): tf.Tensor4D {
  const { assoc, poolingWeights, stored, projection, padMask, chunkSize } = s;
  const { numHeads: H, headDim: d } = assoc.dims;
  const o = assoc.opts;
  const [B, N] = stored.shape as [number, number, number];
  assoc.checkInputs(
    stored,
    // State shape check only needs the feature size: the broadcast pooling weights.
    tf.zeros([B, 1, assoc.dims.stateSize]),
    projection ?? stored,
  );
  const rule = resolveUpdateRule(H, d, {
    scaling: o.scaling ?? (assoc.dims.staticExecution ? 1 : 1 / Math.sqrt(d)),
  });
  const vars = associationVariables(assoc, poolingWeights);
  const chunks: [number, number][] = [];
  for (let start = 0; start < N; start += chunkSize) chunks.push([start, Math.min(chunkSize, N - start)]);

  const beta = () =>
    rule.scaling.every((b) => b === rule.scaling[0])
      ? tf.scalar(rule.scaling[0])
      : tf.tensor4d(rule.scaling, [1, H, 1, 1]);

  /** Chunk [start, start+n): projected q (scaled), logits s `[B,H,Q,n]` (masked) and values v. */
  const chunkTerms = (
    xc: tf.Tensor,
    pc: tf.Tensor | null,
    mask: tf.Tensor | null,
    start: number,
    n: number,
  ) => {
    const w = poolingWeights.read();
    const state = tf.broadcastTo(tf.expandDims(w, 0), [B, ...(w.shape as number[])]);
    const { q, k, v } = assoc.project(xc, state, pc ?? xc);
    const Q = q.shape[2] as number;
    const q3 = tf.reshape(tf.mul(q, beta()), [B * H, Q, d]);
    const k3 = tf.reshape(k, [B * H, n, d]);
    let logits: tf.Tensor = tf.reshape(tf.matMul(q3, k3, false, true), [B, H, Q, n]);
    if (mask != null) {
      const m = tf.reshape(tf.slice(mask, [0, start], [B, n]), [B, 1, 1, n]);
      logits = tf.where(tf.broadcastTo(m, logits.shape), tf.fill(logits.shape, -Infinity), logits);
    }
    return { logits, v };
  };
  const sliceChunk = (t: tf.Tensor, start: number, n: number) =>
    n === N ? t : tf.slice(t, [0, start, 0], [B, n, t.shape[2] as number]);

  const inputs = projection ? [stored, projection, ...vars] : [stored, ...vars];
  const fn = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as (ts: tf.Tensor[]) => void;
    // Forward: online softmax over chunks (running max m, sum l, weighted sum acc).
    let m: tf.Tensor | null = null;
    let l: tf.Tensor | null = null;
    let acc: tf.Tensor | null = null;
    for (const [start, n] of chunks) {
      const next = tf.tidy(() => {
        const { logits, v } = chunkTerms(
          sliceChunk(stored, start, n),
          projection ? sliceChunk(projection, start, n) : null,
          padMask,
          start,
          n,
        );
        const mNew = tf.maximum(m ?? tf.scalar(MIN_F32), tf.max(logits, -1, true));
        const e = tf.exp(tf.sub(logits, mNew));
        const [Q, dv] = [logits.shape[2] as number, v.shape[3] as number];
        const ev = tf.reshape(tf.matMul(tf.reshape(e, [B * H, Q, n]), tf.reshape(v, [B * H, n, dv])), [
          B,
          H,
          Q,
          dv,
        ]);
        const sumE = tf.sum(e, -1, true);
        if (m == null) return [mNew, sumE, ev];
        const alpha = tf.exp(tf.sub(m, mNew));
        return [mNew, tf.add(tf.mul(l!, alpha), sumE), tf.add(tf.mul(acc!, alpha), ev)];
      });
      tf.dispose([m, l, acc].filter((t): t is tf.Tensor => t != null));
      [m, l, acc] = next;
    }
    // Without a mask every row's sum includes e^0 = 1 from its max; with one, a bag may be all masked
    // (a synchronous read of the [B, H, Q, 1] sums, only then, and not on webgpu: there such a bag's
    // output is NaN, as in `hopfieldCore`).
    if (padMask != null && canReadSync() && l!.dataSync().some((x) => !(x > 0))) {
      tf.dispose([m!, l!, acc!]);
      throw new HopfieldError(
        'storedPatternPaddingMask: expected at least one unmasked stored pattern per bag, received a bag with every pattern masked',
      );
    }
    const out = tf.div(acc!, l!);
    // The gradient re-reads the inputs chunk by chunk: save them (a tidy may free them before the
    // backward pass, e.g. a float32 cast of an integer input).
    save([m!, l!, out, stored, ...(projection ? [projection] : []), ...(padMask ? [padMask] : [])]);
    tf.dispose(acc!);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [M, L, Z, sStored, ...rest] = saved;
        const sProj = projection ? rest[0] : null;
        const sMask = padMask ? rest[projection ? 1 : 0] : null;
        const gz = tf.sum(tf.mul(dy, Z), -1, true); // g·z, [B,H,Q,1]
        const dStored: tf.Tensor[] = [];
        const dProj: tf.Tensor[] = [];
        let dVars: (tf.Tensor | null)[] = vars.map(() => null);
        for (const [start, n] of chunks) {
          const xc = sliceChunk(sStored, start, n);
          const pc = sProj ? sliceChunk(sProj, start, n) : null;
          const xs = pc ? [xc, pc, ...vars] : [xc, ...vars];
          // A nested tape inside the outer backward pass: the engine clears `activeTape` when it
          // finishes, and the outer pass still reads it afterwards, so keep and restore it.
          const engineState = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
          const outerTape = engineState.activeTape;
          const { value, grads } = tf.engine().gradients(
            () => {
              const { logits, v } = chunkTerms(xc, pc, sMask, start, n);
              const [Q, dv] = [logits.shape[2] as number, v.shape[3] as number];
              const p = stopGradient(tf.div(tf.exp(tf.sub(logits, M)), L));
              // g·v_j for every query and stored pattern: [B,H,Q,n].
              const gv = tf.reshape(
                tf.matMul(tf.reshape(dy, [B * H, Q, dv]), tf.reshape(v, [B * H, n, dv]), false, true),
                [B, H, Q, n],
              );
              const ds = stopGradient(tf.mul(p, tf.sub(gv, gz)));
              // Surrogate whose gradient is p_j g w.r.t. v_j and p_j (g·v_j − g·z) w.r.t. s_j.
              // Masked logits are −∞ with ds = 0: replace them so 0·(−∞) does not give NaN.
              const finite = sMask == null ? logits : tf.maximum(logits, MIN_F32);
              return tf.add(tf.sum(tf.mul(p, gv)), tf.sum(tf.mul(ds, finite)));
            },
            xs,
            undefined,
            true,
          );
          engineState.activeTape = outerTape;
          tf.dispose(value);
          const g = grads.map((x) => x ?? null);
          if (xc !== sStored) tf.dispose(xc);
          if (pc != null && pc !== sProj) tf.dispose(pc);
          dStored.push(g[0] ?? tf.zeros(xc.shape));
          if (pc) dProj.push(g[1] ?? tf.zeros(pc.shape));
          const gv = g.slice(pc ? 2 : 1);
          dVars = dVars.map((acc, i) => {
            if (gv[i] == null) return acc;
            if (acc == null) return gv[i];
            const sum = tf.add(acc, gv[i]!);
            tf.dispose([acc, gv[i]!]);
            return sum;
          });
        }
        tf.dispose(gz);
        const cat = (parts: tf.Tensor[]) => {
          if (parts.length === 1) return parts[0];
          const c = tf.concat(parts, 1);
          tf.dispose(parts);
          return c;
        };
        const out = [cat(dStored)];
        if (projection) out.push(cat(dProj));
        return [...out, ...dVars.map((g, i) => g ?? tf.zerosLike(vars[i]))];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (fn as unknown as (...ts: tf.Tensor[]) => tf.Tensor)(...inputs) as tf.Tensor4D;
}
