// Independent LRN training (Patch Refinement §3.2): every step draws a fresh batch of patches
// from the training scenes (`samplePatches`: jittered proposals around ground-truth boxes,
// augmentations, background patches) — only a few small regions of each scene are ever processed —
// and takes one optimizer step on voxelnet's loss over the canonical anchors.
import { InvalidArgumentError, type LossOptions, lossStep, type TrainProgress } from '@paperstack/voxelnet';
import * as tf from '@tensorflow/tfjs-core';
import type { LocalRefinementNetwork } from './lrn';
import { type SampleOptions, samplePatches, sceneExtent, type TrainingScene } from './samples';

/** Progress of {@link trainLrn}, after every step. */
export type LrnTrainProgress = TrainProgress;

/** Options of {@link trainLrn}. */
export interface LrnTrainOptions {
  /** Optimizer steps. */
  steps: number;
  /** Patches per step. Default 8. */
  batchSize?: number;
  /** Adam learning rate. Default 2e-3 (voxelnet's `train` default). */
  learningRate?: number;
  /** Multiply the learning rate by 0.1 after this fraction of the steps. Default 0.8. */
  decayAt?: number;
  /** Patch sampling and augmentation (patch size and z slab are taken from the LRN). */
  sample?: Omit<SampleOptions, 'patchSize' | 'zRange' | 'seed'>;
  /** Loss options (voxelnet's `voxelnetLoss`). Default the paper's α = 1.5, β = 1, σ = 3. */
  loss?: LossOptions;
  /** Seed of the patch sampling and voxel shuffling. Default 0. */
  seed?: number;
  /** Called after every optimizer step with the step's losses and the elapsed wall time. */
  onProgress?: (p: LrnTrainProgress) => void;
}

/** Trains `lrn` on patches drawn from `scenes`. Returns the per-step losses and the wall time. */
export async function trainLrn(
  lrn: LocalRefinementNetwork,
  scenes: readonly TrainingScene[],
  options: LrnTrainOptions,
): Promise<{ losses: number[]; elapsedMs: number }> {
  const { steps, batchSize = 8, learningRate = 2e-3, decayAt = 0.8, seed = 0 } = options;
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new InvalidArgumentError('trainLrn', 'options.steps', 'a positive integer', steps);
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new InvalidArgumentError('trainLrn', 'options.batchSize', 'a positive integer', batchSize);
  if (scenes.length === 0) throw new InvalidArgumentError('trainLrn', 'scenes', 'at least one scene', 0);
  // background patches are centred anywhere in the scenes' extent (computed once)
  const sampleOptions: SampleOptions = {
    backgroundRegion: sceneExtent(scenes),
    ...options.sample,
    patchSize: lrn.config.patchSize,
    zRange: lrn.config.zRange,
  };
  let opt = tf.train.adam(learningRate);
  const decayStep = Math.floor(steps * decayAt);
  const vars = lrn.trainableVariables();
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    if (step === decayStep && decayStep > 0) {
      opt.dispose();
      opt = tf.train.adam(learningRate * 0.1);
    }
    const examples = samplePatches(scenes, batchSize, { ...sampleOptions, seed: seed * 1_000_003 + step });
    if (examples.every((e) => e.points.length === 0)) continue;
    const { loss, classification, regression } = await lossStep(
      opt,
      () => lrn.loss(examples, { ...options.loss, seed: seed * 7919 + step * batchSize }),
      vars,
    );
    losses.push(loss);
    options.onProgress?.({
      step: step + 1,
      steps,
      loss,
      classification,
      regression,
      elapsedMs: performance.now() - t0,
    });
  }
  opt.dispose();
  return { losses, elapsedMs: performance.now() - t0 };
}
