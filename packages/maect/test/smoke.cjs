// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers');
const tf = require('@tensorflow/tfjs-core');
const { MaskedAutoencoder, patchify } = require('@paperstack/maect');

tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu').then(() => {
  const mae = new MaskedAutoencoder({
    imgSize: 8,
    patchSize: 4,
    embedDim: 8,
    depth: 1,
    numHeads: 2,
    decoderEmbedDim: 8,
    decoderDepth: 1,
    decoderNumHeads: 2,
  });
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
  const g = tf.grad((imgs) => mae.loss(imgs, { seed: 0 }))(x);
  const norm = tf.norm(g).dataSync()[0];
  if (!(norm > 0) || patchify(x, 4).shape.join() !== '2,4,48') throw new Error(`bad gradient ${norm}`);
  console.log(`cjs: MAE loss gradient norm ${norm.toFixed(4)}`);
});
