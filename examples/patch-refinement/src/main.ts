// Patch Refinement CLI: detect cars in a KITTI-layout folder (velodyne/, calib/, optional
// label_2/) with a trained RPN (results/rpn.json, from train-rpn.ts) and LRN
// (results/lrn-<voxel>-weights.json, from experiment.ts); writes KITTI result files and, when
// labels exist, prints the KITTI metric for RPN alone and RPN + LRN.
//   pnpm --filter @paperstack/example-patch-refinement start --kitti /path/to/training --lrn results/lrn-0.2-weights.json
import '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliArgs } from '@paperstack/example-kit';
import { resolveKittiSplit } from '@paperstack/example-voxelnet';
import {
  evaluatePipeline,
  LocalRefinementNetwork,
  PatchRefinementDetector,
} from '@paperstack/patch-refinement';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { kitti, VoxelNet } from '@paperstack/voxelnet';

const { values } = parseArgs({
  args: cliArgs(),
  options: {
    kitti: { type: 'string' },
    rpn: { type: 'string', default: 'results/rpn.json' },
    lrn: { type: 'string', default: 'results/lrn-0.2-weights.json' },
    out: { type: 'string', default: 'results/kitti-detections' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.kitti) {
  console.log(`usage: patch-refinement --kitti DIR [--rpn FILE] [--lrn FILE] [--out DIR] [--backend wasm|cpu]
  DIR   a KITTI split folder with velodyne/*.bin and calib/*.txt (label_2/*.txt optional: then AP is printed), or its parent holding training/`);
  process.exit(values.help ? 0 : 1);
}
const choice = await useBestBackend({ backend: values.backend as BackendRequest | undefined });
const rpnFile = JSON.parse(readFileSync(values.rpn, 'utf8'));
const rpn = new VoxelNet(rpnFile.config);
rpn.setWeights(rpnFile.weights);
const lrnFile = JSON.parse(readFileSync(values.lrn, 'utf8'));
const lrn = new LocalRefinementNetwork(lrnFile.config);
lrn.setWeights(lrnFile.weights);
const detector = new PatchRefinementDetector(rpn, lrn);
const split = resolveKittiSplit(values.kitti, 'patch-refinement');
const ids = await kitti.listFrames(split);
mkdirSync(values.out, { recursive: true });
const frames = [];
for (const id of ids) {
  const f = await kitti.readFrame(split, id);
  const t0 = performance.now();
  const d = await detector.detect(f.points);
  const objs = kitti.lidarBoxesToObjects(d.boxes, d.scores, f.calib);
  await kitti.writeResults(values.out, id, objs);
  const t = d.times;
  console.log(
    `${id}: ${d.proposals.scores.length} proposals → ${objs.length} cars in ${(performance.now() - t0).toFixed(0)} ms ` +
      `(rpn ${t.rpn.toFixed(0)}, patches ${t.patches.toFixed(1)}, lrn ${t.lrn.toFixed(0)}, nms ${t.nms.toFixed(1)}) [${choice.backend}]`,
  );
  if (f.labels) frames.push({ points: f.points, labels: f.labels, calib: f.calib });
}
if (frames.length > 0) {
  const ev = await evaluatePipeline(detector, frames);
  console.log(
    `RPN alone:\n${kitti.formatEvaluation(ev.rpn)}\nRPN + LRN:\n${kitti.formatEvaluation(ev.refined)}`,
  );
}
