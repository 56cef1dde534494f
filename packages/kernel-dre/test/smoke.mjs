// Plain-Node ESM check of the built package (run by scripts/node-import-test.mjs).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers gradients
import { aggregate, KuLSIF } from '@paperstack/kernel-dre';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu');
const num = tf.tensor2d([[0.5], [0.7], [0.9], [1.1], [0.6]]);
const den = tf.tensor2d([[0], [0.3], [-0.4], [0.8], [1.2], [-1]]);
const model = new KuLSIF({ lambda: 0.1, iterations: 3 }).fit(num, den);
const r = model.predict([[0.6], [-1.5]]);
if (!(r[0] > r[1])) throw new Error(`ratio should be larger near the numerator: ${r}`);
const g = tf.grad((x) => tf.sum(model.predictTensor(x)))(tf.tensor2d([[0.2]]));
const gv = (await g.data())[0];
if (!Number.isFinite(gv)) throw new Error(`bad gradient ${gv}`);
const agg = aggregate({ predictions: [[[1, 0]], [[0.5, 0.5]]], labels: [0], weights: [1] }, [
  [[1, 0]],
  [[0.5, 0.5]],
]);
console.log(
  `esm: r̂ = ${Array.from(r, (v) => v.toFixed(3))}, dr̂/dx = ${gv.toFixed(4)}, IWA c = ${Array.from(agg.weights, (v) => v.toFixed(3))}`,
);
