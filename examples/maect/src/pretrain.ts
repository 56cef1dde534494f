import { yieldToEventLoop } from '@paperstack/example-kit';
import { augment, groupedAdamW, type MaskedAutoencoder, warmupCosine } from '@paperstack/maect';
import * as tf from '@tensorflow/tfjs-core';
import { epochBatches, takeRows } from './data';

/**
 * Stage 1 of MAE-CT, MAE pre-training (He et al. 2022 §4 / Table 8 "pre-training setting", scaled
 * down): mask ratio 0.75, norm-pix loss, AdamW β (0.9, 0.95) with weight decay 0.05 on weight
 * matrices only (not on biases, norms and tokens), linear warmup then cosine, random resized crop.
 */
export interface PretrainOptions {
  epochs: number;
  batch: number;
  /** Seeds the batch order, crops and masks. */
  seed: number;
  /** Peak lr. Default 1e-3. */
  lr?: number;
  /** Default 0.05. */
  weightDecay?: number;
  /** Warmup share of all steps. Default 0.1. */
  warmup?: number;
  /** Random-resized-crop area range. Default [0.2, 1] (MAE); no flip: a mirrored digit is not a digit. */
  cropScale?: [number, number];
  /** Horizontal-flip probability. Default 0 (digits); MAE's 0.5 for natural images. */
  flip?: number;
  /** Called after every step with the step's loss. */
  onStep?: (step: number, total: number, loss: number) => void;
}

/** The loss of every pre-training step, and how many steps make an epoch. */
export interface PretrainResult {
  stepLoss: number[];
  stepsPerEpoch: number;
}

/** Pre-trains `mae` on `images` `[n, H, W, C]` in place (facebookresearch/mae `engine_pretrain.py`). */
export async function pretrainMae(
  mae: MaskedAutoencoder,
  images: tf.Tensor4D,
  opts: PretrainOptions,
): Promise<PretrainResult> {
  const {
    epochs,
    batch,
    seed,
    lr = 1e-3,
    weightDecay = 0.05,
    warmup = 0.1,
    cropScale = [0.2, 1],
    flip = 0,
  } = opts;
  const n = images.shape[0];
  const vars = mae.trainableVariables();
  // MAE's `param_groups_weight_decay`: no decay on 1-D parameters and the cls/mask tokens.
  const decays = (v: tf.Variable) => v.rank > 1 && !v.name.includes('token');
  const opt = groupedAdamW(
    [
      { variables: vars.filter(decays), lr, weightDecay },
      { variables: vars.filter((v) => !decays(v)), lr, weightDecay: 0 },
    ],
    { betas: [0.9, 0.95] },
  );
  const stepsPerEpoch = Math.floor(n / batch);
  const total = epochs * stepsPerEpoch;
  const stepLoss: number[] = [];
  try {
    for (let e = 0; e < epochs; e++) {
      for (const idx of epochBatches(n, batch, seed, e)) {
        const s = stepLoss.length;
        const loss = tf.tidy(() => {
          const view = augment(takeRows(images, idx), { seed: seed * 1e6 + s, scale: cropScale, flip });
          const { value, grads } = tf.variableGrads(() => mae.loss(view, { seed: seed * 1e6 + s }), vars);
          opt.learningRate = warmupCosine(s, total, warmup);
          opt.applyGradients(grads);
          return value;
        });
        stepLoss.push(loss.dataSync()[0]);
        loss.dispose();
        opts.onStep?.(s + 1, total, stepLoss[s]);
        await yieldToEventLoop();
      }
    }
  } finally {
    opt.dispose();
  }
  return { stepLoss, stepsPerEpoch };
}
