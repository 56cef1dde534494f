/**
 * Why the native TensorFlow columns are where they are (issue 17: "where a row misses, say why,
 * measured"). CPU time per call (process.cpuUsage, so that it holds on a busy machine; with one
 * TensorFlow thread it equals the wall time of an idle machine), median of N calls after a warm-up:
 *
 * - one small op (add of two [8] tensors) and one mid-size elementwise op ([4096,256]): the fixed
 *   cost per op of tfjs-node (tensor handles, TFE_Execute, N-API), which rows made of many small ops
 *   (Hopfield, the contrastive losses, the tiny MAE step) pay many times;
 * - matMul [4096,256]·[256,256] and the conv2d training step of the main table.
 *
 * Run once per setting, e.g.:
 *   TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 pnpm exec tsx scripts/native-why.ts
 *   TF_ENABLE_ONEDNN_OPTS=0 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 pnpm exec tsx scripts/native-why.ts
 *   pnpm exec tsx scripts/native-why.ts --backend wasm
 */
import '@tensorflow/tfjs-layers';
import { registerWasmFastKernels, registerWasmTrainingKernels, useBestBackend } from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';

const backend = process.argv.includes('--backend')
  ? process.argv[process.argv.indexOf('--backend') + 1]
  : 'tensorflow';
await useBestBackend({ backend: backend as 'tensorflow' | 'wasm', log: false });
if (backend === 'wasm') {
  registerWasmTrainingKernels();
  registerWasmFastKernels();
}

function cpuMs(fn: () => void, n: number): number {
  fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    out.push((d.user + d.system) / 1000);
  }
  out.sort((a, b) => a - b);
  return out[Math.floor(n / 2)];
}

const tidy = (f: () => unknown) => () => {
  tf.tidy(() => {
    const r = f();
    // the native backend computes eagerly; reading one value makes sure the op ran
    if (r instanceof tf.Tensor) r.dataSync();
  });
};

const s1 = tf.ones([8]);
const s2 = tf.ones([8]);
const m1 = tf.randomNormal([4096, 256], 0, 1, 'float32', 1);
const m2 = tf.randomNormal([256, 256], 0, 1, 'float32', 2);
const x = tf.randomNormal([8, 64, 64, 32], 0, 1, 'float32', 3);
const w = tf.randomNormal([3, 3, 32, 32], 0, 1, 'float32', 4);
const grad = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
  tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')),
);

// 100 small ops per call, so the per-op cost is above the clock's resolution
const small = tidy(() => {
  let r = s1;
  for (let i = 0; i < 100; i++) r = tf.add(r, s2);
  return r;
});
const rows = {
  backend: tf.getBackend(),
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(TF_|OMP_)/.test(k))),
  'small op (add [8]) µs': +((cpuMs(small, 30) * 1000) / 100).toFixed(1),
  'add [4096,256] ms': +cpuMs(
    tidy(() => tf.add(m1, m1)),
    30,
  ).toFixed(3),
  'matMul [4096,256]·[256,256] ms': +cpuMs(
    tidy(() => tf.matMul(m1, m2)),
    30,
  ).toFixed(2),
  'conv2d train step ms': +cpuMs(
    tidy(() => grad([x, w])),
    10,
  ).toFixed(1),
};
console.log(JSON.stringify(rows));
