// Trains voxelnet's small preset on synthetic scenes and evaluates it (KITTI metric) on held-out
// scenes before and after training — the runs behind the training table of
// packages/voxelnet/README.md (results/train-small-run{1,2,3}.json here). The same code path as
// `runVoxelNetExperiment` (trainAndEvaluateVoxelNet), plus resuming from a checkpoint, a learning
// rate and a first training seed, so that runs can be chained. Writes results/train-small.json and
// a checkpoint every 200 steps to results/small-checkpoint.json (git-ignored).
//   pnpm exec tsx src/train-synthetic.ts [steps=600] [backend=wasm] [evalScenes=100] [resume.json] [lr=2e-3] [firstSeed=0]
import '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import { kitti } from '@paperstack/voxelnet';
import { trainAndEvaluateVoxelNet, type VoxelNetRunOptions } from './experiment';

const [stepsArg = '600', backend = 'wasm', evalArg = '100', resume = '', lrArg = '2e-3', seedArg = '0'] =
  process.argv.slice(2);
await useBestBackend({ log: false, backend: backend as BackendRequest });
const results = new URL('../results/', import.meta.url);
mkdirSync(results, { recursive: true });
let resumedFrom = 0;
let initialWeights: VoxelNetRunOptions['initialWeights'];
if (resume) {
  const ck = JSON.parse(readFileSync(resume, 'utf8'));
  initialWeights = ck.weights;
  resumedFrom = ck.step;
}
const steps = Number(stepsArg);
const firstSeed = Number(seedArg);
let trainStart = 0;
const run = await trainAndEvaluateVoxelNet(
  { steps, learningRate: Number(lrArg), firstSeed, evalScenes: Number(evalArg), showScore: 0.3 },
  (p) => {
    if (p.stage !== 'train') {
      if (p.step === p.total) console.log(`${p.stage} done`);
      return;
    }
    if (p.step === 1) trainStart = performance.now();
    if (p.step % 25 === 0 || p.step === 1)
      console.log(
        `step ${p.step}/${p.total} loss ${p.info?.loss} ${((performance.now() - trainStart) / 1000).toFixed(0)} s`,
      );
  },
  {
    initialWeights,
    checkpointEvery: 200,
    onCheckpoint: async (step, net) => {
      writeFileSync(
        new URL('small-checkpoint.json', results),
        JSON.stringify({ step: resumedFrom + step, weights: await net.getWeights() }),
      );
    },
  },
);
console.log(`before (resumed from step ${resumedFrom})\n${kitti.formatEvaluation(run.untrained.official)}`);
console.log(`trained\n${kitti.formatEvaluation(run.trained.official)}`);
console.log(`trained, IoU 0.5\n${kitti.formatEvaluation(run.trained.iou05)}`);
const summary = (r: kitti.KittiEvaluation) =>
  Object.fromEntries(
    Object.entries(r.Car).map(([m, v]) => [
      m,
      { ap11: v?.ap11.map((x) => +x.toFixed(2)), ap40: v?.ap40.map((x) => +x.toFixed(2)) },
    ]),
  );
const { total, classification, regression } = run.losses;
const report = {
  preset: 'small',
  config: run.network,
  backend: run.backend,
  steps,
  resumedFrom,
  learningRate: Number(lrArg),
  firstSeed,
  trainSeconds: +(run.trainMs / 1000).toFixed(1),
  msPerStep: +(run.trainMs / steps).toFixed(1),
  evalScenes: run.config.evalScenes,
  carsInEval: run.carsInEval,
  before: summary(run.untrained.official),
  before_iou05: summary(run.untrained.iou05),
  trained: summary(run.trained.official),
  trained_iou05: summary(run.trained.iou05),
  inferenceMsPerFrame: +run.trained.msPerFrame.toFixed(1),
  // every 25 steps and the first: total, classification and regression loss
  log: total
    .map((loss, i) => ({
      step: i + 1,
      loss: +loss.toFixed(4),
      cls: +classification[i].toFixed(4),
      reg: +regression[i].toFixed(4),
    }))
    .filter((e) => e.step === 1 || e.step % 25 === 0),
  date: new Date().toISOString(),
};
writeFileSync(new URL('train-small.json', results), `${JSON.stringify(report, null, 1)}\n`);
console.log(JSON.stringify({ trainSeconds: report.trainSeconds, msPerStep: report.msPerStep }));
