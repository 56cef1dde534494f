// Trains the small preset on synthetic scenes and evaluates it (KITTI metric) on held-out scenes
// before and after training. Writes reports/train-small.json (numbers for the README).
//   pnpm exec tsx packages/voxelnet/scripts/train-synthetic.ts [steps] [backend] [evalScenes] [resume.json] [lr] [firstSeed]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { evaluateDetector, generateScene, kitti, train, VoxelNet } from '../src/index';

const [stepsArg = '600', backend = 'wasm', evalArg = '100', resume = '', lrArg = '2e-3', seedArg = '0'] =
  process.argv.slice(2);
await tf.setBackend(backend);
await tf.ready();
const steps = Number(stepsArg);
const net = new VoxelNet('small');
let resumedFrom = 0;
if (resume) {
  const ck = JSON.parse(readFileSync(resume, 'utf8'));
  net.setWeights(ck.weights);
  resumedFrom = ck.step;
}
const firstSeed = Number(seedArg);
const range = net.config.pointCloudRange;
const evalScenes = Array.from({ length: Number(evalArg) }, (_, i) =>
  generateScene({ seed: 1_000_000 + i, range }),
);
const at05 = { minOverlap: { car: { bbox: 0.5, bev: 0.5, '3d': 0.5 } } };
const summary = (r: kitti.KittiEvaluation) =>
  Object.fromEntries(
    Object.entries(r.Car).map(([m, v]) => [
      m,
      { ap11: v!.ap11.map((x) => +x.toFixed(2)), ap40: v!.ap40.map((x) => +x.toFixed(2)) },
    ]),
  );
const before = await evaluateDetector(net, evalScenes);
const before05 = kitti.evaluate(
  evalScenes.map((s) => s.labels),
  before.detections,
  at05,
);
console.log(`before (resumed from step ${resumedFrom})\n` + kitti.formatEvaluation(before.result));
const out = mkdirSync(new URL('../reports/', import.meta.url), { recursive: true });
void out;
const log: { step: number; loss: number; cls: number; reg: number; s: number }[] = [];
const res = await train(net, (step) => generateScene({ seed: firstSeed + step, range }), {
  steps,
  learningRate: Number(lrArg),
  seed: firstSeed,
  onProgress: (p) => {
    if (p.step % 25 === 0 || p.step === 1) {
      log.push({
        step: p.step,
        loss: +p.loss.toFixed(4),
        cls: +p.classification.toFixed(4),
        reg: +p.regression.toFixed(4),
        s: +(p.elapsedMs / 1000).toFixed(1),
      });
      console.log(
        `step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} (cls ${p.classification.toFixed(3)}, reg ${p.regression.toFixed(3)}) ${(p.elapsedMs / 1000).toFixed(0)} s`,
      );
    }
  },
  checkpointEvery: 200,
  onCheckpoint: async (step, n) => {
    writeFileSync(
      new URL('../reports/small-checkpoint.json', import.meta.url),
      JSON.stringify({ step: resumedFrom + step, weights: await n.getWeights() }),
    );
  },
});
const after = await evaluateDetector(net, evalScenes);
const after05 = kitti.evaluate(
  evalScenes.map((s) => s.labels),
  after.detections,
  at05,
);
console.log('trained\n' + kitti.formatEvaluation(after.result));
console.log('trained, IoU 0.5\n' + kitti.formatEvaluation(after05));
const report = {
  preset: 'small',
  config: net.config,
  backend,
  steps,
  resumedFrom,
  learningRate: Number(lrArg),
  firstSeed,
  trainSeconds: +(res.elapsedMs / 1000).toFixed(1),
  msPerStep: +(res.elapsedMs / steps).toFixed(1),
  evalScenes: evalScenes.length,
  carsInEval: evalScenes.reduce((a, s) => a + s.labels.length, 0),
  before: summary(before.result),
  before_iou05: summary(before05),
  trained: summary(after.result),
  trained_iou05: summary(after05),
  inferenceMsPerFrame: +after.msPerFrame.toFixed(1),
  log,
  date: new Date().toISOString(),
};
writeFileSync(
  new URL('../reports/train-small.json', import.meta.url),
  `${JSON.stringify(report, null, 1)}\n`,
);
console.log(JSON.stringify({ trainSeconds: report.trainSeconds, msPerStep: report.msPerStep }));
