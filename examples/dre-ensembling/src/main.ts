// IWA ensembling under domain shift (`pnpm --filter @paperstack/example-dre-ensembling start -- --help`).
import '@tensorflow/tfjs-backend-cpu';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { intOption as int, presetOption, printProgress, resultsDir } from '@paperstack/example-dre';
import { cliArgs } from '@paperstack/example-kit';
import * as tf from '@tensorflow/tfjs-core';
import { iwaExperiment, iwaPreset, iwaReport } from './iwa';

const { values } = parseArgs({
  args: cliArgs(),
  options: {
    preset: { type: 'string', default: 'quick' },
    seeds: { type: 'string' },
    angle: { type: 'string' },
    steps: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`usage: dre-ensembling [--preset quick|full] [--seeds N] [--angle DEG] [--steps N] [--out DIR]
  writes <out>/iwa-moons-<preset>.json (default out: results/ of this example)`);
  process.exit(0);
}
const preset = presetOption(values.preset);
const cfg = iwaPreset(preset);
if (values.seeds) cfg.seeds = int('seeds', values.seeds);
if (values.steps) cfg.steps = int('steps', values.steps);
if (values.angle) cfg.angleDeg = Number(values.angle);
await tf.setBackend('cpu');
const t0 = performance.now();
const res = await iwaExperiment(cfg, printProgress);
const out = resultsDir(values.out, import.meta.url);
const file = join(out, `iwa-moons-${preset}.json`);
writeFileSync(file, `${JSON.stringify({ ...res, seconds: (performance.now() - t0) / 1000 }, null, 1)}\n`);
const rep = iwaReport(res);
for (const t of rep.tables) {
  console.log(t.title);
  console.table(t.rows);
}
console.log(`wrote ${file} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
