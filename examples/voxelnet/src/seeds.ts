// Seeds and spread for the real-frame sanity check (issue 19): the per-run metrics of a
// synthetic-trained detector on the held-out synthetic scenes and on the real KITTI frames, and
// their mean ± sd over seeds. Used by src/real-seeds.ts here and by examples/patch-refinement.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliArgs, meanSd } from '@paperstack/example-kit';
import type { kitti } from '@paperstack/voxelnet';
import * as tf from '@tensorflow/tfjs-core';
import { EVAL_SEED0, type VoxelNetExperimentConfig, type VoxelNetRun } from './experiment';
import { carAp } from './figures';

/**
 * Seed `s` of the quick preset: network initialisation `s`, training scenes and sampling from
 * `s · 100,000` (seed 0 is the preset itself; every training scene stays below {@link EVAL_SEED0}).
 */
export function seededConfig(base: VoxelNetExperimentConfig, seed: number): VoxelNetExperimentConfig {
  const firstSeed = base.firstSeed + seed * 100_000;
  if (firstSeed + base.steps > EVAL_SEED0)
    throw new RangeError(`seededConfig: seed ${seed} reaches the held-out scenes`);
  return { ...base, firstSeed, network: { ...base.network, seed } };
}

/** Moderate car AP|R11 (%) of one evaluation, 2D / BEV / 3D. */
export function moderateAp(e: kitti.KittiEvaluation | null | undefined): {
  bbox: number;
  bev: number;
  '3d': number;
} {
  const m = (metric: kitti.KittiMetric) => (e ? +carAp(e, metric).ap11.toFixed(3) : Number.NaN);
  return { bbox: m('bbox'), bev: m('bev'), '3d': m('3d') };
}

/** The flat metrics of one VoxelNet run that the seeds summary averages (APs in %, moderate AP|R11). */
export function voxelnetSeedMetrics(run: VoxelNetRun): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (prefix: string, ap: ReturnType<typeof moderateAp>) => {
    for (const [m, v] of Object.entries(ap)) out[`${prefix} ${m === 'bbox' ? '2D' : m.toUpperCase()}`] = v;
  };
  put('synthetic IoU 0.7', moderateAp(run.trained.official));
  put('synthetic IoU 0.5', moderateAp(run.trained.iou05));
  const k = run.kitti;
  if (k) {
    put('real IoU 0.7', moderateAp(k.official));
    put('real IoU 0.5', moderateAp(k.iou05));
    put('real in range IoU 0.5', moderateAp(k.inRange?.iou05));
    Object.assign(out, realFrameCounts(k.gap, k.carMatches));
  }
  out['train s'] = +(run.trainMs / 1000).toFixed(1);
  return out;
}

/** Confident detections per frame and where they land, on both domains, and the best hit per in-range car. */
export function realFrameCounts(
  gap: NonNullable<VoxelNetRun['kitti']>['gap'],
  carMatches: NonNullable<VoxelNetRun['kitti']>['carMatches'],
): Record<string, number> {
  const r3 = (x: number) => +x.toFixed(3);
  return {
    'real confident/frame': r3(gap.real.detections),
    'real confident on a car (%)': r3(100 * gap.real.detectionsOnCars),
    'synthetic confident/frame': r3(gap.synthetic.detections),
    'synthetic confident on a car (%)': r3(100 * gap.synthetic.detectionsOnCars),
    'real in-range cars, mean best BEV IoU': r3(
      carMatches.reduce((a, m) => a + m.bevIoU, 0) / Math.max(1, carMatches.length),
    ),
  };
}

/** `{ metric: { mean, sd, values } }` over runs, in the runs' key order. */
export function summarise(
  runs: readonly Record<string, number>[],
): Record<string, { mean: number; sd: number; values: number[] }> {
  const out: Record<string, { mean: number; sd: number; values: number[] }> = {};
  for (const key of Object.keys(runs[0] ?? {})) {
    const values = runs.map((r) => r[key]);
    const { mean, sd } = meanSd(values);
    out[key] = { mean: +mean.toFixed(3), sd: +sd.toFixed(3), values };
  }
  return out;
}

