// CLOOB vs CLIP (`pnpm --filter @paperstack/example-cloob start -- --help`).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliArgs, uniform } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { loadPairedFolder } from './data/folder';
import { size, subset } from './data/paired';
import { compareObjectives, type RunResult, summarize } from './experiment';
import type { Objective } from './train';

const { values } = parseArgs({
  args: cliArgs(),
  options: {
    objective: { type: 'string', default: 'both' },
    seeds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '400' },
    'batch-size': { type: 'string', default: '128' },
    'inv-tau': { type: 'string', default: '30' },
    'hopfield-beta': { type: 'string', default: '8' },
    'learnable-inv-tau': { type: 'boolean', default: false },
    data: { type: 'string' },
    json: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`usage: cloob [--objective clip|cloob|both] [--seeds N] [--steps N] [--batch-size N]
             [--inv-tau X] [--hopfield-beta X] [--learnable-inv-tau] [--data FOLDER] [--json FILE] [--backend B]
  --data FOLDER   a folder with pairs.tsv (image<TAB>caption<TAB>label) and the images (PNG/JPEG);
                  default: the synthetic two-modality generator`);
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
await useBestBackend({ backend: values.backend as BackendRequest | undefined });

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
