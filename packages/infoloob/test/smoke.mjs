// Plain-Node ESM check of the built package (run by scripts/node-import-test.mjs).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { cloobLoss } from '@paperstack/infoloob';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu');
const unit = (t) => tf.div(t, tf.norm(t, 'euclidean', 1, true));
const x = unit(tf.randomNormal([8, 4], 0, 1, 'float32', 1));
const y = unit(tf.randomNormal([8, 4], 0, 1, 'float32', 2));
const g = tf.grad((a) => cloobLoss(a, y))(x);
if (!Array.from(g.dataSync()).every(Number.isFinite)) throw new Error('non-finite gradient');
console.log(
  `esm: cloob loss ${cloobLoss(x, y).dataSync()[0].toFixed(4)}, |grad| ${tf.norm(g).dataSync()[0].toFixed(4)}`,
);
