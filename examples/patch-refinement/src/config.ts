// The experiment's shared settings.
import { SMALL_PRESET, type VoxelNetConfig } from '@paperstack/voxelnet';

/** RPN: voxelnet's small preset, targets loosened for recall (positive ≥ 0.5, negative < 0.35 BEV IoU). */
export const RPN_CONFIG: VoxelNetConfig = {
  ...SMALL_PRESET,
  targets: { positiveIoU: 0.5, negativeIoU: 0.35 },
  seed: 0,
};
/** Training scenes use seeds TRAIN_SEED0 + [0, 200); held-out evaluation scenes EVAL_SEED0 + [0, n). */
export const TRAIN_SEED0 = 0;
/** First held-out evaluation scene seed (see {@link TRAIN_SEED0}). */
export const EVAL_SEED0 = 5_000_000;
