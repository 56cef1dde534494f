// Plain-Node ESM check of the built package (run by scripts/node-import-test.mjs).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { Hopfield, hopfieldUpdate } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu');
const layer = new Hopfield({ inputSize: 4, numHeads: 2, updateStepsMax: 1, seed: 1 });
const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 2);
const g = tf.grad((v) => tf.sum(layer.apply(v)))(x);
const r = hopfieldUpdate(x, x, 2);
const ok =
  g.shape.join() === '2,3,4' && Array.from(g.dataSync()).every(Number.isFinite) && r.shape.join() === '2,3,4';
if (!ok) throw new Error(`bad gradient ${g.shape}`);
console.log(
  `esm: backend ${tf.getBackend()}, grad shape ${g.shape}, |grad| ${tf.norm(g).dataSync()[0].toFixed(4)}`,
);
