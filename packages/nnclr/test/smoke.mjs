// Plain-Node ESM check of the built package (run by scripts/node-import-test.mjs).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { nnclrTwoViewLoss, ProjectionHead, SupportSet } from '@paperstack/nnclr';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu');
const head = new ProjectionHead({ units: [8, 4], seed: 1 });
const set = new SupportSet({ size: 16, dim: 4, seed: 2 });
const x = tf.randomNormal([6, 5], 0, 1, 'float32', 3);
const { neighbours } = set.lookup(head.apply(x));
const g = tf.grad((p) =>
  nnclrTwoViewLoss({ predicted0: p, predicted1: p, neighbours0: neighbours, neighbours1: neighbours }),
)(head.apply(x, { training: true }));
const norm = tf.norm(g).dataSync()[0];
if (!(norm > 0 && Number.isFinite(norm))) throw new Error(`bad gradient norm ${norm}`);
console.log(`esm: backend ${tf.getBackend()}, |grad| ${norm.toFixed(4)}`);
