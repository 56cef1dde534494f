// Training steps of the paths that used to read tensors synchronously, on webgpu and on cpu from
// the same weights and data. On webgpu in Node a synchronous read of a GPU tensor throws
// WebGpuSyncReadError (src/webgpu/setup.ts), so each test also checks that its path has none:
// - @paperstack/hopfield-layer: padding-mask check and the update-step stopping test
//   (HopfieldPooling as in examples/hopfield's MIL), streaming pooling, hopfieldRetrieveAsync;
// - @paperstack/infoloob: checkNormalized / positives validation in the CLOOB and InfoLOOB losses;
// - @paperstack/voxelnet: masked batch norm (VFE) and the loss parts read in `train`;
// - @paperstack/patch-refinement: the loss parts read in `trainLrn`;
// - @paperstack/nnclr: neighbour search (SupportSet.lookupOnDevice) in NnclrTrainer.trainStepAsync;
// - @paperstack/maect: the same in ContrastiveTuner.stepAsync.
// Resolved to the packages' sources by the vitest alias (vitest.shared.ts), not dependencies.
import {
  HopfieldPooling,
  hopfieldRetrieve,
  hopfieldRetrieveAsync,
  StreamingHopfieldPooling,
} from '@paperstack/hopfield-layer';
import { cloobLoss, infoLoobLoss } from '@paperstack/infoloob';
import { augment, ContrastiveTuner, VisionTransformer } from '@paperstack/maect';
import { AdamW, NnclrTrainer, PredictionHead, ProjectionHead, SupportSet } from '@paperstack/nnclr';
import { LocalRefinementNetwork, trainLrn } from '@paperstack/patch-refinement';
import { generateScene, train, VoxelNet, type VoxelNetConfig } from '@paperstack/voxelnet';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { TINY as LRN_TINY } from '../../patch-refinement/test/tiny';
import { randomData } from './compare';
import { adamLosses, expectSameValues, webgpuOrWhyNot } from './webgpu';

const whyNot = await webgpuOrWhyNot();
if (whyNot) console.warn(`webgpu training-path suite SKIPPED: ${whyNot}`);

type Backend = 'cpu' | 'webgpu';

/** Bags of 7 instances, 2–4 of them padding (true = padding), as examples/hopfield's MIL pads. */
const MASK = Array.from({ length: 21 }, (_, i) => (i % 7 >= 5 - (i % 3) ? 1 : 0));

