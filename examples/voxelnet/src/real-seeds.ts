// Issue 19's real-data sanity check with seeds: the quick preset trained on synthetic scenes once
// per seed (seeds.ts: `seededConfig`), each evaluated on the held-out synthetic scenes and on the
// real KITTI frames; prints mean ± sd per metric and writes APs and counts only (no KITTI data) to
// results/real-seeds[-<tag>].json. `--scene urban` trains on scenes with vertical structure
// (generateScene's `buildings`, `trees`), the check of the measured precision gap.
//   PAPERSTACK_BACKEND=tensorflow nice -n 10 pnpm exec tsx src/real-seeds.ts [--seeds 0,1,2] [--scene plain|urban] [--kitti DIR]
import '@tensorflow/tfjs-layers';
import { useBestBackend } from '@paperstack/runtime';
import { trainAndEvaluateVoxelNet, VOXELNET_PRESETS } from './experiment';
import { runSeeds, seededConfig, voxelnetSeedMetrics } from './seeds';
import { URBAN_SCENES } from './urban';

await useBestBackend({ log: false });
await runSeeds(
  'voxelnet quick preset (600 steps, lr 4e-3) trained on synthetic scenes per seed; moderate car AP|R11 (%) on 40 held-out synthetic scenes and on the real KITTI frames of --kitti; confident = score ≥ 0.3',
  new URL('../results/', import.meta.url),
  async (seed, { scene, kitti }) => {
    const config = {
      ...seededConfig(VOXELNET_PRESETS.quick, seed),
      ...(scene === 'urban' ? { trainingScenes: URBAN_SCENES } : {}),
    };
    const run = await trainAndEvaluateVoxelNet(
      config,
      (p) => {
        if (p.stage === 'train' && p.step % 100 === 0) console.log(`seed ${seed} step ${p.step}/${p.total}`);
      },
      { kittiDir: kitti },
    );
    return voxelnetSeedMetrics(run);
  },
);
