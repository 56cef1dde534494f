// NNCLR vs SimCLR vs random features on the shape images:
//   pnpm --filter @paperstack/example-nnclr start -- [--preset quick|full] [--steps N] [--seeds 0,1,2]
//     [--aug full|shift] [--backend wasm|cpu|…] [--json FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import type { Augmentation } from './augment';
import { NNCLR_PRESETS, runNnclrExperiment } from './experiment';
import { resultsJson } from './json';

const { values } = parseArgs({
  args: cliArgs(),
  options: {
    preset: { type: 'string', default: 'quick' },
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
    'usage: main.ts [--preset quick|full] [--steps N] [--seeds 0,1,2] [--aug full|shift] [--backend NAME] [--json FILE]',
  );
  process.exit(0);
}
const preset = values.preset as 'quick' | 'full';
if (!(preset in NNCLR_PRESETS)) throw new Error(`--preset expects quick or full, received '${preset}'`);
const config = {
  ...NNCLR_PRESETS[preset],
  ...(values.steps ? { steps: Number(values.steps) } : {}),
  ...(values.seeds ? { seeds: values.seeds.split(',').map(Number) } : {}),
  ...(values.aug ? { augmentation: values.aug as Augmentation } : {}),
};
const choice = await useBestBackend({ backend: values.backend as BackendRequest | undefined });
console.log(`backend: ${choice.reason}`);
let last = '';
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
console.log(`\n${(report.notes ?? []).join('\n')}`);
console.log(`timing (ms): ${JSON.stringify(report.timing)}`);
if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, resultsJson(report));
  console.log(`wrote ${values.json}`);
}
