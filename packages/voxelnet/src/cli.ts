#!/usr/bin/env node
// voxelnet CLI: detection on a KITTI folder (results + BEV pictures) and the KITTI evaluation.
//   voxelnet detect <kitti split dir> --weights <checkpoint.json> [--preset small|car] [--out dir] [--score 0.3]
//   voxelnet eval <label_2 dir> <result dir>
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderBevSvg } from './bev';
import * as kitti from './kitti/index';
import { VoxelNet } from './voxelnet';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function backend(): Promise<void> {
  try {
    const runtime = await import('@paperstack/runtime');
    await runtime.useBestBackend();
  } catch (e) {
    throw new Error(
      `voxelnet CLI: needs @paperstack/runtime to choose a tfjs backend (npm i @paperstack/runtime): ${(e as Error).message}`,
    );
  }
}

async function detect(dir: string): Promise<void> {
  await backend();
  const preset = (arg('preset', 'small') as 'small' | 'car') ?? 'small';
  const net = new VoxelNet(preset);
  const weights = arg('weights');
  if (weights) net.setWeights(JSON.parse(await readFile(weights, 'utf8')).weights);
  else console.warn('voxelnet: no --weights given: detecting with an untrained network');
  const out = arg('out', 'voxelnet-results') as string;
  const score = Number(arg('score', '0.3'));
  await mkdir(join(out, 'bev'), { recursive: true });
  const ids = await kitti.listFrames(dir);
  for (const [i, id] of ids.entries()) {
    const f = await kitti.readFrame(dir, id);
    const pts = kitti.cropToImageFov(f.points, f.calib);
    const t0 = performance.now();
    const det = await net.detect(pts, { scoreThreshold: score });
    const ms = performance.now() - t0;
    await kitti.writeResults(
      join(out, 'data'),
      id,
      kitti.lidarBoxesToObjects(det.boxes, det.scores, f.calib),
    );
    const gt = f.labels
      ? kitti.objectsToLidarBoxes(
          f.labels.filter((o) => o.type === 'Car'),
          f.calib,
        )
      : [];
    await writeFile(
      join(out, 'bev', `${id}.svg`),
      renderBevSvg(pts, {
        range: net.config.pointCloudRange,
        groundTruth: gt,
        detections: det.boxes,
        scores: det.scores,
      }),
    );
    console.log(`[${i + 1}/${ids.length}] ${id}: ${det.scores.length} cars, ${ms.toFixed(0)} ms`);
  }
  console.log(`results in ${join(out, 'data')}, pictures in ${join(out, 'bev')}`);
}

async function main(): Promise<void> {
  const [cmd, a, b] = process.argv.slice(2);
  if (cmd === 'detect' && a) return detect(a);
  if (cmd === 'eval' && a && b) {
    console.log(kitti.formatEvaluation(await kitti.evaluateFolders(a, b)));
    return;
  }
  console.log(
    'usage:\n  voxelnet detect <kitti split dir> [--weights ckpt.json] [--preset small|car] [--out dir] [--score 0.3]\n  voxelnet eval <label_2 dir> <result dir>',
  );
  process.exitCode = cmd ? 1 : 0;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
