import { SMALL_PRESET } from '@paperstack/voxelnet';
import { describe, expect, it } from 'vitest';
import { EVAL_SEED0, RPN_CONFIG, TRAIN_SEED0 } from './config';

describe('experiment settings', () => {
  it('the RPN is voxelnet small preset with recall-leaning targets; train and eval seeds never overlap', () => {
    expect({ ...RPN_CONFIG, targets: SMALL_PRESET.targets }).toEqual({ ...SMALL_PRESET, seed: 0 });
    expect(RPN_CONFIG.targets).toEqual({ positiveIoU: 0.5, negativeIoU: 0.35 });
    expect(EVAL_SEED0 - TRAIN_SEED0).toBeGreaterThan(200);
  });
});
