// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers');
const tf = require('@tensorflow/tfjs-core');
const { conv2d, kitti, rotatedNms } = require('@paperstack/voxelnet');

tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu').then(async () => {
  const x = tf.randomNormal([1, 6, 6, 3], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2);
  const [gx, gw] = tf.grads((a, b) => tf.sum(conv2d(a, b, 2, [1, 1])))([x, w]);
  const n = (await tf.norm(gw).data())[0];
  const keep = rotatedNms([0, 0, 0, 4, 2, 1.5, 0, 0.1, 0, 0, 4, 2, 1.5, 0], [0.9, 0.8], {
    iouThreshold: 0.5,
  });
  const calib = kitti.defaultCalib();
  if (!(n > 0) || keep.length !== 1 || gx.shape.join() !== '1,6,6,3' || calib.P2.length !== 12)
    throw new Error(`bad gradient ${n} / nms ${keep}`);
  console.log(`cjs: conv2d filter grad norm ${n.toFixed(3)}, NMS kept ${keep.length}`);
});