describe.skipIf(whyNot !== undefined)('webgpu: training paths without synchronous reads', () => {
  test('HopfieldPooling and StreamingHopfieldPooling with a padding mask and update steps: 3 Adam steps', {
    timeout: 60_000,
  }, async () => {
    const x = randomData([3, 7, 6], 51);
    for (const streaming of [false, true]) {
      const build = () => {
        const args = { inputSize: 6, hiddenSize: 4, numHeads: 2, seed: 5 };
        const layer = streaming
          ? new StreamingHopfieldPooling({ ...args, chunkSize: 3 })
          : new HopfieldPooling({ ...args, updateStepsMax: 3, updateStepsEps: 1e-3 });
        const xs = tf.tensor(x.values, x.shape);
        const mask = tf.tensor2d(MASK, [3, 7], 'bool');
        tf.dispose(layer.apply(xs, { storedPatternPaddingMask: mask }) as tf.Tensor);
        for (const [i, w] of layer.trainableWeights.entries()) {
          const v = tf.tensor(randomData(w.shape as number[], 60 + i).values, w.shape as number[]);
          w.write(v);
          v.dispose();
        }
        return {
          vars: layer.trainableWeights.map((w) => w.read() as tf.Variable),
          loss: () =>
            tf.mean(
              tf.square(
                tf.sub(layer.apply(xs, { storedPatternPaddingMask: mask, training: true }) as tf.Tensor, 0.5),
              ),
            ) as tf.Scalar,
          dispose: () => {
            tf.dispose([xs, mask]);
            layer.dispose();
          },
        };
      };
      const cpu = await adamLosses('cpu', build, 3, 1e-2);
      const gpu = await adamLosses('webgpu', build, 3, 1e-2);
      expect(cpu[2]).toBeLessThan(cpu[0]);
      expectSameValues(gpu, cpu, 1e-4, streaming ? 'streaming' : 'HopfieldPooling');
    }
  });

  test('hopfieldRetrieveAsync until convergence; bounded hopfieldRetrieve', { timeout: 30_000 }, async () => {
    const x = randomData([2, 9, 5], 52);
    const run = async (backend: Backend) => {
      await tf.setBackend(backend);
      const xs = tf.tensor(x.values, x.shape);
      const a = await hopfieldRetrieveAsync(xs, xs, { beta: 2, updateStepsMax: null, updateStepsEps: 1e-5 });
      const b = hopfieldRetrieve(xs, xs, { beta: 2, updateStepsMax: 4 });
      const out = { steps: a.updateSteps, a: await a.output.data(), b: await b.output.data() };
      tf.dispose([xs, a.output, a.association, b.output, b.association]);
      return out;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expect(gpu.steps).toBe(cpu.steps);
    expectSameValues(Array.from(gpu.a), Array.from(cpu.a), 1e-4, 'async retrieval');
    expectSameValues(Array.from(gpu.b), Array.from(cpu.b), 1e-4, 'bounded retrieval');
  });

  test('CLOOB and InfoLOOB losses (normalization and positives checks): 3 Adam steps', {
    timeout: 30_000,
  }, async () => {
    const img = randomData([4, 6], 53);
    const txt = randomData([4, 6], 54);
    const w0 = randomData([6, 6], 55);
    for (const which of ['cloob', 'infoloob'] as const) {
      const build = () => {
        const a = tf.tensor2d(img.values, [4, 6]);
        const b = tf.tensor2d(txt.values, [4, 6]);
        const w = tf.tidy(() => tf.variable(tf.tensor2d(w0.values, [6, 6])));
        const positives = tf.eye(4);
        const unit = (t: tf.Tensor2D) => tf.div(t, tf.norm(t, 'euclidean', 1, true)) as tf.Tensor2D;
        return {
          vars: [w],
          loss: () => {
            const u = unit(tf.matMul(a, w));
            const v = unit(b);
            return which === 'cloob'
              ? cloobLoss(u, v, { invTau: 10 })
              : infoLoobLoss(u, v, { invTau: 10, positives });
          },
          dispose: () => tf.dispose([a, b, w, positives]),
        };
      };
      const cpu = await adamLosses('cpu', build, 3, 1e-2);
      const gpu = await adamLosses('webgpu', build, 3, 1e-2);
      expectSameValues(gpu, cpu, 1e-4, which);
    }
  });

  test('VoxelNet train (tiny config, masked batch norm): 2 steps', { timeout: 120_000 }, async () => {
    const config: Partial<VoxelNetConfig> = {
      pointCloudRange: [0, -6.4, -3, 12.8, 6.4, 1],
      voxelSize: [0.8, 0.8, 2],
      maxPointsPerVoxel: 4,
      maxVoxels: 512,
      vfeChannels: [8, 16],
      voxelChannels: 16,
      middleLayers: [{ filters: 8, kernel: 3, stride: [2, 1, 1], padding: [1, 1, 1] }],
      rpnBlocks: [
        { layers: 1, filters: 16, stride: 2 },
        { layers: 1, filters: 16, stride: 2 },
      ],
      rpnUpsample: [
        { filters: 8, kernel: 3, stride: 1 },
        { filters: 8, kernel: 2, stride: 2 },
      ],
    };
    const scene = generateScene({
      seed: 3,
      range: config.pointCloudRange,
      cars: [2, 2],
      clutter: 2,
      beams: 32,
    });
    const frame = { points: scene.points, boxes: scene.boxes };
    await tf.setBackend('cpu');
    const first = new VoxelNet(config);
    const weights = await first.getWeights();
    first.dispose();
    const run = async (backend: Backend) => {
      await tf.setBackend(backend);
      const net = new VoxelNet(config);
      net.setWeights(weights);
      const parts: number[][] = [];
      const r = await train(net, () => frame, {
        steps: 2,
        augment: false,
        onProgress: (p) => parts.push([p.classification, p.regression]),
      });
      net.dispose();
      return { losses: r.losses, parts: parts.flat() };
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expectSameValues(gpu.losses, cpu.losses, 1e-3, 'VoxelNet loss');
    expectSameValues(gpu.parts, cpu.parts, 1e-3, 'VoxelNet loss parts');
  });

  test('trainLrn (tiny LRN): 2 steps', { timeout: 120_000 }, async () => {
    const scenes = [
      generateScene({ seed: 31, beams: 24, azimuthStep: 0.5 }),
      generateScene({ seed: 32, beams: 24, azimuthStep: 0.5 }),
    ];
    await tf.setBackend('cpu');
    const first = new LocalRefinementNetwork(LRN_TINY);
    const weights = await first.getWeights();
    first.dispose();
    const run = async (backend: Backend) => {
      await tf.setBackend(backend);
      const lrn = new LocalRefinementNetwork(LRN_TINY);
      lrn.setWeights(weights);
      const r = await trainLrn(lrn, scenes, { steps: 2, batchSize: 2, seed: 4 });
      lrn.dispose();
      return r.losses;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expectSameValues(gpu, cpu, 1e-3, 'LRN loss');
  });

  test('NnclrTrainer.trainStepAsync (queue filling up, topk 2): 4 steps', { timeout: 60_000 }, async () => {
    const data = [0, 1, 2, 3].map((s) => [randomData([8, 6], 70 + 2 * s), randomData([8, 6], 71 + 2 * s)]);
    const run = async (backend: Backend) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const encoder = tfl.sequential({
        layers: [
          tfl.layers.dense({
            units: 12,
            inputShape: [6],
            activation: 'relu',
            kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
          }),
        ],
      });
      const projector = new ProjectionHead({ units: [12, 6], seed: 2 });
      const predictor = new PredictionHead({ units: [12, 6], seed: 3 });
      const supportSet = new SupportSet({ size: 20, dim: 6, blockSize: 8, seed: 4, init: 'empty' });
      const optimizer = new AdamW({ learningRate: 3e-3, weightDecay: 1e-4 });
      const trainer = new NnclrTrainer({ encoder, projector, predictor, supportSet, optimizer, topk: 2 });
      const out: number[] = [];
      for (const [a, b] of data) {
        const batch = {
          view0: tf.tensor2d(a.values, [8, 6]),
          view1: tf.tensor2d(b.values, [8, 6]),
          ids: [...Array(8).keys()],
          labels: [0, 1, 2, 3, 0, 1, 2, 3],
        };
        const info = await trainer.trainStepAsync(batch);
        out.push(info.loss, info.nnAccuracy ?? -1);
        tf.dispose([batch.view0, batch.view1]);
      }
      for (const p of [encoder, projector, predictor, supportSet, optimizer]) p.dispose();
      expect(tf.memory().numTensors, `tensors left on ${backend}`).toBe(before);
      return out;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expectSameValues(gpu, cpu, 1e-3, 'NNCLR loss / nn accuracy');
  });

  test('ContrastiveTuner.stepAsync (stage 3, topk 2): 2 steps', { timeout: 120_000 }, async () => {
    const img = randomData([4, 8, 8, 3], 80);
    const run = async (backend: Backend) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(img.values, [4, 8, 8, 3]);
      const v0 = augment(x, { seed: 1 });
      const v1 = augment(x, { seed: 2 });
      const vit = new VisionTransformer({
        imgSize: 8,
        patchSize: 4,
        embedDim: 8,
        depth: 2,
        numHeads: 2,
        seed: 3,
      });
      vit.build();
      const tuner = new ContrastiveTuner(vit, {
        stage: 3,
        projHiddenDim: 16,
        predHiddenDim: 16,
        outputDim: 8,
        queueSize: 16,
        topk: 2,
        encoderLr: 1e-2,
        seed: 4,
      });
      const out: number[] = [];
      for (let s = 0; s < 2; s++) {
        const r = await tuner.stepAsync(v0, v1, { ids: [0, 1, 2, 3], labels: [0, 1, 0, 1] });
        out.push(r.loss, r.nnAccuracy ?? -1);
      }
      tuner.dispose();
      vit.dispose();
      tf.dispose([x, v0, v1]);
      return out;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expectSameValues(gpu, cpu, 1e-3, 'MAE-CT loss / nn accuracy');
  });
});
