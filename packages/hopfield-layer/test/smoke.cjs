// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers'); // registers the gradients
const tf = require('@tensorflow/tfjs-core');
const { HopfieldPooling, hopfieldEnergy } = require('@paperstack/hopfield-layer');

tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu').then(() => {
  const pool = new HopfieldPooling({ inputSize: 4, quantity: 2, seed: 1 });
  const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 2);
  const g = tf.grad((v) => tf.sum(pool.apply(v)))(x);
  const e = hopfieldEnergy(x, x, { beta: 1 });
  if (
    g.shape.join() !== '2,5,4' ||
    !Array.from(g.dataSync()).every(Number.isFinite) ||
    e.shape.join() !== '2,5'
  )
    throw new Error(`bad gradient ${g.shape}`);
  console.log(`cjs: backend ${tf.getBackend()}, grad shape ${g.shape}`);
});
