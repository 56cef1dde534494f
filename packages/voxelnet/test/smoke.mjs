// Plain-Node ESM check of the built package (run by scripts/node-import-test.mjs).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { generateScene, kitti, VoxelFeatureExtractor, Voxelizer } from '@paperstack/voxelnet';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend(process.env.PAPERSTACK_SMOKE_BACKEND || 'cpu');
const scene = generateScene({ seed: 1, beams: 16, azimuthStep: 1 });
const v = new Voxelizer({
  pointCloudRange: [0, -12.8, -3, 25.6, 12.8, 1],
  voxelSize: [0.4, 0.4, 2],
  maxPointsPerVoxel: 4,
}).voxelize(scene.points);
const vfe = new VoxelFeatureExtractor({ vfeChannels: [8, 16], outChannels: 16 });
const mask = tf.tensor3d(
  Array.from({ length: v.numVoxels * 4 }, (_, i) => (i % 4 < v.numPoints[Math.floor(i / 4)] ? 1 : 0)),
  [v.numVoxels, 4, 1],
);
const g = tf.grad((x) => tf.sum(vfe.apply([x, mask], { training: true })))(
  tf.tensor3d(v.features, [v.numVoxels, 4, 7]),
);
const norm = (await tf.norm(g).data())[0];
const ap = kitti.evaluate([scene.labels], [scene.labels.map((l) => ({ ...l, score: 1 }))]).Car.bev.ap40[2];
if (!(norm > 0) || !Number.isFinite(norm) || !(ap > 0)) throw new Error(`bad gradient ${norm} or AP ${ap}`);
console.log(`esm: ${v.numVoxels} voxels, VFE grad norm ${norm.toFixed(3)}, self-AP ${ap.toFixed(1)}`);
