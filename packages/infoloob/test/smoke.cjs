// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers');
const tf = require('@tensorflow/tfjs-core');
const { infoLoobLoss } = require('@paperstack/infoloob');

tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu').then(() => {
  const unit = (t) => tf.div(t, tf.norm(t, 'euclidean', 1, true));
  const x = unit(tf.randomNormal([8, 4], 0, 1, 'float32', 1));
  const y = unit(tf.randomNormal([8, 4], 0, 1, 'float32', 2));
  const g = tf.grad((a) => infoLoobLoss(a, y))(x);
  if (!Array.from(g.dataSync()).every(Number.isFinite)) throw new Error('non-finite gradient');
  console.log(`cjs: infoLOOB ${infoLoobLoss(x, y).dataSync()[0].toFixed(4)}`);
});
