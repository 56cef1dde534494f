// Benchmarks (not tests): voxelizer throughput on a real KITTI scan (the comparison with numpy and
// numba: `pnpm bench -- --external voxelizer`, which runs this section), network forward time per frame (small and paper presets, wasm),
// rotated IoU / NMS throughput. Prints JSON lines; numbers go to the README.
//   pnpm exec tsx packages/voxelnet/scripts/bench.ts [kitti .bin] [sections: voxelize,iou,forward]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { bevIoU, generateScene, kitti, Random, rotatedNms, Voxelizer, VoxelNet } from '../src/index';

const bin = process.argv[2] ?? '/work/shared/data/kitti/training/velodyne/000002.bin';
const sections = (process.argv[3] ?? 'voxelize,iou,forward').split(',');
const out: Record<string, unknown>[] = [];
const report = (r: Record<string, unknown>) => {
  out.push(r);
  console.log(JSON.stringify(r));
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. voxelizer (paper car config) on a real scan, and statistics of every real frame
if (sections.includes('voxelize') && existsSync(bin)) {
  const dir = bin.replace(/\/velodyne\/[^/]+$/, '');
  for (const id of await kitti.listFrames(dir)) {
    const f = await kitti.readFrame(dir, id);
    const fov = kitti.cropToImageFov(f.points, f.calib);
    const v = new Voxelizer().voxelize(fov, { shuffle: false });
    let kept = 0;
    let full = 0;
    for (let i = 0; i < v.numVoxels; i++) {
      kept += v.numPoints[i];
      if (v.numPoints[i] === 35) full++;
    }
    report({
      bench: 'voxel statistics (camera FOV, car config)',
      frame: id,
      points: f.points.length / 4,
      inFov: fov.length / 4,
      inRange: v.pointsInRange,
      voxels: v.numVoxels,
      keptPoints: kept,
      fullVoxels: full,
      meanPointsPerVoxel: +(kept / v.numVoxels).toFixed(2),
    });
  }
  const pts = await kitti.readVelodyne(bin);
  const vox = new Voxelizer();
  const variants: [string, { shuffle?: boolean; sampling?: 'reservoir' | 'shuffle' }][] = [
    ['typescript, deterministic (shuffle: false)', { shuffle: false }],
    ['typescript, random sampling (reservoir, the default)', {}],
    ["typescript, random sampling (sampling: 'shuffle', the paper's permutation)", { sampling: 'shuffle' }],
  ];
  for (const [impl, opts] of variants) {
    const times: number[] = [];
    let nv = 0;
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      nv = vox.voxelize(pts, { ...opts, seed: i, views: true }).numVoxels;
      times.push(performance.now() - t);
    }
    const ms = median(times.slice(5));
    report({
      bench: 'voxelize',
      impl,
      points: pts.length / 4,
      voxels: nv,
      ms: +ms.toFixed(2),
      pointsPerSec: Math.round(pts.length / 4 / (ms / 1000)),
    });
  }
  // The Python side (numpy port, second.pytorch's numba voxelizer) runs in `pnpm bench -- --external
  // voxelizer`, which also runs this section, so both sides share one run and the reference's BLAS record.
}

// 2. rotated IoU and NMS
if (sections.includes('iou')) {
  const rng = new Random(1);
  const boxes = (n: number) => {
    const b: number[] = [];
    for (let i = 0; i < n; i++)
      b.push(
        rng.uniform(0, 70),
        rng.uniform(-40, 40),
        -1,
        rng.uniform(3.5, 4.5),
        rng.uniform(1.5, 1.8),
        1.5,
        rng.uniform(-3, 3),
      );
    return Float64Array.from(b);
  };
  const a = boxes(1000);
  const c = (() => {
    // 1000 boxes clustered so most pairs overlap-test
    const b: number[] = [];
    for (let i = 0; i < 1000; i++)
      b.push(10 + rng.normal(0, 2), rng.normal(0, 2), -1, 4, 1.6, 1.5, rng.uniform(-3, 3));
    return Float64Array.from(b);
  })();
  for (const [name, x] of [
    ['spread over the car range', a],
    ['clustered (most pairs overlap)', c],
  ] as const) {
    const t = performance.now();
    bevIoU(x, x);
    const ms = performance.now() - t;
    report({
      bench: 'bevIoU',
      pairs: 1e6,
      boxes: name,
      ms: +ms.toFixed(1),
      pairsPerSec: Math.round(1e6 / (ms / 1000)),
    });
  }
  const scores = Float32Array.from({ length: 4096 }, () => rng.next());
  const nb = (() => {
    const b: number[] = [];
    for (let i = 0; i < 4096; i++)
      b.push(rng.uniform(0, 20), rng.uniform(-10, 10), -1, 3.9, 1.6, 1.5, rng.uniform(-3, 3));
    return Float64Array.from(b);
  })();
  const t = performance.now();
  const keep = rotatedNms(nb, scores, { iouThreshold: 0.1, maxOutput: 4096 });
  report({ bench: 'rotatedNms', boxes: 4096, kept: keep.length, ms: +(performance.now() - t).toFixed(1) });
}

// 3. network forward per frame on wasm
await tf.setBackend('wasm');
await tf.ready();
for (const preset of sections.includes('forward') ? (['small', 'car'] as const) : []) {
  try {
    const net = new VoxelNet(preset);
    const scene = generateScene({ seed: 1, range: net.config.pointCloudRange, cars: [8, 8] });
    const v = net.voxelizer.voxelize(scene.points, { shuffle: false });
    const times: number[] = [];
    const reps = preset === 'small' ? 10 : 2;
    for (let i = 0; i < reps + 1; i++) {
      const t = performance.now();
      const o = net.forward(v);
      await o.scores.data();
      tf.dispose([o.scores, o.boxes]);
      times.push(performance.now() - t);
    }
    report({
      bench: 'forward',
      backend: 'wasm',
      preset,
      points: scene.points.length / 4,
      voxels: v.numVoxels,
      msPerFrame: +median(times.slice(1)).toFixed(0),
    });
    net.dispose();
  } catch (e) {
    report({ bench: 'forward', backend: 'wasm', preset, error: (e as Error).message.slice(0, 200) });
  }
}
