// The main job (`npm run demo`): picks the backend, then runs each pipeline's quick preset.
import { parseArgs } from 'node:util';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { progress } from './progress';
import { trainWarmupModel } from './warmup';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    steps: { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`usage: npm run demo -- [--backend tensorflow|wasm|cpu] [--steps N]`);
  process.exit(0);
}

const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 1) {
  console.error(`demo: --steps expects a positive integer, received '${values.steps}'`);
  process.exit(2);
}

const choice = await useBestBackend({ backend: values.backend as BackendRequest | undefined });
const bar = progress('warm-up MLP', steps);
const r = await trainWarmupModel(steps, bar);
bar.done(
  `loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}, train accuracy ${(100 * r.accuracy).toFixed(1)}%, ${r.msPerStep.toFixed(1)} ms/step on ${choice.backend}`,
);
