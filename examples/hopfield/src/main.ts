// Hopfield Networks is All You Need, small scale (`pnpm --filter @paperstack/example-hopfield start -- --help`).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliArgs, type ExperimentReport, type Preset, type Progress } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { EXPERIMENTS, type ExperimentName } from './experiments';
import { milConfig, runMilExperiment } from './mil/experiment';

const USAGE = `usage: hopfield [retrieval|mil|mnist-bags|all] [--preset quick|full] [--data FILE[,FILE…]] [--no-synthetic]
                [--only bit-pattern|benchmark] [--repeats N] [--json FILE]
                [--backend wasm|cpu|tensorflow|tensorflow-gpu]

  retrieval        store N patterns, query corrupted copies: capacity vs N, d and β (paper §2)
  mil              HopfieldPooling vs attention-MIL vs mean pooling: bit-pattern task and
                   10-fold CV AUC on MIL benchmarks in the classic format (paper §4)
  mnist-bags       HopfieldPooling vs attention-MIL vs gated attention vs mean pooling on
                   Ilse et al.'s MNIST-bags (real MNIST digits; quick: seconds, full: 3 seeds ×
                   50/100/150/200 training bags, 1000 test bags)
  all              retrieval and mil (default)
  --preset         quick (≈ 2 min on 2 cores, default) or full
  --data           MIL benchmark files in the classic Elephant/Fox/Tiger format
                   ('<instance>:<bag>:<label> <feature>:<value> …', see README); benchmarked
                   in addition to the synthetic stand-ins
  --no-synthetic   with --data: benchmark only the given files
  --only           mil: run only the bit-pattern task or only the benchmark
  --repeats N      mil: repeats of the 10-fold split (default: quick 1, full 2)
  --json FILE      write the reports (config, tables, Vega-Lite figures, timings) as JSON`;

// `pnpm … start -- --help` passes the `--` through; drop it so that the options after it parse.
const { values, positionals } = parseArgs({
  args: cliArgs(),
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'quick' },
    data: { type: 'string' },
    'no-synthetic': { type: 'boolean', default: false },
    only: { type: 'string' },
    repeats: { type: 'string' },
    json: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const which = positionals[0] ?? 'all';
if (positionals.length > 1 || !['retrieval', 'mil', 'mnist-bags', 'all'].includes(which)) {
  console.error(
    `expected one of retrieval | mil | mnist-bags | all, received '${positionals.join(' ')}'\n\n${USAGE}`,
  );
  process.exit(2);
}
const preset = values.preset as Preset;
if (preset !== 'quick' && preset !== 'full') {
  console.error(`--preset expects quick | full, received '${values.preset}'`);
  process.exit(2);
}
if (values.only !== undefined && values.only !== 'bit-pattern' && values.only !== 'benchmark') {
  console.error(`--only expects bit-pattern | benchmark, received '${values.only}'`);
  process.exit(2);
}
const repeats = values.repeats === undefined ? undefined : Number(values.repeats);
if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) {
  console.error(`--repeats expects a positive integer, received '${values.repeats}'`);
  process.exit(2);
}
await useBestBackend({ backend: values.backend as BackendRequest | undefined });

let lastStage = '';
let lastPrint = 0;
const progress = (p: Progress) => {
  const now = performance.now();
  if (p.stage !== lastStage || p.step === p.total || now - lastPrint > 5000) {
    const info = p.info
      ? Object.entries(p.info)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
      : '';
    console.log(`[${p.stage}] ${p.step}/${p.total} ${info}`);
    lastStage = p.stage;
    lastPrint = now;
  }
};

const names: ExperimentName[] = which === 'all' ? ['retrieval', 'mil'] : [which as ExperimentName];
const reports: ExperimentReport[] = [];
for (const name of names) {
  const t0 = performance.now();
  let report: ExperimentReport;
  if (name === 'mil') {
    const base = milConfig(preset);
    report = await runMilExperiment(preset, progress, {
      dataFiles: values.data?.split(','),
      syntheticData: !values['no-synthetic'],
      config: {
        bitPattern: values.only === 'benchmark' ? null : base.bitPattern,
        benchmark:
          values.only === 'bit-pattern'
            ? null
            : { ...base.benchmark!, repeats: repeats ?? base.benchmark!.repeats },
      },
    });
  } else {
    report = await EXPERIMENTS[name].run(preset, progress);
  }
  reports.push(report);
  console.log(`\n# ${report.title} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  for (const t of report.tables) {
    console.log(`## ${t.title}\n`);
    console.log(`| ${t.columns.join(' | ')} |\n|${t.columns.map(() => '---').join('|')}|`);
    for (const row of t.rows) console.log(`| ${row.join(' | ')} |`);
    console.log('');
  }
  for (const n of report.notes ?? []) console.log(`- ${n}`);
}
if (values.json) {
  writeFileSync(values.json, JSON.stringify(reports));
  console.log(`\nwrote ${values.json}`);
}
