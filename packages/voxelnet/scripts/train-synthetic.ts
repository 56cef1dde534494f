// Trains the small preset on synthetic scenes and evaluates it (KITTI metric) on held-out scenes
// before and after training. Writes reports/train-small.json (numbers for the README).
//   pnpm exec tsx packages/voxelnet/scripts/train-synthetic.ts [steps] [backend] [evalScenes]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { evaluateDetector, generateScene, kitti, train, VoxelNet } from '../src/index';

const [stepsArg = '600', backend = 'wasm', evalArg = '100'] = process.argv.slice(2);
await tf.setBackend(backend);
await tf.ready();
const steps = Number(stepsArg);
const net = new VoxelNet('small');
const range = net.config.pointCloudRange;
const evalScenes = Array.from({ length: Number(evalArg) }, (_, i) =>
  generateScene({ seed: 1_000_000 + i, range }),
);
const summary = (r: kitti.KittiEvaluation) =>
  Object.fromEntries(
    Object.entries(r.Car).map(([m, v]) => [
      m,
      { ap11: v!.ap11.map((x) => +x.toFixed(2)), ap40: v!.ap40.map((x) => +x.toFixed(2)) },
    ]),
  );
const before = await evaluateDetector(net, evalScenes);
console.log('untrained\n' + kitti.formatEvaluation(before.result));
const out = mkdirSync(new URL('../reports/', import.meta.url), { recursive: true });
void out;
const log: { step: number; loss: number; cls: number; reg: number; s: number }[] = [];
const res = await train(net, (step) => generateScene({ seed: step, range }), {
  steps,
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
      JSON.stringify({ step, weights: await n.getWeights() }),
    );
  },
});
const after = await evaluateDetector(net, evalScenes);
console.log('trained\n' + kitti.formatEvaluation(after.result));
const report = {
  preset: 'small',
  config: net.config,
  backend,
  steps,
  trainSeconds: +(res.elapsedMs / 1000).toFixed(1),
  msPerStep: +(res.elapsedMs / steps).toFixed(1),
  evalScenes: evalScenes.length,
  carsInEval: evalScenes.reduce((a, s) => a + s.labels.length, 0),
  untrained: summary(before.result),
  trained: summary(after.result),
  inferenceMsPerFrame: +after.msPerFrame.toFixed(1),
  log,
  date: new Date().toISOString(),
};
writeFileSync(
  new URL('../reports/train-small.json', import.meta.url),
  `${JSON.stringify(report, null, 1)}\n`,
);
console.log(JSON.stringify({ trainSeconds: report.trainSeconds, msPerStep: report.msPerStep }));