/** Lines `metric: mean ± sd (v1, v2, …)` for the console. */
export function formatSummary(summary: ReturnType<typeof summarise>): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  return Object.entries(summary)
    .map(([k, v]) => `${k}: ${f(v.mean)} ± ${f(v.sd)} (${v.values.map(f).join(', ')})`)
    .join('\n');
}

/**
 * Prints the mean ± sd of each metric over the seeds' runs and writes them, with what was run, to
 * `<resultsDir>/real-seeds[-<scene>].json` (scene `plain` has no suffix).
 */
export function writeSeedResults(
  resultsDir: URL,
  run: { what: string; scene: string; backend: string; seeds: number[]; startedMs: number },
  runs: readonly Record<string, number>[],
): void {
  const summary = summarise(runs);
  console.log(`\n${formatSummary(summary)}`);
  mkdirSync(resultsDir, { recursive: true });
  const out = {
    what: run.what,
    trainingScenes: run.scene,
    backend: run.backend,
    seeds: run.seeds,
    wallSeconds: Math.round((Date.now() - run.startedMs) / 1000),
    summary,
    date: new Date().toISOString(),
  };
  const file = `real-seeds${run.scene === 'plain' ? '' : `-${run.scene}`}.json`;
  writeFileSync(new URL(file, resultsDir), `${JSON.stringify(out, null, 1)}\n`);
  console.log(`wrote results/${file} (${out.wallSeconds} s)`);
}

/** A bad argument of the real-seeds scripts' command line ({@link seedsCommandLine}). */
export class SeedsCommandLineError extends Error {
  override name = 'SeedsCommandLineError';
}

/**
 * The command line of the real-seeds scripts: `--seeds 0,1,2` (default), `--scene plain|urban` (training
 * scenes; default plain), `--kitti DIR` (default the shared frames beside the repository).
 */
export function seedsCommandLine(argv: string[] = cliArgs()): {
  seeds: number[];
  scene: 'plain' | 'urban';
  kitti: string;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '0,1,2' },
      scene: { type: 'string', default: 'plain' },
      kitti: { type: 'string', default: '../../../shared/data/kitti' },
    },
  });
  if (values.scene !== 'plain' && values.scene !== 'urban')
    throw new SeedsCommandLineError(`real-seeds: --scene expects plain or urban; received ${values.scene}`);
  const seeds = values.seeds.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
  if (!seeds.every((s) => Number.isInteger(s) && s >= 0))
    throw new SeedsCommandLineError(
      `real-seeds: --seeds expects non-negative integers separated by commas; received ${values.seeds}`,
    );
  return { seeds, scene: values.scene, kitti: values.kitti };
}

/** What one seed's run gets: its seed and the parsed command line. */
export type SeedsCommand = ReturnType<typeof seedsCommandLine>;

/**
 * The loop of the real-seeds scripts: reads the command line ({@link seedsCommandLine}), runs
 * `runSeed` once per seed, logs each seed's metrics and writes their mean ± sd
 * ({@link writeSeedResults}, with `what` and the active tfjs backend).
 */
export async function runSeeds(
  what: string,
  resultsDir: URL,
  runSeed: (seed: number, command: SeedsCommand) => Promise<Record<string, number>>,
  argv: string[] = cliArgs(),
): Promise<void> {
  const command = seedsCommandLine(argv);
  const startedMs = Date.now();
  const runs: Record<string, number>[] = [];
  for (const seed of command.seeds) {
    const m = await runSeed(seed, command);
    runs.push(m);
    console.log(`seed ${seed}: ${JSON.stringify(m)}`);
  }
  writeSeedResults(
    resultsDir,
    { what, scene: command.scene, backend: tf.getBackend(), seeds: command.seeds, startedMs },
    runs,
  );
}
