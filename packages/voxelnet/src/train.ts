// Training and evaluation loops for VoxelNet (§3.1): one frame per step, optimizer over every
// stage's trainable variables, progress callbacks and checkpoints; evaluation with the KITTI metric.
import * as tf from '@tensorflow/tfjs-core';
import { type AugmentOptions, augmentScene } from './augment';
import { InvalidArgumentError } from './errors';
import { lidarBoxesToObjects } from './kitti/boxes';
import type { KittiCalib } from './kitti/calib';
import { type EvaluateOptions, evaluate, type KittiEvaluation } from './kitti/evaluate';
import type { KittiObject } from './kitti/labels';
import type { LossOptions, LossParts } from './losses';
import type { DetectOptions, VoxelNet } from './voxelnet';

/** One training example: points (N×4, LiDAR frame) and ground-truth LiDAR boxes (M×7). */
export interface TrainingFrame {
  points: Float32Array;
  boxes: ArrayLike<number>;
}

/** Progress of {@link train}, reported after every step. */
export interface TrainProgress extends StepLosses {
  step: number;
  steps: number;
  elapsedMs: number;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Number of steps (frames). */
  steps: number;
  /** Default 'adam'. The paper uses SGD (lr 0.01, batch 16). */
  optimizer?: 'adam' | 'sgd' | 'momentum';
  /** Default 2e-3 (Adam). */
  learningRate?: number;
  /** Multiply the learning rate by 0.1 after this fraction of the steps (the paper's 150 → 160 epoch drop). Default 0.8. */
  decayAt?: number;
  /** Apply §3.2 augmentation (true, false, or options). Default true. */
  augment?: boolean | AugmentOptions;
  loss?: LossOptions;
  /** Seed of the voxel sampling and augmentation. Default 0. */
  seed?: number;
  /** Called after every optimizer step with the step's losses and the elapsed wall time. */
  onProgress?: (p: TrainProgress) => void;
  /** Call `onCheckpoint` every this many steps (and at the end). Default 0 (never). */
  checkpointEvery?: number;
  /**
   * Called with the number of steps done and the network being trained (awaited before the next
   * step), every `checkpointEvery` steps and after the last, e.g. to save `net.getWeights()`.
   */
  onCheckpoint?: (step: number, net: VoxelNet) => void | Promise<void>;
}

/** The values of one training step's {@link LossParts}. */
export interface StepLosses {
  loss: number;
  classification: number;
  regression: number;
}

/**
 * One optimizer step on a detection loss: minimizes `loss().total` over `vars` and returns the
 * total and its parts, read asynchronously together (no synchronous read, so it runs on webgpu in
 * Node). Every tensor of the step is freed. Shared by {@link train} and patch-refinement's `trainLrn`.
 */
export async function lossStep(
  optimizer: tf.Optimizer,
  loss: () => LossParts,
  vars: tf.Variable[],
): Promise<StepLosses> {
  let parts: tf.Tensor[] = [];
  const cost = optimizer.minimize(
    () => {
      const l = loss();
      parts = [tf.keep(l.classification), tf.keep(l.regression)];
      return l.total;
    },
    true,
    vars,
  ) as tf.Scalar;
  const [total, classification, regression] = await Promise.all(
    [cost, ...parts].map(async (t) => (await t.data())[0] as number),
  );
  tf.dispose([cost, ...parts]);
  return { loss: total, classification, regression };
}

/**
 * Trains `net` for `steps` frames drawn from `sample(step)` (a synthetic generator, KITTI frames,
 * …). Returns the per-step losses and the wall time.
 */
export async function train(
  net: VoxelNet,
  sample: (step: number) => TrainingFrame | Promise<TrainingFrame>,
  options: TrainOptions,
): Promise<{ losses: number[]; elapsedMs: number }> {
  const {
    steps,
    optimizer = 'adam',
    learningRate = 2e-3,
    decayAt = 0.8,
    augment = true,
    seed = 0,
    checkpointEvery = 0,
  } = options;
  if (!Number.isInteger(steps) || steps < 1)
    throw new InvalidArgumentError('train', 'options.steps', 'a positive integer', steps);
  const make = (lr: number) =>
    optimizer === 'sgd'
      ? tf.train.sgd(lr)
      : optimizer === 'momentum'
        ? tf.train.momentum(lr, 0.9)
        : tf.train.adam(lr);
  let opt = make(learningRate);
  const decayStep = Math.floor(steps * decayAt);
  const vars = net.trainableVariables();
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    if (step === decayStep && decayStep > 0) {
      opt.dispose();
      opt = make(learningRate * 0.1);
    }
    let frame = await sample(step);
    if (augment) {
      const a = augmentScene(
        frame.points,
        frame.boxes,
        seed * 1_000_003 + step,
        augment === true ? {} : augment,
      );
      frame = { points: a.points, boxes: a.boxes };
    }
    const voxels = net.voxelizer.voxelize(frame.points, { seed: seed * 7919 + step });
    if (voxels.numVoxels === 0) continue;
    const targets = net.targets(frame.boxes);
    const { loss, classification, regression } = await lossStep(
      opt,
      () => net.loss(voxels, targets, options.loss),
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
    if (
      options.onCheckpoint &&
      ((checkpointEvery && (step + 1) % checkpointEvery === 0) || step === steps - 1)
    ) {
      await options.onCheckpoint(step + 1, net);
    }
  }
  opt.dispose();
  return { losses, elapsedMs: performance.now() - t0 };
}

/** A frame to evaluate on: points, KITTI labels (camera frame) and calibration. */
export interface EvaluationFrame {
  points: Float32Array;
  labels: KittiObject[];
  calib: KittiCalib;
}

/**
 * Detects on every frame and evaluates with the KITTI metric (car AP for 2D, BEV, 3D; R11 and
 * R40). Detections are written as KITTI objects through each frame's calibration.
 */
export async function evaluateDetector(
  net: VoxelNet,
  frames: readonly EvaluationFrame[],
  options: { detect?: DetectOptions; evaluate?: EvaluateOptions } = {},
): Promise<{ result: KittiEvaluation; detections: KittiObject[][]; msPerFrame: number }> {
  const detections: KittiObject[][] = [];
  const t0 = performance.now();
  for (const f of frames) {
    const d = await net.detect(f.points, { scoreThreshold: 0.05, ...options.detect });
    detections.push(lidarBoxesToObjects(d.boxes, d.scores, f.calib));
  }
  const msPerFrame = (performance.now() - t0) / Math.max(1, frames.length);
  const result = evaluate(
    frames.map((f) => f.labels),
    detections,
    options.evaluate,
  );
  return { result, detections, msPerFrame };
}
