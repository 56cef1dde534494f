// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers'); // registers gradients
const tf = require('@tensorflow/tfjs-core');
const { KuLSIF, DREInputError } = require('@paperstack/kernel-dre');

tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu').then(async () => {
  const num = tf.tensor2d([[0.5], [0.7], [0.9], [1.1], [0.6]]);
  const den = tf.tensor2d([[0], [0.3], [-0.4], [0.8], [1.2], [-1]]);
  const model = new KuLSIF({ lambda: 0.1, iterations: 2 }).fit(num, den);
  const g = tf.grad((x) => tf.sum(model.predictTensor(x)))(tf.tensor2d([[0.2]]));
  const gv = (await g.data())[0];
  if (!Number.isFinite(gv)) throw new Error(`bad gradient ${gv}`);
  let typed = false;
  try {
    new KuLSIF({ lambda: -1 });
  } catch (e) {
    typed = e instanceof DREInputError && e.argument === 'options.lambda';
  }
  if (!typed) throw new Error('expected a DREInputError for lambda = -1');
  console.log(`cjs: dr̂/dx = ${gv.toFixed(4)}, typed errors ok`);
});
