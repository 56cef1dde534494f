// Hopfield analysis experiments: `pnpm --filter @paperstack/example-hopfield-analysis start -- regimes|repertoire [--preset quick|full] [--json FILE]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs } from '@paperstack/example-kit';
import { useBestBackend } from '@paperstack/runtime';
import { REGIME_PRESETS, type RegimeTask, runRegimeExperiment } from './regime-experiment';
import { REPERTOIRE_PRESETS, runRepertoireExperiment } from './repertoire-experiment';

const { values, positionals } = parseArgs({
  args: cliArgs(),
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'quick' },
    json: { type: 'string' },
    task: { type: 'string' },
    set: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const which = positionals[0];
if (values.help || (which !== 'regimes' && which !== 'repertoire')) {
  console.log(
    'usage: main.ts regimes|repertoire [--preset quick|full|medium] [--task previous-token|duplicate|pointer-chase] [--set JSON] [--json FILE]\n  --set: config fields merged over the preset, e.g. --set \'{"seeds":[2]}\'',
  );
  process.exit(values.help ? 0 : 1);
}
const preset = values.preset as 'quick' | 'full';
if (!['quick', 'full', ...(which === 'repertoire' ? ['medium'] : [])].includes(preset)) {
  throw new Error(`--preset expects quick or full (or medium for repertoire), received '${preset}'`);
}
await useBestBackend();
const log = (m: string, f: number) => console.log(`[${(100 * f).toFixed(0).padStart(3)}%] ${m}`);
const overrides = values.set ? (JSON.parse(values.set) as Record<string, unknown>) : {};
// The duplicate task uses 24 token types so that about half of the targets are 1 at length 16.
const regimeConfig = {
  ...REGIME_PRESETS[preset],
  ...(values.task
    ? { task: values.task as RegimeTask, ...(values.task === 'duplicate' ? { vocab: 24 } : {}) }
    : {}),
  ...overrides,
};
// Pointer chasing: tokens are positions.
if (regimeConfig.task === 'pointer-chase' && !('vocab' in overrides))
  regimeConfig.vocab = regimeConfig.seqLen;
const result =
  which === 'regimes'
    ? await runRegimeExperiment(regimeConfig, log)
    : await runRepertoireExperiment({ ...REPERTOIRE_PRESETS[preset], ...overrides }, log);
const { specs: _specs, ...summary } = result as unknown as { specs: unknown } & Record<string, unknown>;
console.log(JSON.stringify({ ...summary, rows: undefined, histograms: undefined }, null, 1));
if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, JSON.stringify(result, null, 1));
  console.log(`wrote ${values.json}`);
}
