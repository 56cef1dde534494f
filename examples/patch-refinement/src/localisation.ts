// Localisation diagnostic, independent of the KITTI ranking: on held-out synthetic scenes,
// (a) RPN proposals: for every proposal matched to a ground-truth car (BEV IoU ≥ 0.3), its 3D IoU
//     before and after LRN refinement;
// (b) oracle-jittered proposals (ground truth moved by N(0, 0.4 m) and turned by U(±π/8), as in
//     LRN training): 3D IoU before and after refinement — the LRN alone, without RPN errors
//     beyond the simulated ones.
// Writes results/localisation-<voxel>.json.   tsx src/localisation.ts <voxel> [scenes]
import '@tensorflow/tfjs-layers';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  boxesFromCanonical,
  frameOf,
  LocalRefinementNetwork,
  PatchExtractor,
  patchPoints,
} from '@paperstack/patch-refinement';
import { useBestBackend } from '@paperstack/runtime';
import { bevIoU, generateScene, iou3d, Random, SMALL_PRESET, VoxelNet } from '@paperstack/voxelnet';
import { EVAL_SEED0 } from './config';

const [vsArg = '0.2', n = '50'] = process.argv.slice(2);
await useBestBackend({ log: false, backend: 'wasm' });
const load = (f: string) => JSON.parse(readFileSync(new URL(`../results/${f}`, import.meta.url), 'utf8'));
const r = load('rpn.json');
const rpn = new VoxelNet(r.config);
rpn.setWeights(r.weights);
const l = load(`lrn-${vsArg}-weights.json`);
const lrn = new LocalRefinementNetwork(l.config);
lrn.setWeights(l.weights);
const ex = new PatchExtractor({ size: lrn.config.patchSize, zRange: lrn.config.zRange });
const rng = new Random(123);
const stats = {
  rpn: { before: [] as number[], after: [] as number[], scores: [] as number[] },
  oracle: { before: [] as number[], after: [] as number[] },
};
async function refineAll(points: Float32Array, proposals: Float32Array | Float64Array) {
  const patches = ex.extract(points, proposals);
  const list = Array.from({ length: patches.numPatches }, (_, i) => patchPoints(patches, i));
  const ref = await lrn.refine(list);
  return ref.map((x, i) => ({
    box: boxesFromCanonical(x.box, frameOf(proposals, i)),
    score: x.score,
    empty: list[i].length === 0,
  }));
}
for (let s = 0; s < Number(n); s++) {
  const scene = generateScene({ seed: EVAL_SEED0 + s, range: SMALL_PRESET.pointCloudRange });
  const gt = scene.boxes;
  const M = gt.length / 7;
  if (M === 0) continue;
  const props = await rpn.detect(scene.points, { scoreThreshold: 0.1, nmsIoU: 0.5, maxDetections: 50 });
  const P = props.scores.length;
  if (P > 0) {
    const refined = await refineAll(scene.points, props.boxes);
    const bev = bevIoU(props.boxes, gt);
    for (let i = 0; i < P; i++) {
      let j = 0;
      for (let k = 1; k < M; k++) if (bev[i * M + k] > bev[i * M + j]) j = k;
      if (bev[i * M + j] < 0.3 || refined[i].empty) continue;
      const g = gt.subarray(j * 7, j * 7 + 7);
      stats.rpn.before.push(iou3d(props.boxes.subarray(i * 7, i * 7 + 7), g)[0]);
      stats.rpn.after.push(iou3d(refined[i].box, g)[0]);
      stats.rpn.scores.push(refined[i].score);
    }
  }
  const jittered = new Float64Array(gt.length);
  for (let j = 0; j < M; j++) {
    jittered.set(gt.subarray(j * 7, j * 7 + 7), j * 7);
    jittered[j * 7] += rng.normal(0, 0.4);
    jittered[j * 7 + 1] += rng.normal(0, 0.4);
    jittered[j * 7 + 2] = -1.0; // the RPN anchor height
    jittered[j * 7 + 3] = 3.9; // anchor size: the proposal knows nothing of the car's extent
    jittered[j * 7 + 4] = 1.6;
    jittered[j * 7 + 5] = 1.56;
    jittered[j * 7 + 6] += rng.uniform(-Math.PI / 8, Math.PI / 8);
  }
  const refined = await refineAll(scene.points, jittered);
  for (let j = 0; j < M; j++) {
    const g = gt.subarray(j * 7, j * 7 + 7);
    stats.oracle.before.push(iou3d(jittered.subarray(j * 7, j * 7 + 7), g)[0]);
    stats.oracle.after.push(iou3d(refined[j].box, g)[0]);
  }
}
const summary = (a: number[]) => ({
  n: a.length,
  mean: a.reduce((x, y) => x + y, 0) / Math.max(1, a.length),
  atLeast05: a.filter((x) => x >= 0.5).length / Math.max(1, a.length),
  atLeast07: a.filter((x) => x >= 0.7).length / Math.max(1, a.length),
});
const out = {
  voxelSize: lrn.config.voxelSize,
  scenes: Number(n),
  rpnProposals: { before: summary(stats.rpn.before), after: summary(stats.rpn.after) },
  oracleJitter: { before: summary(stats.oracle.before), after: summary(stats.oracle.after) },
};
writeFileSync(
  new URL(`../results/localisation-${vsArg}.json`, import.meta.url),
  JSON.stringify(out, null, 1),
);
console.log(JSON.stringify(out));
