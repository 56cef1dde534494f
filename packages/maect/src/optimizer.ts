import { AdamW } from '@paperstack/nnclr';
import type * as tf from '@tensorflow/tfjs-core';
import { MaectInputError } from './errors';

/** A set of variables sharing a learning rate and weight decay (a PyTorch "param group"). */
export interface ParamGroup {
  variables: tf.Variable[];
  /** Peak learning rate of the group (before the schedule factor). */
  lr: number;
  /** Decoupled weight decay. Default 0. */
  weightDecay?: number;
}

/** Options of {@link groupedAdamW} shared by all groups (learning rate and weight decay are per group). */
export interface GroupedAdamWOptions {
  /** Adam's moment decay rates (β₁, β₂). Default [0.9, 0.95] (MAE and MAE-CT). */
  betas?: [number, number];
  /** ε added to √v̂ in the denominator. Default 1e-8 (as `torch.optim.AdamW`). */
  eps?: number;
}

/**
 * `@paperstack/nnclr`'s {@link AdamW} (decoupled weight decay, as `torch.optim.AdamW`) over
 * PyTorch-style parameter groups, as MAE pre-training (no decay on 1-D weights and tokens) and
 * MAE-CT stage 3 (layer-wise lr decay, a separate head group) need. Each group's `lr` becomes the
 * variables' `lrScale`, so the optimizer's `learningRate` is the schedule factor: 1 (the default)
 * trains every group at its own lr, {@link warmupCosine} gives MAE-CT's schedule. Variables in no
 * group are not updated.
 */
export function groupedAdamW(groups: ParamGroup[], opts: GroupedAdamWOptions = {}): AdamW {
  const [beta1, beta2] = opts.betas ?? [0.9, 0.95];
  const byName = new Map<string, { lrScale: number; weightDecay: number }>();
  for (const g of groups) {
    if (!(g.lr >= 0)) throw new MaectInputError('groups[].lr', 'a non-negative number', String(g.lr));
    for (const v of g.variables) byName.set(v.name, { lrScale: g.lr, weightDecay: g.weightDecay ?? 0 });
  }
  return new AdamW({
    learningRate: 1,
    beta1,
    beta2,
    epsilon: opts.eps ?? 1e-8,
    paramGroup: (v) => byName.get(v.name) ?? { lrScale: 0, weightDecay: 0 },
  });
}

/** Linear warmup over `warmup` of the steps, then cosine to 0 (MAE-CT `linear_warmup_cosine_decay`). Step in [0, total). */
export function warmupCosine(step: number, total: number, warmup: number): number {
  const w = Math.round(total * warmup);
  if (step < w) return (step + 1) / w;
  const p = (step - w) / Math.max(1, total - w);
  return 0.5 * (1 + Math.cos(Math.PI * p));
}
