import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { augmentScene } from './augment';
import { InvalidArgumentError } from './errors';
import { bevIoU } from './geometry/rotated-iou';
import { voxelnetLoss } from './losses';
import { generateScene } from './synthetic';
import type { AnchorTargets } from './target-assigner';
import { evaluateDetector, train } from './train';
import { CAR_PRESET, VoxelNet, type VoxelNetConfig } from './voxelnet';

/** A tiny configuration for tests: 12.8 m × 12.8 m, 0.8 m voxels, 16 × 16 BEV grid. */
const TINY: Partial<VoxelNetConfig> = {
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
    { layers: 1, filters: 16, stride: 2 },
  ],
  rpnUpsample: [
    { filters: 8, kernel: 3, stride: 1 },
    { filters: 8, kernel: 2, stride: 2 },
    { filters: 8, kernel: 4, stride: 4 },
  ],
};
const scene = generateScene({
  seed: 3,
  range: TINY.pointCloudRange,
  cars: [2, 2],
  clutter: 2,
  beams: 32,
  azimuthStep: 0.4,
});

describeBackends('voxelnetLoss (Eq. 2)', () => {
  const targets = (labels: number[], reg: number[]): AnchorTargets => ({
    labels: Int8Array.from(labels),
    regression: Float32Array.from(reg),
    matched: new Int32Array(labels.length),
    numPositive: labels.filter((l) => l === 1).length,
    numNegative: labels.filter((l) => l === 0).length,
  });
  it('hand-computed: α/N_pos Σ BCE(pos) + β/N_neg Σ BCE(neg) + SmoothL1(σ = 3)/N_pos', async () => {
    const scores = tf.tensor4d([0, 0, 5], [1, 1, 1, 3]);
    const boxes = tf.zeros([1, 1, 1, 21]);
    const reg = new Array(21).fill(0);
    reg[0] = 0.05;
    reg[1] = 1;
    reg[7] = 3; // anchor 1 is negative: its regression does not count
    const t = targets([1, 0, -1], reg);
    const l = voxelnetLoss(scores, boxes, t);
    expect((await l.classification.data())[0]).toBeCloseTo(2.5 * Math.LN2, 5);
    expect((await l.regression.data())[0]).toBeCloseTo(0.5 * 9 * 0.0025 + (1 - 0.5 / 9), 5);
    expect((await l.total.data())[0]).toBeCloseTo(2.5 * Math.LN2 + 0.01125 + 1 - 0.5 / 9, 5);
    const f = voxelnetLoss(scores, boxes, t, { focal: true });
    expect((await f.classification.data())[0]).toBeCloseTo(
      0.25 * 0.25 * Math.LN2 + 0.75 * 0.25 * Math.LN2,
      5,
    );
    tf.dispose([
      scores,
      boxes,
      l.total,
      l.classification,
      l.regression,
      f.total,
      f.classification,
      f.regression,
    ]);
    const s2 = tf.zeros([1, 1, 1, 3]);
    const b2 = tf.zeros([1, 1, 1, 21]);
    await expectNoLeakedTensors(() => voxelnetLoss(s2, b2, t));
    expect(() => voxelnetLoss(s2, b2, targets([1, 0], new Array(14).fill(0)))).toThrow(
      /scores must be 2 logits/,
    );
    tf.dispose([s2, b2]);
  });
});

describe('synthetic scenes and augmentation', () => {
  it('the same seed gives the same scene; cars carry points and KITTI labels', () => {
    const again = generateScene({
      seed: 3,
      range: TINY.pointCloudRange,
      cars: [2, 2],
      clutter: 2,
      beams: 32,
      azimuthStep: 0.4,
    });
    expect(Array.from(again.points.subarray(0, 40))).toEqual(Array.from(scene.points.subarray(0, 40)));
    expect(scene.labels.length).toBe(2);
    expect(scene.points.length / 4).toBeGreaterThan(1000);
    for (const [i, l] of scene.labels.entries()) {
      expect(l.type).toBe('Car');
      expect([0, 1, 2, 3]).toContain(l.occluded);
      if (scene.carPoints[i] >= 5) expect(l.occluded).toBeLessThan(3);
    }
    expect(() => generateScene({ seed: Number.NaN })).toThrow(InvalidArgumentError);
  });
  it('buildings and trees add structure above the ground and leave the cars and the default scene unchanged', () => {
    const opts = { seed: 5, beams: 32, azimuthStep: 0.4 };
    const plain = generateScene(opts);
    const urban = generateScene({ ...opts, buildings: 3, trees: 4 });
    expect(Array.from(generateScene({ ...opts, buildings: 0, trees: 0 }).points)).toEqual(
      Array.from(plain.points),
    );
    expect(urban.labels.map((l) => l.location)).toEqual(plain.labels.map((l) => l.location));
    const above = (p: Float32Array) => {
      let n = 0;
      for (let i = 2; i < p.length; i += 4) if (p[i] > -1.73 + 0.3) n++;
      return n / (p.length / 4);
    };
    expect(above(urban.points)).toBeGreaterThan(above(plain.points) + 0.05);
    expect(() => generateScene({ seed: 1, buildings: -1 })).toThrow(
      'generateScene: buildings must be a non-negative integer; received -1',
    );
    expect(() => generateScene({ seed: 1, trees: 1.5 })).toThrow(/trees/);
  });
  it('augmentation moves boxes with their points, keeps sizes up to the global scale, avoids collisions', () => {
    const a = augmentScene(scene.points, scene.boxes, 5);
    expect(a.points.length).toBe(scene.points.length);
    const m = scene.boxes.length / 7;
    // scale factor is shared by all sizes
    const s = a.boxes[3] / scene.boxes[3];
    expect(s).toBeGreaterThanOrEqual(0.95);
    expect(s).toBeLessThanOrEqual(1.05);
    for (let j = 0; j < m; j++)
      expectClose([a.boxes[j * 7 + 4] / scene.boxes[j * 7 + 4]], [s], { atol: 1e-9 });
    const iou = bevIoU(a.boxes, a.boxes);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) expect(iou[i * m + j]).toBe(0);
    expect(Array.from(augmentScene(scene.points, scene.boxes, 5).boxes)).toEqual(Array.from(a.boxes));
    expect(() => augmentScene(new Float32Array(3), [], 0)).toThrow(/points must be a flat N×4 array/);
  });
});

