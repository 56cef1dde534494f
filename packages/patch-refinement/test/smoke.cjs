// Plain-Node CJS check of the built package (run by scripts/node-import-test.mjs).
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers');
const {
  boxesFromCanonical,
  boxesToCanonical,
  LocalRefinementNetwork,
  PatchExtractor,
  samplePatches,
} = require('@paperstack/patch-refinement');
const { generateScene } = require('@paperstack/voxelnet');
const tf = require('@tensorflow/tfjs-core');

(async () => {
  await tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu');
  const scene = generateScene({ seed: 1, beams: 16, azimuthStep: 1 });
  const frame = { cx: 10, cy: -2, heading: 0.7 };
  const back = boxesFromCanonical(boxesToCanonical(scene.boxes, frame), frame);
  const err = Math.max(...Array.from(back, (v, i) => Math.abs(v - scene.boxes[i])));
  const patches = new PatchExtractor().extract(scene.points, scene.boxes);
  const lrn = new LocalRefinementNetwork({
    voxelSize: [0.8, 0.8, 2],
    network: {
      maxPointsPerVoxel: 4,
      vfeChannels: [8, 8],
      voxelChannels: 8,
      rpnBlocks: [{ layers: 1, filters: 8, stride: 1 }],
      rpnUpsample: [{ filters: 8, kernel: 3, stride: 1 }],
    },
  });
  const examples = samplePatches([scene], 2, { seed: 0 });
  const { value, grads } = tf.variableGrads(() => lrn.loss(examples).total, lrn.trainableVariables());
  const norm = Object.values(grads).reduce((a, g) => a + tf.norm(g).dataSync()[0], 0);
  if (
    !(norm > 0) ||
    !Number.isFinite(norm) ||
    !(err < 1e-9) ||
    patches.numPatches !== scene.boxes.length / 7
  ) {
    throw new Error(`bad gradient ${norm}, round trip ${err} or patches ${patches.numPatches}`);
  }
  console.log(
    `cjs: ${patches.numPatches} patches, loss ${value.dataSync()[0].toFixed(3)}, LRN grad norm ${norm.toFixed(3)}`,
  );
})();
