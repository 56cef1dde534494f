// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers'); // registers the gradients
const tf = require('@tensorflow/tfjs-core');
const { nnclrLoss, PredictionHead, SupportSet } = require('@paperstack/nnclr');

tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu').then(() => {
  const head = new PredictionHead({ units: [8, 4], seed: 1 });
  const set = new SupportSet({ size: 16, dim: 4, seed: 2 });
  const x = tf.randomNormal([6, 4], 0, 1, 'float32', 3);
  const { neighbours } = set.lookup(x);
  const g = tf.grad((v) => nnclrLoss(head.apply(v, { training: true }), neighbours))(x);
  const norm = tf.norm(g).dataSync()[0];
  if (!(norm > 0 && Number.isFinite(norm))) throw new Error(`bad gradient norm ${norm}`);
  console.log(`cjs: backend ${tf.getBackend()}, |grad| ${norm.toFixed(4)}`);
});