describeBackends('VoxelNet (tiny config)', () => {
  it('forward: output maps of the anchor grid; no leaks; empty input is an error', async () => {
    const net = new VoxelNet(TINY);
    expect(net.featureMapSize).toEqual([8, 8]);
    expect(net.anchors.length / 7).toBe(8 * 8 * 2);
    const v = net.voxelizer.voxelize(scene.points, { seed: 0 });
    const out = net.forward(v);
    expect(out.scores.shape).toEqual([1, 8, 8, 2]);
    expect(out.boxes.shape).toEqual([1, 8, 8, 14]);
    tf.dispose([out.scores, out.boxes]);
    await expectNoLeakedTensors(() => net.forward(v));
    await expectNoLeakedTensors(() => net.forward(v, { training: true }));
    await expectNoLeakedTensors(() => net.detect(scene.points));
    expect(() => net.forward({ ...v, numVoxels: 0 })).toThrow(/voxels must be at least one non-empty voxel/);
    await expect(net.detect(new Float32Array(0))).rejects.toThrow(/non-empty cloud/);
    net.dispose();
  });
});

// Training runs on wasm only (cpu's convs make it ~3× slower; the cpu gradients are covered by the
// PyTorch parity tests in network/network.test.ts).
describeBackends('VoxelNet training (tiny config)', () => {
  it('trains: the loss on one scene falls when overfitting it (no leaks per step)', async () => {
    const net = new VoxelNet(TINY);
    const frame = { points: scene.points, boxes: scene.boxes };
    const before = tf.tidy(
      () => net.loss(net.voxelizer.voxelize(scene.points, { seed: 0 }), scene.boxes).total.dataSync()[0],
    );
    const n0 = tf.memory().numTensors;
    const res = await train(net, () => frame, { steps: 25, augment: false, learningRate: 5e-3 });
    expect(tf.memory().numTensors).toBe(n0);
    const after = res.losses.slice(-3).reduce((a, b) => a + b, 0) / 3;
    expect(after).toBeLessThan(before * 0.6);
    // checkpoints round-trip
    const w = await net.getWeights();
    const copy = new VoxelNet(TINY);
    copy.setWeights(w);
    const v = net.voxelizer.voxelize(scene.points, { shuffle: false });
    const a = net.forward(v);
    const b = copy.forward(v);
    expectClose(await a.scores.data(), await b.scores.data(), { atol: 1e-6 });
    tf.dispose([a.scores, a.boxes, b.scores, b.boxes]);
    expect(() => copy.setWeights({})).toThrow(/weights\['vfe.vfe1.linear.weight'\] must be present/);
    // evaluation runs the KITTI metric on detections written through the calibration
    const ev = await evaluateDetector(net, [
      { points: scene.points, labels: scene.labels, calib: scene.calib },
    ]);
    expect(ev.result.Car['3d']!.ap40.length).toBe(3);
    net.dispose();
    copy.dispose();
  });
}, ['wasm']);

describe('presets', () => {
  it("the paper's car preset: 10 × 400 × 352 grid, 200 × 176 × 2 = 70,400 anchors, 768-channel RPN output", () => {
    const net = new VoxelNet('car');
    expect(net.config).toEqual(CAR_PRESET);
    expect(net.featureMapSize).toEqual([200, 176]);
    expect(net.anchors.length / 7).toBe(70400);
    expect(net.head.inChannels).toBe(768);
    expect(net.rpn.inChannels).toBe(128);
    net.dispose();
    expect(() => new VoxelNet('truck' as never)).toThrow(/config must be 'car', 'small' or a config object/);
  });
});
