// The main job (`npm run demo`): picks the backend, runs each paper pipeline's preset, writes the report.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { DemoJobsError, defaultJobs, parseJobs, runInJobs } from './jobs';
import { PIPELINES } from './pipelines/index';
import { progress } from './progress';
import { writeReport } from './report/render';
import type { PipelineReport } from './report/types';
import { matchesOnly, selectPipelines } from './select';

/** $KITTI_DIR, or the shared test frames beside the repository, when the folder exists. */
function defaultKittiDir(): string | undefined {
  const candidates = [
    process.env.KITTI_DIR,
    join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'kitti'),
  ];
  return candidates.find((d): d is string => !!d && existsSync(d));
}

const { values } = parseArgs({
  args: cliArgs(),
  options: {
    only: { type: 'string', multiple: true },
    full: { type: 'boolean', default: false },
    backend: { type: 'string' },
    kitti: { type: 'string' },
    jobs: { type: 'string' },
    out: { type: 'string', default: 'reports' },
    help: { type: 'boolean', short: 'h' },
  },
});
const names = PIPELINES.map((p) => p.name);
const BACKENDS: BackendRequest[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
if (values.help) {
  console.log(`usage: npm run demo -- [--only <pipeline or group> ...] [--full] [--backend ${BACKENDS.join('|')}] [--kitti DIR] [--jobs N] [--out DIR]
pipelines: ${names.join(', ')}
groups: a name's first part selects all of its pipelines (e.g. --only hopfield runs every hopfield-* pipeline)
full only: ${PIPELINES.filter((p) => p.fullOnly)
    .map((p) => p.name)
    .join(', ')} (run with --full, or name one exactly with --only)
backend: default is the best available (PAPERSTACK_BACKEND overrides); webgpu needs the \`webgpu\` npm package
kitti: real KITTI frames for voxelnet and patch-refinement; --full uses $KITTI_DIR or ../shared/data/kitti when present
jobs: pipelines run N at a time, each in its own process (default: one per core on wasm and cpu, and on
  tensorflow with at most 2 CPUs; 1 on a GPU); the report is the same whatever N
writes <out>/<timestamp>/index.html (default out: reports/ at the repository root)`);
  process.exit(0);
}
const unknown = (values.only ?? []).filter((o) => !names.some((n) => matchesOnly(o, n)));
if (unknown.length) {
  console.error(
    `demo: --only expects a pipeline (${names.join(', ')}) or its group (the part before '-'); received ${unknown.join(', ')}`,
  );
  process.exit(2);
}
if (values.backend !== undefined && !BACKENDS.includes(values.backend as BackendRequest)) {
  console.error(`demo: --backend expects one of ${BACKENDS.join(', ')}; received ${values.backend}`);
  process.exit(2);
}
let jobsOption: number | undefined;
try {
  jobsOption = parseJobs(values.jobs);
} catch (err) {
  if (!(err instanceof DemoJobsError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const selected = selectPipelines(PIPELINES, values.only, values.full);

// --full also runs the detectors on real KITTI frames: --kitti DIR, else $KITTI_DIR, else the shared
// test frames next to the repository (../shared/data/kitti) when they are there. The data is read in
// place (CC BY-NC-SA 3.0), never copied.
const kittiDir = values.kitti ?? (values.full ? defaultKittiDir() : undefined);
if (values.full && !values.kitti)
  console.log(
    kittiDir
      ? `demo: --full runs the detectors on the real KITTI frames in ${kittiDir} too`
      : 'demo: no KITTI folder found ($KITTI_DIR, ../shared/data/kitti): the detectors run on synthetic scenes only; pass --kitti DIR for real frames',
  );

const started = new Date();
const choice = await useBestBackend({ backend: values.backend as BackendRequest | undefined });
const preset = values.full ? 'full' : 'quick';
const jobs = Math.min(jobsOption ?? defaultJobs(choice.candidate), selected.length);
let reports: PipelineReport[] = [];
if (jobs > 1) {
  console.log(`demo: ${selected.length} pipelines, ${jobs} at a time (--jobs)`);
  reports = await runInJobs(selected, { jobs, preset, backend: choice.candidate, kittiDir });
} else {
  for (const pipeline of selected) {
    console.log(`\n== ${pipeline.title}`);
    reports.push(await pipeline.run({ preset, stage: (t, n) => progress(t, n), kittiDir }));
  }
}
// pnpm runs this from examples/demo: reports go to the repository root unless --out is absolute.
const root = join(import.meta.dirname, '..', '..', '..');
const dir = join(
  values.out.startsWith('/') ? values.out : join(root, values.out),
  started.toISOString().replace(/[:.]/g, '-'),
);
const path = await writeReport(dir, reports, {
  started,
  backend: choice.backend,
  preset,
  jobs,
  totalMs: Date.now() - started.getTime(),
  node: process.version,
});
console.log(`\nreport: ${path}`);
