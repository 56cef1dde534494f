// Evaluates a checkpoint (default reports/small-checkpoint.json; examples/voxelnet's train-synthetic.ts
// writes them to examples/voxelnet/results/small-checkpoint.json) on held-out synthetic scenes and, when
// present, on the real KITTI frames (inference sanity: the small preset covers 25.6 m × 25.6 m in front
// of the car and never saw real data). Writes BEV pictures to reports/.
//   pnpm exec tsx packages/voxelnet/scripts/eval-checkpoint.ts [evalScenes] [backend] [checkpoint.json]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { evaluateDetector, generateScene, kitti, renderBevSvg, VoxelNet } from '../src/index';

const [evalArg = '100', backend = 'wasm', checkpointPath] = process.argv.slice(2);
await tf.setBackend(backend);
await tf.ready();
const ckpt = JSON.parse(
  readFileSync(checkpointPath ?? new URL('../reports/small-checkpoint.json', import.meta.url), 'utf8'),
);
const net = new VoxelNet('small');
net.setWeights(ckpt.weights);
const range = net.config.pointCloudRange;
const scenes = Array.from({ length: Number(evalArg) }, (_, i) =>
  generateScene({ seed: 1_000_000 + i, range }),
);
const syn = await evaluateDetector(net, scenes);
console.log(
  `checkpoint step ${ckpt.step}, ${scenes.length} held-out synthetic scenes, ${syn.msPerFrame.toFixed(0)} ms/frame`,
);
console.log(kitti.formatEvaluation(syn.result));
const d0 = await net.detect(scenes[0].points);
writeFileSync(
  new URL('../reports/bev-synthetic-0.svg', import.meta.url),
  renderBevSvg(scenes[0].points, {
    range,
    groundTruth: scenes[0].boxes,
    detections: d0.boxes,
    scores: d0.scores,
  }),
);
const KITTI = '/work/shared/data/kitti/training';
if (existsSync(KITTI)) {
  const frames = [];
  for (const id of await kitti.listFrames(KITTI)) {
    const f = await kitti.readFrame(KITTI, id);
    frames.push({
      id,
      points: kitti.cropToImageFov(f.points, f.calib),
      labels: f.labels ?? [],
      calib: f.calib,
    });
  }
  const real = await evaluateDetector(net, frames);
  console.log(`real KITTI frames (${frames.length}):`);
  console.log(kitti.formatEvaluation(real.result));
  for (const [i, f] of frames.entries()) {
    const det = real.detections[i].filter((o) => (o.score ?? 0) >= 0.3);
    const gt = kitti.objectsToLidarBoxes(
      f.labels.filter((o) => o.type === 'Car'),
      f.calib,
    );
    const db = kitti.objectsToLidarBoxes(det, f.calib);
    writeFileSync(
      new URL(`../reports/bev-kitti-${f.id}.svg`, import.meta.url),
      renderBevSvg(f.points, {
        range,
        groundTruth: gt,
        detections: db,
        scores: det.map((o) => o.score ?? 0),
      }),
    );
    console.log(`${f.id}: ${det.length} detections ≥ 0.3, ${gt.length / 7} labelled cars`);
  }
}
