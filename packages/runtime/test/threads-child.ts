// Run by wasm-threads.test.ts in its own process: the wasm backend initializes once per process.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { useBestBackend } from '../src/index';

const choice = await useBestBackend({
  backend: 'wasm',
  wasmThreads: Number(process.argv[2] ?? 2),
  log: false,
});
const a = tf.randomNormal([300, 200], 0, 1, 'float32', 1);
const b = tf.randomNormal([200, 100], 0, 1, 'float32', 2);
const wasm = tf.matMul(a, b).dataSync();
const [, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
  tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')),
)([tf.ones([2, 16, 16, 8]), tf.ones([3, 3, 8, 4])]);
await tf.setBackend('cpu');
const cpu = tf.matMul(tf.tensor(a.dataSync(), a.shape), tf.tensor(b.dataSync(), b.shape)).dataSync();
let maxDiff = 0;
for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - wasm[i]));
console.log(
  JSON.stringify({
    threads: choice.wasmThreads,
    reason: choice.reason,
    maxDiff,
    dwCenter: dw.dataSync()[(1 * 3 + 1) * 32],
  }),
);
// no process.exit: the test checks that the pthread workers let Node exit by itself
