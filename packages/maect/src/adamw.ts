import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError } from './errors';

/** A set of variables sharing a learning rate and weight decay (a PyTorch "param group"). */
export interface ParamGroup {
  variables: tf.Variable[];
  /** Peak learning rate of the group (before the schedule factor). */
  lr: number;
  /** Decoupled weight decay. Default 0. */
  weightDecay?: number;
}

/** Options of {@link AdamW} shared by all groups (learning rate and weight decay are per group). */
export interface AdamWOptions {
  /** Adam's moment decay rates (β₁, β₂). Default [0.9, 0.95] (MAE and MAE-CT). */
  betas?: [number, number];
  /** ε added to √v̂ in the denominator. Default 1e-8 (as `torch.optim.AdamW`). */
  eps?: number;
}

/**
 * AdamW (Loshchilov & Hutter 2019: decoupled weight decay, `θ ← θ − lr·(m̂/(√v̂+ε) + λθ)`), as
 * `torch.optim.AdamW`, with per-group learning rates — needed for MAE-CT's layer-wise lr decay and
 * its separate head group. tfjs's optimizers have neither decoupled decay nor groups.
 */
export class AdamW {
  private readonly groups: Required<ParamGroup>[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;

  constructor(groups: ParamGroup[], opts: AdamWOptions = {}) {
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.95];
    this.eps = opts.eps ?? 1e-8;
    for (const g of groups)
      if (!(g.lr >= 0)) throw new MaectInputError('groups[].lr', 'a non-negative number', String(g.lr));
    this.groups = groups.map((g) => ({ weightDecay: 0, ...g }));
  }

  /** All variables of all groups. */
  get variables(): tf.Variable[] {
    return this.groups.flatMap((g) => g.variables);
  }

  /**
   * One update with `grads` (by variable name, as `tf.variableGrads` returns them). `lrFactor` scales
   * every group's lr (warmup / cosine schedules). Variables without a gradient are skipped.
   */
  apply(grads: tf.NamedTensorMap, lrFactor = 1): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    for (const g of this.groups) {
      const lr = g.lr * lrFactor;
      for (const p of g.variables) {
        const grad = grads[p.name];
        if (!grad) continue;
        // one tidy per variable: the ~8 weight-sized temporaries of an update are freed before the
        // next variable's (one tidy around all of them held ~8× the model; a ViT-B/16 step then
        // exhausted the 4 GiB wasm heap, bench/NOTES.md "ViT-B on wasm")
        tf.tidy(() => {
          if (!this.m.has(p.name)) {
            this.m.set(p.name, tf.variable(tf.zerosLike(p), false));
            this.v.set(p.name, tf.variable(tf.zerosLike(p), false));
          }
          const m = this.m.get(p.name)!;
          const v = this.v.get(p.name)!;
          m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1)));
          v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2)));
          const step = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
          const decayed = g.weightDecay ? tf.mul(p, 1 - lr * g.weightDecay) : p;
          p.assign(tf.sub(decayed, tf.mul(step, lr)));
        });
      }
    }
  }

  /** Frees the moment estimates m and v (not the optimized variables, which the caller owns). */
  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Linear warmup over `warmup` of the steps, then cosine to 0 (MAE-CT `linear_warmup_cosine_decay`). Step in [0, total). */
export function warmupCosine(step: number, total: number, warmup: number): number {
  const w = Math.round(total * warmup);
  if (step < w) return (step + 1) / w;
  const p = (step - w) / Math.max(1, total - w);
  return 0.5 * (1 + Math.cos(Math.PI * p));
}
