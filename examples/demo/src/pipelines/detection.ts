import { runPatchRefinementExperiment } from '@paperstack/example-patch-refinement';
import { runVoxelNetExperiment } from '@paperstack/example-voxelnet';
import { experimentPipeline } from './experiment';

/**
 * VoxelNet on synthetic LiDAR scenes (examples/voxelnet): KITTI-metric AP before vs after training;
 * with `--kitti DIR` also the trained detector on the real frames.
 */
export const voxelnetPipeline = experimentPipeline(
  'voxelnet',
  'VoxelNet on synthetic LiDAR scenes',
  runVoxelNetExperiment,
);

/**
 * Patch Refinement (examples/patch-refinement): RPN alone vs RPN + Local Refinement Network on
 * held-out synthetic scenes; with `--kitti DIR` also both on the real frames.
 */
export const patchRefinementPipeline = experimentPipeline(
  'patch-refinement',
  'Patch Refinement: RPN vs RPN + local refinement',
  runPatchRefinementExperiment,
);
