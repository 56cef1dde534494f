// The experiment's building blocks, shared by the scripts (train-rpn.ts, experiment.ts) and by
// runPatchRefinementExperiment: train the RPN, build and train the LRN, and compare RPN alone with
// RPN + LRN on held-out synthetic scenes with voxelnet's KITTI metric (Patch Refinement, Lehner
// et al. 2019, §3: two independently trained VoxelNet-based networks; §4: 3D AP on KITTI).

import { CAR_IOU_05 } from '@paperstack/example-voxelnet';
import {
  evaluatePipeline,
  LocalRefinementNetwork,
  LRN_SMALL_PRESET,
  type PatchRefinementDetector,
  type PipelineEvaluation,
  type PipelineFrame,
  type TrainingScene,
} from '@paperstack/patch-refinement';
import {
  generateScene,
  kitti,
  type Scene,
  type SceneOptions,
  SMALL_PRESET,
  train,
  VoxelNet,
} from '@paperstack/voxelnet';
import { EVAL_SEED0, RPN_CONFIG, TRAIN_SEED0 } from './config';

/** Which synthetic scenes a run trains on: seeds from `firstScene`, with these `generateScene` options. */
export interface TrainingSceneOptions {
  /** Default {@link TRAIN_SEED0}. */
  firstScene?: number;
  scene?: Omit<SceneOptions, 'seed' | 'range'>;
}

/** Progress of a training loop: step of steps, with the step's loss. */
export type StepProgress = (p: { step: number; steps: number; loss: number; elapsedMs: number }) => void;

/**
 * Trains the RPN — voxelnet's small preset with recall-leaning targets ({@link RPN_CONFIG}) — with
 * voxelnet's `train` on synthetic scenes `firstScene + (step mod scenes)` (Adam, `learningRate`
 * default 2e-3, ×0.1 after 80 % of the steps). `seed` sets the initialisation (`seed`) and the
 * sampling and augmentation (`seed + 1`); default 0. The caller disposes `net`.
 */
export async function trainRpn(
  steps: number,
  options: {
    scenes?: number;
    learningRate?: number;
    seed?: number;
    onProgress?: StepProgress;
  } & TrainingSceneOptions = {},
): Promise<{ net: VoxelNet; losses: number[]; elapsedMs: number }> {
  const { scenes = 200, learningRate, seed = 0, firstScene = TRAIN_SEED0 } = options;
  const net = new VoxelNet({ ...RPN_CONFIG, seed });
  const range = SMALL_PRESET.pointCloudRange;
  try {
    const scene = (step: number) =>
      generateScene({ ...options.scene, seed: firstScene + (step % scenes), range });
    const res = await train(net, scene, {
      steps,
      seed: seed + 1,
      learningRate,
      onProgress: options.onProgress,
    });
    return { net, ...res };
  } catch (e) {
    net.dispose();
    throw e;
  }
}

/**
 * The LRN at voxel size `voxel` × `voxel` × 1 m ({@link LRN_SMALL_PRESET} otherwise). `seed` 1
 * keeps the preset's initialisation (network seed 0); `deep` adds a fourth RPN block (stride 2,
 * 64 filters, ×8 upsampling): twice the receptive field in voxels.
 */
export function createLrn(
  voxel: number,
  options: { seed?: number; deep?: boolean } = {},
): LocalRefinementNetwork {
  const { seed = 1, deep = false } = options;
  const base = LRN_SMALL_PRESET.network;
  return new LocalRefinementNetwork({
    voxelSize: [voxel, voxel, 1],
    network: {
      seed: seed === 1 ? 0 : seed,
      ...(deep
        ? {
            rpnBlocks: [...(base.rpnBlocks ?? []), { layers: 2, filters: 64, stride: 2 }],
            rpnUpsample: [...(base.rpnUpsample ?? []), { filters: 32, kernel: 8, stride: 8 }],
          }
        : {}),
    },
  });
}

/** The LRN's training scenes: `firstScene + [0, n)` (a subset of the RPN's). */
export function trainingScenes(n: number, options: TrainingSceneOptions = {}): TrainingScene[] {
  const { firstScene = TRAIN_SEED0 } = options;
  const range = SMALL_PRESET.pointCloudRange;
  return Array.from({ length: n }, (_, i) =>
    generateScene({ ...options.scene, seed: firstScene + i, range }),
  );
}

/** Held-out evaluation scenes `EVAL_SEED0 + [0, n)` (points, LiDAR boxes, KITTI labels, calib). */
export function heldOutScenes(n: number): Scene[] {
  const range = SMALL_PRESET.pointCloudRange;
  return Array.from({ length: n }, (_, i) => generateScene({ seed: EVAL_SEED0 + i, range }));
}

/** Held-out evaluation scenes `EVAL_SEED0 + [0, n)`, as pipeline frames (points, labels, calib). */
export function heldOutFrames(n: number): PipelineFrame[] {
  return heldOutScenes(n).map((s) => ({ points: s.points, labels: s.labels, calib: s.calib }));
}

/** RPN alone vs RPN + LRN on the same frames, at the official IoU 0.7 and at IoU 0.5. */
export interface Comparison {
  /** evaluatePipeline's result (IoU 0.7, detections, mean stage times). */
  evaluation: PipelineEvaluation;
  /** The same detections at car IoU 0.5. */
  rpnAt05: kitti.KittiEvaluation;
  refinedAt05: kitti.KittiEvaluation;
}

/** Runs `detector` and its RPN alone on `frames` and evaluates both (KITTI car metric, IoU 0.7 and 0.5). */
export async function compareRpnAndRefined(
  detector: PatchRefinementDetector,
  frames: readonly PipelineFrame[],
  onProgress?: (p: { frame: number; frames: number; elapsedMs: number }) => void,
): Promise<Comparison> {
  const evaluation = await evaluatePipeline(detector, frames, { onProgress });
  const labels = frames.map((f) => f.labels);
  return {
    evaluation,
    rpnAt05: kitti.evaluate(labels, evaluation.rpnDetections, CAR_IOU_05),
    refinedAt05: kitti.evaluate(labels, evaluation.refinedDetections, CAR_IOU_05),
  };
}
