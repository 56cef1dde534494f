// Trains the Region Proposal Network: voxelnet's small preset with recall-leaning targets
// (positive IoU 0.5, negative 0.35 instead of 0.6 / 0.45) on synthetic scenes, with voxelnet's
// training loop (`trainRpn`, shared with runPatchRefinementExperiment); writes results/rpn.json
// (weights + config).
//   pnpm exec tsx src/train-rpn.ts [steps] [backend]
import '@tensorflow/tfjs-layers';
import { writeFileSync } from 'node:fs';
import { useBestBackend } from '@paperstack/runtime';
import { trainRpn } from './run';

const [stepsArg = '400', backend = 'wasm'] = process.argv.slice(2);
await useBestBackend({ log: false, backend: backend as 'wasm' });
const steps = Number(stepsArg);
const res = await trainRpn(steps, {
  onProgress: (p) => {
    if (p.step % 25 === 0)
      console.log(
        `rpn step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} ${(p.elapsedMs / 1000).toFixed(0)} s`,
      );
  },
});
writeFileSync(
  new URL('../results/rpn.json', import.meta.url),
  JSON.stringify({
    steps,
    trainMs: res.elapsedMs,
    config: res.net.config,
    weights: await res.net.getWeights(),
  }),
);
console.log(`rpn trained: ${steps} steps in ${(res.elapsedMs / 1000).toFixed(0)} s`);
