// matMul n×n·n×n on one backend: median of --steps timed products after --warmup (each awaited).
// `tsx bench/gpu/src/matmul.ts --backend webgpu --n 1024`. Used for the runtime README's table.
import { parseArgs } from 'node:util';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'webgpu' },
    n: { type: 'string', default: '1024' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '5' },
  },
});
const n = Number(values.n);
const choice = await useBestBackend({ backend: values.backend as BackendRequest });
const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
const times: number[] = [];
for (let i = 0; i < Number(values.warmup) + Number(values.steps); i++) {
  const t = performance.now();
  const c = tf.matMul(a, b);
  await c.data();
  c.dispose();
  if (i >= Number(values.warmup)) times.push(performance.now() - t);
}
times.sort((x, y) => x - y);
console.log(
  JSON.stringify({
    backend: choice.backend,
    n,
    medianMs: times[times.length >> 1],
    stepsMs: times,
    date: new Date().toISOString(),
  }),
);
tf.dispose([a, b]);
