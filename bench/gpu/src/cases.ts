import { Hopfield } from '@paperstack/hopfield-layer';
import { MAE_PRESETS, MaskedAutoencoder } from '@paperstack/maect';
import { generateScene, VoxelNet } from '@paperstack/voxelnet';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Training steps (forward, backward, Adam update) of one model family each. `paper` shapes are
 * the ones a GPU is for; `small` ones check the script on a software GPU in seconds. The PyTorch
 * counterpart (torch_bench.py) builds the same shapes; keep the two in step.
 */
export type Size = 'paper' | 'small';

export interface GpuCase {
  id: 'hopfield' | 'mae' | 'voxelnet';
  /** What is trained, with its shapes. */
  describe(size: Size): string;
  /** Builds the model and data; `step()` runs one training step and resolves to its loss. */
  make(size: Size): { step(): Promise<number>; dispose(): void; info?: Record<string, number> };
}

/** Parameters of each case and size, shared with torch_bench.py through the JSON output. */
export const SHAPES = {
  hopfield: {
    paper: { batch: 32, seq: 128, input: 256, heads: 8 },
    small: { batch: 2, seq: 16, input: 32, heads: 2 },
  },
  mae: {
    // ViT-Ti/16 encoder on 224×224 images (196 patches, 75 % masked), MAE decoder 512 × 8.
    paper: { batch: 32, imgSize: 224, preset: 'vit-ti/16' as const },
    small: { batch: 2, imgSize: 32, preset: 'tiny' as const },
  },
  voxelnet: {
    // One synthetic KITTI-like frame through the paper's car network (352 × 400 × 10 grid).
    paper: { preset: 'car' as const, sceneRange: [0, -40, -3, 70.4, 40, 1] },
    small: { preset: 'small' as const, sceneRange: [0, -12.8, -3, 25.6, 12.8, 1] },
  },
} as const;

async function stepWith(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  loss: () => tf.Scalar,
): Promise<number> {
  const value = optimizer.minimize(loss, true, vars) as tf.Scalar;
  // Reading the loss waits for the GPU to finish the step.
  const v = (await value.data())[0];
  value.dispose();
  return v;
}

const hopfield: GpuCase = {
  id: 'hopfield',
  describe(size) {
    const s = SHAPES.hopfield[size];
    return `Hopfield self-association (default options), batch ${s.batch}, ${s.seq} tokens, input ${s.input}, ${s.heads} heads; loss mean(out²)`;
  },
  make(size) {
    const s = SHAPES.hopfield[size];
    const layer = new Hopfield({ inputSize: s.input, numHeads: s.heads });
    const x = tf.randomNormal([s.batch, s.seq, s.input], 0, 1, 'float32', 21);
    tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = tf.train.adam(1e-4);
    return {
      step: () =>
        stepWith(optimizer, vars, () => tf.mean(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar),
      dispose: () => {
        tf.dispose(x);
        optimizer.dispose();
        layer.dispose();
      },
    };
  },
};

const mae: GpuCase = {
  id: 'mae',
  describe(size) {
    const s = SHAPES.mae[size];
    return `MAE ${s.preset} on ${s.imgSize}×${s.imgSize}×3 images, batch ${s.batch}, mask ratio 0.75, normalized-pixel loss`;
  },
  make(size) {
    const s = SHAPES.mae[size];
    const model = new MaskedAutoencoder({ ...MAE_PRESETS[s.preset], imgSize: s.imgSize });
    const images = tf.randomUniform([s.batch, s.imgSize, s.imgSize, 3], 0, 1, 'float32', 3);
    const vars = model.trainableVariables();
    const optimizer = tf.train.adam(1e-4);
    let seed = 0;
    return {
      step: () => stepWith(optimizer, vars, () => model.loss(images, { seed: seed++ })),
      dispose: () => {
        tf.dispose(images);
        optimizer.dispose();
        model.dispose();
      },
    };
  },
};

const voxelnet: GpuCase = {
  id: 'voxelnet',
  describe(size) {
    return `VoxelNet '${SHAPES.voxelnet[size].preset}' preset, one synthetic frame (seed 1), classification + regression loss`;
  },
  make(size) {
    const s = SHAPES.voxelnet[size];
    const net = new VoxelNet(s.preset);
    const scene = generateScene({ seed: 1, range: s.sceneRange });
    const voxels = net.voxelizer.voxelize(scene.points, { shuffle: false });
    const targets = net.targets(scene.boxes);
    const vars = net.trainableVariables();
    const optimizer = tf.train.adam(1e-4);
    return {
      info: { numVoxels: voxels.numVoxels, maxPointsPerVoxel: voxels.maxPointsPerVoxel },
      step: () =>
        stepWith(optimizer, vars, () => {
          const parts = net.loss(voxels, targets);
          tf.dispose([parts.classification, parts.regression]);
          return parts.total;
        }),
      dispose: () => {
        optimizer.dispose();
        net.dispose();
      },
    };
  },
};

export const CASES: readonly GpuCase[] = [hopfield, mae, voxelnet];
