// The VoxelNet experiment from the command line: runs a preset, prints its tables and notes, and
// optionally writes the whole report (tables, Vega-Lite specs, timing) as JSON.
//   pnpm --filter @paperstack/example-voxelnet start [--preset quick|full] [--kitti DIR] [--backend wasm|cpu] [--json FILE]
import '@tensorflow/tfjs-layers';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliArgs, type Preset } from '@paperstack/example-kit';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { runVoxelNetExperiment } from './experiment';

const { values } = parseArgs({
  args: cliArgs(),
  options: {
    preset: { type: 'string', default: 'quick' },
    kitti: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'string' },
  },
});
if (values.preset !== 'quick' && values.preset !== 'full') {
  console.error(`voxelnet example: --preset expects quick or full; received ${values.preset}`);
  process.exit(2);
}
await useBestBackend({ log: false, backend: values.backend as BackendRequest | undefined });
let last = '';
const report = await runVoxelNetExperiment(
  values.preset as Preset,
  (p) => {
    if (p.stage !== last || p.step === p.total || p.step % 25 === 0)
      console.log(`${p.stage} ${p.step}/${p.total}${p.info?.loss ? ` loss ${p.info.loss}` : ''}`);
    last = p.stage;
  },
  { kittiDir: values.kitti },
);
for (const t of report.tables) {
  console.log(`\n${t.title}\n${t.columns.join(' | ')}`);
  for (const r of t.rows) console.log(r.join(' | '));
}
console.log(`\n${(report.notes ?? []).join('\n')}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 1)}\n`);
