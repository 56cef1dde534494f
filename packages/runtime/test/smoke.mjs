// Plain-Node ESM check of the built package (run by scripts/node-import-test.mjs).

import { BackendUnavailableError, useBestBackend } from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';

const choice = await useBestBackend({ log: false });
const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor([1, 2]));
const got = Array.from(await g.data());
if (got.join() !== '2,4' || typeof BackendUnavailableError !== 'function')
  throw new Error(`bad gradient ${got}`);
console.log(`esm: backend ${choice.backend}, grad ${got}`);
