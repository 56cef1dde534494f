// Re-runs a trained checkpoint (train-synthetic.ts writes results/small-checkpoint.json) on real
// KITTI frames without training again: per-frame detections, AP over every label and over the
// labels in range, and the measured domain gap. `--reflectance synthetic` first maps each real
// point's reflectance to the same quantile of the held-out synthetic scenes' reflectance — the
// check of whether the reflectance gap alone explains the misses. `--range wide` runs the same
// weights over a 4× larger area, where most labelled cars lie.
//   pnpm exec tsx src/kitti-check.ts --weights results/small-checkpoint.json --kitti DIR [--scenes 40] [--reflectance synthetic] [--range small|wide] [--backend wasm]
import '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliArgs, type Table } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { generateScene, kitti, VoxelNet } from '@paperstack/voxelnet';
import { domainGapTable } from './domain-gap';
import { EVAL_SEED0 } from './experiment';
import { apTable } from './figures';
import { readKittiFrames } from './kitti-frames';
import { carMatchTable, detectOnKitti, kittiFrameTable, kittiNotes } from './real-frames';

const { values } = parseArgs({
  args: cliArgs(),
  options: {
    weights: { type: 'string', default: 'results/small-checkpoint.json' },
    kitti: { type: 'string', default: '../../../shared/data/kitti' },
    scenes: { type: 'string', default: '40' },
    reflectance: { type: 'string', default: 'real' },
    score: { type: 'string', default: '0.3' },
    backend: { type: 'string', default: 'wasm' },
    range: { type: 'string', default: 'small' },
  },
});
await useBestBackend({ log: false, backend: values.backend as BackendRequest });
const ck = JSON.parse(readFileSync(values.weights, 'utf8'));
// `--range wide`: the same weights on a 4× larger BEV grid (x 0…51.2 m, y ±25.6 m). The network is
// convolutional after the VFE, so the weights fit any grid; the VFE sees absolute coordinates it
// never saw in training beyond 25.6 m.
if (values.range !== 'small' && values.range !== 'wide') {
  console.error(`kitti-check: --range expects small or wide; received ${values.range}`);
  process.exit(2);
}
const net = new VoxelNet(
  values.range === 'wide' ? { pointCloudRange: [0, -25.6, -3, 51.2, 25.6, 1], maxVoxels: 16384 } : 'small',
);
net.setWeights(ck.weights);
const range = net.config.pointCloudRange;
const scenes = Array.from({ length: Number(values.scenes) }, (_, i) =>
  generateScene({ seed: EVAL_SEED0 + i, range }),
);
const frames = await readKittiFrames(values.kitti, 'kitti-check');
if (values.reflectance === 'synthetic') {
  const synth = Float32Array.from(scenes.flatMap((s) => Array.from(s.points.filter((_, i) => i % 4 === 3))));
  synth.sort();
  for (const f of frames) {
    const n = f.points.length / 4;
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => f.points[a * 4 + 3] - f.points[b * 4 + 3],
    );
    order.forEach((p, rank) => {
      f.points[p * 4 + 3] = synth[Math.min(synth.length - 1, Math.floor(((rank + 0.5) / n) * synth.length))];
    });
  }
} else if (values.reflectance !== 'real') {
  console.error(`kitti-check: --reflectance expects real or synthetic; received ${values.reflectance}`);
  process.exit(2);
}
const k = await detectOnKitti(net, frames, values.kitti, scenes, Number(values.score));
net.dispose();
console.log(`checkpoint step ${ck.step}, reflectance ${values.reflectance}, range ${range.join(', ')}`);
const print = (t: Table) => {
  console.log(`\n${t.title}\n${t.columns.join(' | ')}`);
  for (const r of t.rows) console.log(r.join(' | '));
};
print(kittiFrameTable(k, Number(values.score)));
if (k.official && k.iou05 && k.inRange) {
  console.log(
    `\nall labels (${k.cars.all} cars)\n${kitti.formatEvaluation(k.official)}\nIoU 0.5\n${kitti.formatEvaluation(k.iou05)}`,
  );
  console.log(
    `\nin range (${k.cars.inRange} cars)\n${kitti.formatEvaluation(k.inRange.official)}\nIoU 0.5\n${kitti.formatEvaluation(k.inRange.iou05)}`,
  );
  print(apTable('in range', [{ model: 'IoU 0.5', evaluation: k.inRange.iou05 }]));
}
print(carMatchTable(k));
const gap = domainGapTable(
  'domain gap',
  [
    { name: 'synthetic', stats: k.gap.synthetic },
    { name: 'real', stats: k.gap.real },
  ],
  net.config.maxVoxels,
);
print(gap);
console.log(`\n${kittiNotes(k).join('\n')}`);
