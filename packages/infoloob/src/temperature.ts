import * as tf from '@tensorflow/tfjs-core';
import { InfoLoobArgumentError } from './errors';

/** Options of {@link InverseTemperature}. */
export interface InverseTemperatureOptions {
  /** Initial 1/τ. Default 30 (CLOOB's CC recipe; the reference's default flag is 14.3). */
  init?: number;
  /** Upper bound of 1/τ; the log-parameter is clamped to [0, ln max]. Default 100, as the reference. */
  max?: number;
  /** Whether optimizers may change it. Default true. */
  trainable?: boolean;
  /** Variable name. Default 'logit_inv_tau' (the reference parameter name). */
  name?: string;
}

/**
 * A learnable inverse temperature, stored as its logarithm (ml-jku/cloob `src/clip/model.py`
 * `logit_inv_tau`) so that 1/τ = exp(θ) stays positive, and clamped to θ ∈ [0, ln max] after each
 * optimizer step as the reference does (`train.py`). Pass `value()` as `invTau` to any loss.
 */
export class InverseTemperature {
  readonly variable: tf.Variable<tf.Rank.R0>;
  readonly max: number;

  constructor(opts: InverseTemperatureOptions = {}) {
    const { init = 30, max = 100, trainable = true, name = 'logit_inv_tau' } = opts;
    if (!(max >= 1) || !Number.isFinite(max)) {
      throw new InfoLoobArgumentError(`InverseTemperature: max must be a finite number ≥ 1, received ${max}`);
    }
    if (!(init >= 1 && init <= max)) {
      throw new InfoLoobArgumentError(`InverseTemperature: init must be in [1, ${max}], received ${init}`);
    }
    this.max = max;
    const initial = tf.scalar(Math.log(init));
    this.variable = tf.variable(initial, trainable, name);
    initial.dispose();
  }

  /** 1/τ = exp(θ), a scalar inside the gradient tape. */
  value(): tf.Scalar {
    return tf.exp(this.variable);
  }

  /** Clamps θ to [0, ln max]; call after each optimizer step. */
  clamp(): void {
    tf.tidy(() => this.variable.assign(tf.clipByValue(this.variable, 0, Math.log(this.max))));
  }

  /** Disposes the variable θ; the instance is unusable afterwards. */
  dispose(): void {
    this.variable.dispose();
  }
}
