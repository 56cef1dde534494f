/**
 * Peak tensor memory of HopfieldPooling vs StreamingHopfieldPooling (forward + input and weight
 * gradients) against the bag size. `tf.profile().peakBytes` counts live tensor bytes; RSS is the
 * process resident set after each run. Usage: `npx tsx scripts/streaming-memory.ts [backend] [sizes] [plain,streaming]`.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { HopfieldPooling, StreamingHopfieldPooling } from '../src/index';

const backend = process.argv[2] ?? 'cpu';
const sizes = (process.argv[3] ?? '10000,100000,1000000').split(',').map(Number);
const kinds = (process.argv[4] ?? 'plain,streaming').split(',') as ('plain' | 'streaming')[];
const chunkSize = Number(process.argv[5] ?? 4096);
const F = 16;
const mb = (b: number) => (b / 2 ** 20).toFixed(1);

async function main() {
  await tf.setBackend(backend);
  await tf.ready();
  console.log(`backend ${backend}; bag [1, N, ${F}], 2 heads, hidden 16, quantity 1, chunk ${chunkSize}`);
  console.log('| N | input MB | layer | peak tensor MB (fwd+grad) | peak − input MB | RSS MB | time s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const N of sizes) {
    const x = tf.randomNormal([1, N, F], 0, 1, 'float32', 1);
    for (const kind of kinds) {
      const args = { inputSize: F, hiddenSize: 16, numHeads: 2, seed: 3 };
      const layer =
        kind === 'plain' ? new HopfieldPooling(args) : new StreamingHopfieldPooling({ ...args, chunkSize });
      tf.dispose(layer.apply(tf.zeros([1, 2, F])) as tf.Tensor);
      const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      const t0 = performance.now();
      const prof = await tf.profile(() => {
        const dx = tf.grads((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))([x]);
        const { value, grads } = tf.variableGrads(
          () => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar,
          vars,
        );
        tf.dispose([...dx, value, ...Object.values(grads)]);
      });
      const sec = (performance.now() - t0) / 1000;
      const rss = process.memoryUsage().rss;
      console.log(
        `| ${N} | ${mb(x.size * 4)} | ${kind} | ${mb(prof.peakBytes)} | ${mb(prof.peakBytes - x.size * 4)} | ${mb(rss)} | ${sec.toFixed(1)} |`,
      );
      layer.dispose();
    }
    tf.dispose(x);
  }
}
main();
