// Issue 19's real-data sanity check with seeds: the quick preset's RPN and LRN trained on synthetic
// scenes once per seed, RPN alone vs RPN + LRN on the held-out synthetic scenes and on the real
// KITTI frames (does local refinement lift 3D AP there too, as the paper claims?). Seed `s`: RPN
// initialisation `s` (sampling `s + 1`), LRN seed `s + 1`, training scenes from `s · 100,000`
// (seed 0 is the preset itself). Prints mean ± sd per metric and writes APs and counts only (no
// KITTI data) to results/real-seeds[-<scene>].json (committed; the rest of results/ is not).
//   PAPERSTACK_BACKEND=tensorflow nice -n 10 pnpm exec tsx src/real-seeds.ts [--seeds 0,1,2] [--scene plain|urban] [--kitti DIR]
import '@tensorflow/tfjs-layers';
import { moderateAp, runSeeds, URBAN_SCENES } from '@paperstack/example-voxelnet';
import { useBestBackend } from '@paperstack/runtime';
import type { kitti } from '@paperstack/voxelnet';
import { PATCH_REFINEMENT_PRESETS, trainAndComparePatchRefinement } from './run-experiment';

await useBestBackend({ log: false });
await runSeeds(
  'patch-refinement quick preset (RPN 300 steps, LRN 0.2 m 300 steps × 8 patches) trained on synthetic scenes per seed; moderate car AP|R11 (%) of RPN alone and RPN + LRN on 30 held-out synthetic scenes and on the real KITTI frames of --kitti',
  new URL('../results/', import.meta.url),
  async (seed, { scene, kitti: kittiDir }) => {
    const run = await trainAndComparePatchRefinement(
      {
        ...PATCH_REFINEMENT_PRESETS.quick,
        rpnSeed: seed,
        lrnSeed: seed + 1,
        training: {
          firstScene: seed * 100_000,
          ...(scene === 'urban' ? { scene: URBAN_SCENES } : {}),
        },
      },
      (p) => {
        if (p.stage.startsWith('train') && p.step % 100 === 0)
          console.log(`seed ${seed} ${p.stage} ${p.step}/${p.total}`);
      },
      { kittiDir },
    );
    const m: Record<string, number> = {};
    const put = (
      prefix: string,
      rpn: kitti.KittiEvaluation | undefined,
      refined: kitti.KittiEvaluation | undefined,
    ) => {
      const a = moderateAp(rpn);
      const b = moderateAp(refined);
      for (const k of ['3d', 'bev', 'bbox'] as const) {
        const name = k === 'bbox' ? '2D' : k.toUpperCase();
        m[`${prefix} ${name} RPN`] = a[k];
        m[`${prefix} ${name} RPN+LRN`] = b[k];
      }
    };
    const c = run.comparison;
    put('synthetic IoU 0.7', c.evaluation.rpn, c.evaluation.refined);
    put('synthetic IoU 0.5', c.rpnAt05, c.refinedAt05);
    const loc = run.localisation.rpnProposals;
    m['synthetic matched proposals'] = loc.before.n;
    m['synthetic proposal 3D IoU before'] = +loc.before.mean.toFixed(4);
    m['synthetic proposal 3D IoU after'] = +loc.after.mean.toFixed(4);
    const k = run.kitti;
    if (k) {
      put('real IoU 0.7', k.ap?.rpn, k.ap?.refined);
      put('real IoU 0.5', k.ap05?.rpn, k.ap05?.refined);
      put('real in range IoU 0.5', k.inRange?.ap05.rpn, k.inRange?.ap05.refined);
      const frames = k.frames;
      const perFrame = (f: (r: (typeof frames)[number]) => number) =>
        +(frames.reduce((a, r) => a + f(r), 0) / frames.length).toFixed(2);
      m['real detections ≥ 0.05/frame RPN'] = perFrame((r) => r.rpn);
      m['real detections ≥ 0.05/frame RPN+LRN'] = perFrame((r) => r.refined);
    }
    m['train RPN s'] = +(run.rpnTrainMs / 1000).toFixed(1);
    m['train LRN s'] = +(run.lrnTrainMs / 1000).toFixed(1);
    return m;
  },
);
