// Runs the KITTI devkit (built by build-devkit.py) and kitti.evaluate on the same label/result
// folders and compares every precision sample. Writes test/fixtures/devkit_parity.json (synthetic
// frames + the devkit's numbers; with the real frames, only the devkit's APs — never KITTI data).
//
//   pnpm exec tsx packages/voxelnet/scripts/devkit/compare.ts /tmp/devkit/build/evaluate_object
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kitti } from '../../src/index';
import { jitterDetections, randomLabelFrames } from '../../test/devkit-cases';

const devkit = process.argv[2] ?? '/tmp/devkit/build/evaluate_object';
const KITTI = process.env.KITTI_DIR ?? '/work/shared/data/kitti/training';
const METRIC_FILES = {
  bbox: 'car_detection',
  bev: 'car_detection_ground',
  '3d': 'car_detection_3d',
} as const;

async function runCase(gt: kitti.KittiObject[][], det: kitti.KittiObject[][]) {
  const dir = mkdtempSync(join(tmpdir(), 'devkit-'));
  for (let i = 0; i < gt.length; i++) {
    await kitti.writeResults(
      join(dir, 'label_2'),
      i,
      gt[i].map((o) => ({ ...o, score: undefined })),
    );
    await kitti.writeResults(join(dir, 'results', 'data'), i, det[i]);
  }
  const r = spawnSync(devkit, [join(dir, 'label_2'), join(dir, 'results')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`devkit failed: ${r.stderr}`);
  const ours = await kitti.evaluateFolders(join(dir, 'label_2'), join(dir, 'results', 'data'));
  const out: Record<string, { precision: number[][]; ap11: number[]; ap40: number[] }> = {};
  let maxDiff = 0;
  for (const [metric, file] of Object.entries(METRIC_FILES)) {
    const path = join(dir, 'results', `stats_${file}.txt`);
    const precision = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    const ap11 = precision.map(
      (p) => (p.filter((_, i) => i % 4 === 0).reduce((a, b) => a + b, 0) / 11) * 100,
    );
    const ap40 = precision.map((p) => (p.slice(1).reduce((a, b) => a + b, 0) / 40) * 100);
    out[metric] = { precision, ap11, ap40 };
    const mine = ours.Car[metric as kitti.KittiMetric]!;
    for (let d = 0; d < 3; d++) {
      for (let k = 0; k < 41; k++)
        maxDiff = Math.max(maxDiff, Math.abs(mine.precision[d][k] - precision[d][k]));
    }
    console.log(
      `${metric.padEnd(4)} devkit R11 ${ap11.map((v) => v.toFixed(4)).join(' ')} | ours ${mine.ap11.map((v) => v.toFixed(4)).join(' ')}`,
    );
    console.log(
      `${''.padEnd(4)} devkit R40 ${ap40.map((v) => v.toFixed(4)).join(' ')} | ours ${mine.ap40.map((v) => v.toFixed(4)).join(' ')}`,
    );
  }
  console.log(`max |precision difference| = ${maxDiff.toExponential(2)} (devkit prints 6 decimals)`);
  return { devkit: out, maxDiff, gt: gt, det: det };
}

const fixture: Record<string, unknown> = {
  case: 'kitti devkit parity',
  reference: {
    repo: 'qianguih/voxelnet',
    path: 'kitti_eval/evaluate_object_3d_offline.cpp',
    note: 'built by scripts/devkit/build-devkit.py (Boost polygon code replaced, car IoU 0.7 for all metrics)',
  },
};
console.log('== synthetic labels (200 frames)');
const gt = randomLabelFrames(200, 11);
const det = jitterDetections(gt, 12);
// store the parsed-back (2-decimal) objects, which is what both evaluators read
const round = (frames: kitti.KittiObject[][]) => frames.map((f) => kitti.parseLabels(kitti.formatLabels(f)));
const syn = await runCase(round(gt), round(det));
fixture.synthetic = { gt: syn.gt, det: syn.det, devkit: syn.devkit };
if (existsSync(KITTI)) {
  console.log('== real KITTI frames (labels jittered into detections, seed 5)');
  const ids = await kitti.listFrames(KITTI);
  const frames = await Promise.all(ids.map((id) => kitti.readLabels(join(KITTI, 'label_2', `${id}.txt`))));
  const real = await runCase(frames, round(jitterDetections(frames, 5)));
  fixture.real = {
    frames: ids,
    seed: 5,
    devkit: Object.fromEntries(
      Object.entries(real.devkit).map(([m, v]) => [m, { ap11: v.ap11, ap40: v.ap40 }]),
    ),
  };
}
writeFileSync(
  new URL('../../test/fixtures/devkit_parity.json', import.meta.url),
  `${JSON.stringify(fixture)}\n`,
);
