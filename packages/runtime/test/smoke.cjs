// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
const tf = require('@tensorflow/tfjs-core');
const { useBestBackend } = require('@paperstack/runtime');

useBestBackend({ log: false, backend: process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu' }).then(
  async (choice) => {
    const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor([1, 2]));
    const got = Array.from(await g.data());
    if (got.join() !== '2,4') throw new Error(`bad gradient ${got}`);
    // a conv2d weight gradient (on wasm it needs the runtime's Conv2DBackpropFilter kernel)
    const [, dw] = tf.grads((x, w) => tf.sum(tf.conv2d(x, w, 1, 'same')))([
      tf.ones([1, 4, 4, 2]),
      tf.ones([3, 3, 2, 1]),
    ]);
    if (dw.shape.join() !== '3,3,2,1' || dw.dataSync()[8] !== 16)
      throw new Error(`bad conv2d filter gradient ${dw.dataSync()}`);
    console.log(`cjs: backend ${choice.backend}, grad ${got}, conv2d dW ok`);
  },
);
