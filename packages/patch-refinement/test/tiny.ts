// Tiny network sizes for fast tests.
import type { LrnConfig } from '../src/lrn';

/** A tiny LRN: 0.8 m voxels (2 × 8 × 8 grid), 8-channel stages. */
export const TINY: Partial<LrnConfig> = {
  voxelSize: [0.8, 0.8, 2],
  network: {
    maxPointsPerVoxel: 4,
    vfeChannels: [8, 8],
    voxelChannels: 8,
    rpnBlocks: [
      { layers: 1, filters: 8, stride: 1 },
      { layers: 1, filters: 8, stride: 2 },
    ],
    rpnUpsample: [
      { filters: 8, kernel: 3, stride: 1 },
      { filters: 8, kernel: 2, stride: 2 },
    ],
  },
};
