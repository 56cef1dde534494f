import { yieldToEventLoop } from '@paperstack/example-kit';
import {
  augment,
  ContrastiveTuner,
  type ContrastiveTuningOptions,
  type VisionTransformer,
  warmupCosine,
} from '@paperstack/maect';
import * as tf from '@tensorflow/tfjs-core';
import { epochBatches, type LabelledImages, takeRows } from './data';

/**
 * MAE-CT stages 2 and 3 (Lehner et al., AAAI 2024, §3, Fig. 3; ml-jku/MAE-CT `yamls/stage2_*`,
 * `yamls/stage3_*`), scaled down to a 64-wide ViT: the NNCLR head (projector 256-256-64,
 * predictor 256-64), τ 0.15, a 2048-row queue; stage 3 freezes the lower half of the blocks and
 * tunes the upper half with layer-wise lr decay 0.65, an EMA target projector (0.99) and neighbours
 * drawn from the top 20.
 */
export interface TuneOptions {
  /** Stage-2 (head initialization) epochs: frozen encoder. */
  headEpochs: number;
  /** Stage-3 (contrastive tuning) epochs. */
  tuneEpochs: number;
  batch: number;
  /** Seeds the head, queue, neighbour draws, batch order and views. */
  seed: number;
  /** Random-resized-crop area range of both views. Default [0.25, 1]; no flip for digits. */
  cropScale?: [number, number];
  /** Horizontal-flip probability of both views. Default 0 (digits); MAE-CT's 0.5 for natural images. */
  flip?: number;
  /** Called after every step. */
  onStep?: (stage: 2 | 3, step: number, total: number, r: TuneStep) => void;
}

/** One contrastive step: the NNCLR loss and the share of neighbours with the sample's label. */
export interface TuneStep {
  stage: 2 | 3;
  /** 1-based epoch of the stage. */
  epoch: number;
  loss: number;
  /** Null when the step had no labels. */
  nnAccuracy: number | null;
}

/** The head recipe both stages share (MAE-CT's NNCLR head at 1/32 of ViT-B's widths). */
export const CT_HEAD = {
  projHiddenDim: 256,
  predHiddenDim: 256,
  outputDim: 64,
  queueSize: 2048,
  temperature: 0.15,
} as const;

/** Runs MAE-CT stage 2 then stage 3 on `encoder` in place; returns every step. */
export async function contrastiveTune(
  encoder: VisionTransformer,
  train: LabelledImages,
  opts: TuneOptions,
): Promise<{ steps: TuneStep[]; stage2Ms: number; stage3Ms: number }> {
  const { seed, batch, cropScale = [0.25, 1], flip = 0 } = opts;
  const head = { ...CT_HEAD, seed };
  const steps: TuneStep[] = [];
  const n = train.labels.length;
  const runStage = async (tuner: ContrastiveTuner, stage: 2 | 3, epochs: number) => {
    const perEpoch = Math.floor(n / batch);
    const total = epochs * perEpoch;
    let s = 0;
    for (let e = 0; e < epochs; e++) {
      // Both stages walk the epochs 100, 101, … of the batch stream (as the measured runs did).
      for (const idx of epochBatches(n, batch, seed, 100 + e)) {
        const x = takeRows(train.x, idx);
        const v0 = augment(x, { seed: seed * 1e6 + 2 * s, scale: cropScale, flip });
        const v1 = augment(x, { seed: seed * 1e6 + 2 * s + 1, scale: cropScale, flip });
        let r: ReturnType<ContrastiveTuner['step']>;
        try {
          r = tuner.step(v0, v1, {
            ids: idx,
            labels: idx.map((i) => train.labels[i]),
            lrFactor: warmupCosine(s, total, 0.2),
          });
        } finally {
          tf.dispose([x, v0, v1]);
        }
        const step: TuneStep = { stage, epoch: e + 1, loss: r.loss, nnAccuracy: r.nnAccuracy };
        steps.push(step);
        s++;
        opts.onStep?.(stage, s, total, step);
        await yieldToEventLoop();
      }
    }
  };
  const t0 = performance.now();
  const s2 = new ContrastiveTuner(encoder, { stage: 2, ...head, headLr: 1e-3 });
  let s3: ContrastiveTuner | undefined;
  try {
    await runStage(s2, 2, opts.headEpochs);
    const t1 = performance.now();
    const stage3: ContrastiveTuningOptions = {
      stage: 3,
      ...head,
      from: s2,
      headLr: 1e-3,
      encoderLr: 1e-3,
      topk: 20,
      emaMomentum: 0.99,
      layerDecay: 0.65,
    };
    s3 = new ContrastiveTuner(encoder, stage3);
    await runStage(s3, 3, opts.tuneEpochs);
    return { steps, stage2Ms: t1 - t0, stage3Ms: performance.now() - t1 };
  } finally {
    // Stage 3 took over stage 2's heads and queue; dispose whichever owns them.
    (s3 ?? s2).dispose();
  }
}
