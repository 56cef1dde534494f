// Hopfield analysis experiments: `pnpm --filter @paperstack/example-hopfield-analysis start -- regimes|repertoire [--preset quick|full] [--json FILE]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { useBestBackend } from '@paperstack/runtime';
import { runRegimeExperiment } from './regime-experiment';
import { runRepertoireExperiment } from './repertoire-experiment';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'quick' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const which = positionals[0];
if (values.help || (which !== 'regimes' && which !== 'repertoire')) {
  console.log('usage: main.ts regimes|repertoire [--preset quick|full] [--json FILE]');
  process.exit(values.help ? 0 : 1);
}
const preset = values.preset as 'quick' | 'full';
if (preset !== 'quick' && preset !== 'full')
  throw new Error(`--preset expects quick or full, received '${preset}'`);
await useBestBackend();
const log = (m: string, f: number) => console.log(`[${(100 * f).toFixed(0).padStart(3)}%] ${m}`);
const result =
  which === 'regimes' ? await runRegimeExperiment(preset, log) : await runRepertoireExperiment(preset, log);
const { specs: _specs, ...summary } = result as unknown as { specs: unknown } & Record<string, unknown>;
console.log(JSON.stringify({ ...summary, rows: undefined, histograms: undefined }, null, 1));
if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, JSON.stringify(result, null, 1));
  console.log(`wrote ${values.json}`);
}
