// RPN alone on held-out synthetic scenes (sanity check of a weights file).
//   tsx src/eval-rpn.ts <weights.json> [scenes]
import '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { useBestBackend } from '@paperstack/runtime';
import { evaluateDetector, kitti, SMALL_PRESET, VoxelNet } from '@paperstack/voxelnet';
import { heldOutFrames } from './run';

const [file, n = '20'] = process.argv.slice(2);
await useBestBackend({ log: false, backend: 'wasm' });
const saved = JSON.parse(readFileSync(file, 'utf8'));
const net = new VoxelNet(saved.config ?? SMALL_PRESET);
net.setWeights(saved.weights);
const frames = heldOutFrames(Number(n));
const r = await evaluateDetector(net, frames);
console.log(file, `${r.msPerFrame.toFixed(0)} ms/frame`);
console.log(kitti.formatEvaluation(r.result));
