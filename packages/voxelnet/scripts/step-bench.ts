// Measures one training step (forward + backward + SGD update) and one forward of a preset.
//   pnpm exec tsx packages/voxelnet/scripts/step-bench.ts <backend> <preset> [steps]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { VoxelNet } from '../src/index';
import { generateScene } from '../src/synthetic';

const [backend = 'cpu', preset = 'small', stepsArg = '3'] = process.argv.slice(2);
await tf.setBackend(backend);
await tf.ready();
const net = new VoxelNet(preset as 'small' | 'car');
const scene = generateScene({ seed: 1, range: net.config.pointCloudRange });
const vox = net.voxelizer.voxelize(scene.points, { seed: 0 });
const opt = tf.train.momentum(0.01, 0.9);
const vars = net.trainableVariables();
const step = () => {
  const t = net.targets(scene.boxes);
  const cost = opt.minimize(() => net.loss(vox, t).total, true, vars);
  const v = cost!.dataSync()[0];
  cost!.dispose();
  return v;
};
step();
let t0 = performance.now();
const steps = Number(stepsArg);
for (let i = 0; i < steps; i++) step();
const stepMs = (performance.now() - t0) / steps;
const fwd = () => {
  const o = net.forward(vox);
  o.scores.dataSync();
  tf.dispose([o.scores, o.boxes]);
};
fwd();
t0 = performance.now();
for (let i = 0; i < steps; i++) fwd();
const fwdMs = (performance.now() - t0) / steps;
console.log(
  JSON.stringify({
    backend,
    preset,
    voxels: vox.numVoxels,
    stepMs: +stepMs.toFixed(1),
    forwardMs: +fwdMs.toFixed(1),
    tensors: tf.memory().numTensors,
  }),
);
