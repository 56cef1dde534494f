// Iterated-regularization DRE experiments (`pnpm --filter @paperstack/example-dre start -- --help`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs } from '@paperstack/example-kit';
import { breastBenchmark, breastPreset, breastReport } from './breast';
import { intOption as int, presetOption, printProgress as progress, resultsDir } from './cli';
import { type Method, mixtureBenchmark, mixturePreset, mixtureReport } from './mixture';
import { saturation, saturationPreset, saturationReport, saturationSvg } from './saturation';

const { values, positionals } = parseArgs({
  args: cliArgs(),
  allowPositionals: true,
  options: {
    experiment: { type: 'string' },
    preset: { type: 'string', default: 'quick' },
    reps: { type: 'string' },
    kernel: { type: 'string' },
    sigma: { type: 'string' },
    nmax: { type: 'string' },
    dim: { type: 'string' },
    nsamples: { type: 'string' },
    methods: { type: 'string' },
    seeds: { type: 'string' },
    folds: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`usage: dre [saturation|mixture|breast] (or --experiment …; default saturation) [--preset quick|full] [--reps N] [--out DIR]
  saturation: [--kernel gaussian|laplacian] [--sigma X] [--nmax N]
  mixture:    [--dim D] [--nsamples N] [--methods kulsif,exponential,logistic,square]
  breast:     [--seeds 1,2,3] [--folds F ≤ 10] [--methods kulsif,exponential,logistic,square]
  writes <out>/saturation-<problem>-<kernel>-d<d>.{json,svg}, <out>/gmd-d<d>-n<nsamples>.json or
  <out>/breast-<preset>.json (default out: results/ of this example)`);
  process.exit(0);
}
const experiment = values.experiment ?? positionals[0] ?? 'saturation';
const preset = presetOption(values.preset);
const methodsOption = (v: string): Method[] => {
  const ms = v.split(',').filter((m) => m !== 'none');
  for (const m of ms)
    if (!['kulsif', 'exponential', 'logistic', 'square'].includes(m))
      throw new Error(`--methods: unknown method '${m}'`);
  return ms as Method[];
};
const out = resultsDir(values.out, import.meta.url);

if (experiment === 'saturation') {
  const cfg = saturationPreset(preset);
  if (values.reps) cfg.reps = int('reps', values.reps);
  if (values.kernel) {
    if (values.kernel !== 'gaussian' && values.kernel !== 'laplacian')
      throw new Error(`--kernel expects gaussian|laplacian, received '${values.kernel}'`);
    cfg.kernel = values.kernel;
  }
  if (values.sigma) cfg.sigma = Number(values.sigma);
  if (values.nmax) {
    const nmax = int('nmax', values.nmax);
    cfg.ns = [100, 200, 400, 800, 1600, 3200].filter((n) => n <= nmax);
  }
  const res = saturation(cfg, progress);
  const base = join(out, `saturation-${cfg.problem}-${cfg.kernel}-d${cfg.d}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(res, null, 1)}\n`);
  writeFileSync(`${base}.svg`, saturationSvg(res));
  const report = saturationReport(res);
  console.table(report.tables[0].rows);
  console.log(`wrote ${base}.json/.svg (${res.seconds.toFixed(1)} s)`);
} else if (experiment === 'mixture') {
  const cfg = mixturePreset(preset);
  if (values.reps) cfg.reps = int('reps', values.reps);
  if (values.dim) cfg.d = int('dim', values.dim);
  if (values.nsamples) cfg.nsamples = int('nsamples', values.nsamples);
  if (values.methods) cfg.methods = methodsOption(values.methods);
  const res = mixtureBenchmark(cfg, progress);
  const file = join(out, `gmd-d${cfg.d}-n${cfg.nsamples}${values.methods ? `-${values.methods}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify(res, null, 1)}\n`);
  console.table(mixtureReport(res).tables[0].rows);
  console.log(`wrote ${file} (${res.seconds.toFixed(1)} s)`);
} else if (experiment === 'breast') {
  const cfg = breastPreset(preset);
  if (values.seeds) cfg.seeds = values.seeds.split(',').map((s) => int('seeds', s));
  if (values.folds) cfg.folds = Math.min(10, int('folds', values.folds));
  if (values.methods) cfg.methods = methodsOption(values.methods);
  const res = breastBenchmark(cfg, progress);
  const file = join(out, `breast-${preset}${values.methods ? `-${values.methods}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify(res, null, 1)}\n`);
  console.table(breastReport(res).tables[0].rows);
  console.log(`wrote ${file} (${res.seconds.toFixed(1)} s)`);
} else {
  throw new Error(`experiment expects saturation|mixture|breast, received '${experiment}'`);
}
