// Localisation diagnostic, independent of the KITTI ranking (`localisationStudy`, shared with
// runPatchRefinementExperiment): 3D IoU of matched RPN proposals and of jittered ground truth,
// before and after LRN refinement, on held-out synthetic scenes.
// Writes results/localisation-<voxel>.json.   tsx src/localisation.ts <voxel> [scenes]
import '@tensorflow/tfjs-layers';
import { readFileSync, writeFileSync } from 'node:fs';
import { LocalRefinementNetwork } from '@paperstack/patch-refinement';
import { useBestBackend } from '@paperstack/runtime';
import { VoxelNet } from '@paperstack/voxelnet';
import { localisationStudy } from './localisation-study';
import { heldOutScenes } from './run';

const [vsArg = '0.2', n = '50'] = process.argv.slice(2);
await useBestBackend({ log: false, backend: 'wasm' });
const load = (f: string) => JSON.parse(readFileSync(new URL(`../results/${f}`, import.meta.url), 'utf8'));
const r = load('rpn.json');
const rpn = new VoxelNet(r.config);
rpn.setWeights(r.weights);
const l = load(`lrn-${vsArg}-weights.json`);
const lrn = new LocalRefinementNetwork(l.config);
lrn.setWeights(l.weights);
const study = await localisationStudy(rpn, lrn, heldOutScenes(Number(n)));
const out = { voxelSize: lrn.config.voxelSize, scenes: Number(n), ...study };
writeFileSync(
  new URL(`../results/localisation-${vsArg}.json`, import.meta.url),
  JSON.stringify(out, null, 1),
);
console.log(JSON.stringify(out));
