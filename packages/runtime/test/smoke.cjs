// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
const tf = require('@tensorflow/tfjs-core');
const { useBestBackend } = require('@paperstack/runtime');

useBestBackend({ log: false, backend: 'cpu' }).then(async (choice) => {
  const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor([1, 2]));
  const got = Array.from(await g.data());
  if (got.join() !== '2,4') throw new Error(`bad gradient ${got}`);
  console.log(`cjs: backend ${choice.backend}, grad ${got}`);
});
