// MAE → MAE-CT on MNIST digits or CIFAR-10 (examples/maect). Usage, from this folder:
//   pnpm start -- [--dataset mnist|cifar10] [--preset quick|full] [--seed N ...] [--set '<json>'] [--out results/DIR] [--backend wasm|cpu|tensorflow]
//     --set overrides fields of the preset, e.g. --set '{"trainPerClass":200,"pretrainEpochs":40}'
//   pnpm start -- summarize results/full        # README tables from results/full/<dataset>-seed*.json
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs, type Preset } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import {
  MAECT_CIFAR10_PRESETS,
  MAECT_PRESETS,
  type MaectConfig,
  type MaectDataset,
  readRuns,
  runMaectExperiment,
} from './experiment';
import { markdownTable, reportFromRuns } from './report';

const { values, positionals } = parseArgs({
  args: cliArgs(),
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'quick' },
    dataset: { type: 'string', default: 'mnist' },
    seed: { type: 'string', multiple: true },
    set: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const usage = `usage: main.ts [--dataset mnist|cifar10] [--preset quick|full] [--seed N ...] [--set '<json>'] [--out DIR] [--backend wasm|cpu|tensorflow]
       main.ts summarize DIR       (prints the README tables of DIR/<dataset>-seed*.json)`;
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const printTables = (report: ReturnType<typeof reportFromRuns>) => {
  for (const t of report.tables) console.log(`\n${t.title}\n\n${markdownTable(t)}`);
  for (const n of report.notes ?? []) console.log(`\n${n}`);
};

if (positionals[0] === 'summarize') {
  const dir = positionals[1];
  if (!dir) {
    console.error(usage);
    process.exit(2);
  }
  const runs = readRuns(dir);
  if (!runs.length) throw new Error(`summarize: expected <dataset>-seed<N>.json files in ${dir}, found none`);
  printTables(reportFromRuns(runs, { source: dir, ...runs[0].config }, {}));
  process.exit(0);
}
if (positionals.length) {
  console.error(usage);
  process.exit(2);
}

const preset = values.preset as Preset;
if (!(preset in MAECT_PRESETS)) throw new Error(`--preset expects quick or full, received '${preset}'`);
const dataset = values.dataset as MaectDataset;
if (dataset !== 'mnist' && dataset !== 'cifar10')
  throw new Error(`--dataset expects mnist or cifar10, received '${dataset}'`);
const seeds = values.seed?.map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--seed expects a non-negative integer, received '${s}'`);
  return n;
});
const base = (dataset === 'cifar10' ? MAECT_CIFAR10_PRESETS : MAECT_PRESETS)[preset];
const overrides = values.set === undefined ? {} : (JSON.parse(values.set) as Partial<MaectConfig>);
const unknown = Object.keys(overrides).filter((k) => !(k in base));
if (unknown.length)
  throw new Error(
    `--set expects fields of ${Object.keys(base).join(', ')}, received '${unknown.join("', '")}'`,
  );
const config: MaectConfig = { ...base, ...overrides, ...(seeds ? { seeds } : {}) };
const choice = await useBestBackend({ backend: values.backend as BackendRequest | undefined });
console.log(`backend ${choice.backend}; ${JSON.stringify(config)}`);

let last = '';
let lastLog = 0;
const report = await runMaectExperiment(config, ({ stage, step, total, info }) => {
  const now = performance.now();
  if (stage === last && step < total && now - lastLog < 10_000) return;
  last = stage;
  lastLog = now;
  const extra = info
    ? ` ${Object.entries(info)
        .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : v}`)
        .join(' ')}`
    : '';
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${stage} ${step}/${total}${extra}`);
});
printTables(report);
console.log(`\ntiming (ms): ${JSON.stringify(report.timing)}`);
if (values.out) {
  mkdirSync(values.out, { recursive: true });
  for (const run of report.runs)
    writeFileSync(join(values.out, `${dataset}-seed${run.seed}.json`), `${JSON.stringify(run, null, 1)}\n`);
  const { runs: _runs, ...rest } = report;
  writeFileSync(join(values.out, 'report.json'), `${JSON.stringify(rest, null, 1)}\n`);
  console.log(`wrote ${values.out}/report.json and ${dataset}-seed<N>.json`);
}
