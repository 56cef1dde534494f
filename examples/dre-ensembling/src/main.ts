// IWA ensembling under domain shift (`pnpm --filter @paperstack/example-dre-ensembling start -- --help`).
import '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { iwaExperiment, iwaPreset, iwaReport } from './iwa';
import type { Preset } from './report';

const { values } = parseArgs({
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
const int = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} expects a positive integer, received '${v}'`);
  return n;
};
const preset = values.preset as Preset;
if (preset !== 'quick' && preset !== 'full')
  throw new Error(`--preset expects quick|full, received '${preset}'`);
const cfg = iwaPreset(preset);
if (values.seeds) cfg.seeds = int('seeds', values.seeds);
if (values.steps) cfg.steps = int('steps', values.steps);
if (values.angle) cfg.angleDeg = Number(values.angle);
await tf.setBackend('cpu');
const t0 = performance.now();
const res = await iwaExperiment(cfg, (p) => console.log(`[${p.stage} ${p.done}/${p.total}] ${p.info ?? ''}`));
const out = values.out ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(out, { recursive: true });
const file = join(out, `iwa-moons-${preset}.json`);
writeFileSync(file, `${JSON.stringify({ ...res, seconds: (performance.now() - t0) / 1000 }, null, 1)}\n`);
const rep = iwaReport(res);
for (const t of rep.tables) {
  console.log(t.title);
  console.table(t.rows);
}
console.log(`wrote ${file} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
