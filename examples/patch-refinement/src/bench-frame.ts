// Per-frame time split of the pipeline (RPN, patch extraction, LRN, NMS) on held-out synthetic
// scenes, after one warm-up frame: median and mean per stage, and proposals per frame.
//   tsx src/bench-frame.ts [voxel=0.2] [frames=20] [backend=wasm]
import '@tensorflow/tfjs-layers';
import { readFileSync, writeFileSync } from 'node:fs';
import { LocalRefinementNetwork, PatchRefinementDetector } from '@paperstack/patch-refinement';
import { useBestBackend } from '@paperstack/runtime';
import { generateScene, SMALL_PRESET, VoxelNet } from '@paperstack/voxelnet';
import { EVAL_SEED0 } from './config';

const [vs = '0.2', n = '20', backend = 'wasm'] = process.argv.slice(2);
await useBestBackend({ log: false, backend: backend as 'wasm' });
const load = (f: string) => JSON.parse(readFileSync(new URL(`../results/${f}`, import.meta.url), 'utf8'));
const r = load('rpn.json');
const rpn = new VoxelNet(r.config);
rpn.setWeights(r.weights);
const l = load(`lrn-${vs}-weights.json`);
const lrn = new LocalRefinementNetwork(l.config);
lrn.setWeights(l.weights);
const det = new PatchRefinementDetector(rpn, lrn);
const scenes = Array.from({ length: Number(n) + 1 }, (_, i) =>
  generateScene({ seed: EVAL_SEED0 + i, range: SMALL_PRESET.pointCloudRange }),
);
const rows: Record<string, number>[] = [];
for (const [i, s] of scenes.entries()) {
  const t0 = performance.now();
  const d = await det.detect(s.points);
  const total = performance.now() - t0;
  if (i > 0)
    rows.push({ ...d.times, total, proposals: d.proposals.scores.length, points: s.points.length / 4 });
}
const stat = (k: string) => {
  const v = rows.map((x) => x[k]).sort((a, b) => a - b);
  return { median: v[Math.floor(v.length / 2)], mean: v.reduce((a, b) => a + b, 0) / v.length };
};
const out = Object.fromEntries(
  ['rpn', 'patches', 'lrn', 'nms', 'total', 'proposals', 'points'].map((k) => [k, stat(k)]),
);
writeFileSync(
  new URL(`../results/bench-frame-${vs}-${backend}.json`, import.meta.url),
  JSON.stringify({ backend, voxel: vs, frames: rows.length, ...out }, null, 1),
);
console.log(JSON.stringify({ backend, voxel: vs, ...out }));
