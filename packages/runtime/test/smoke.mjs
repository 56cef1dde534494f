// Plain-Node ESM check of the built package (run by scripts/node-import-test.mjs).

import { BackendUnavailableError, useBestBackend } from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';

const choice = await useBestBackend({ log: false });
const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor([1, 2]));
const got = Array.from(await g.data());
if (got.join() !== '2,4' || typeof BackendUnavailableError !== 'function')
  throw new Error(`bad gradient ${got}`);
// a conv2d weight gradient needs the runtime's wasm Conv2DBackpropFilter kernel
const [, dw] = tf.grads((x, w) => tf.sum(tf.conv2d(x, w, 1, 'same')))([
  tf.ones([1, 4, 4, 2]),
  tf.ones([3, 3, 2, 1]),
]);
if (dw.shape.join() !== '3,3,2,1' || dw.dataSync()[8] !== 16)
  throw new Error(`bad conv2d filter gradient ${dw.dataSync()}`);
console.log(`esm: backend ${choice.backend}, grad ${got}, conv2d dW ok`);
