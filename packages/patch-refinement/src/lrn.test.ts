import { describeBackends, expectNoLeakedTensors, TEST_BACKENDS } from '@paperstack/test-utils';
import { generateScene, InvalidArgumentError } from '@paperstack/voxelnet';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { TINY } from '../test/tiny';
import { LocalRefinementNetwork } from './lrn';
import { samplePatches } from './samples';

const scenes = [generateScene({ seed: 11, beams: 24, azimuthStep: 0.5 })];
const examples = samplePatches(scenes, 6, { seed: 3, backgroundFraction: 0.3 });

describeBackends(
  'LocalRefinementNetwork',
  () => {
    it('forward: [B, H, W, A] scores and [B, H, W, 7A] boxes, empty patches allowed', () => {
      const lrn = new LocalRefinementNetwork(TINY);
      const v = examples.map((e) => lrn.voxelize(e.points));
      const out = lrn.forward([v[0], null, v[1]]);
      expect(out.scores.shape).toEqual([3, 8, 8, 2]);
      expect(out.boxes.shape).toEqual([3, 8, 8, 14]);
      // a patch's outputs do not depend on the other patches of the batch (eval mode)
      const alone = lrn.forward([v[1]]);
      const a = out.scores.arraySync()[2];
      const b = alone.scores.arraySync()[0];
      expect(
        a
          .flat(2)
          .map((x, i) => Math.abs(x - b.flat(2)[i]))
          .every((d) => d < 1e-4),
      ).toBe(true);
      tf.dispose([out.scores, out.boxes, alone.scores, alone.boxes]);
      lrn.dispose();
    });

    it('targets: the target anchors are positive, anchors on other objects ignored', () => {
      const lrn = new LocalRefinementNetwork(TINY);
      const t = lrn.targets({
        target: Float64Array.from([0, 0, -1, 3.9, 1.6, 1.5, 0]),
        others: Float64Array.from([0, 2.4, -1, 3.9, 1.6, 1.5, 0]),
      });
      expect(t.numPositive).toBeGreaterThan(0);
      const n = t.labels.length;
      let ignoredNearOther = 0;
      for (let i = 0; i < n; i++) {
        const y = lrn.anchors[i * 7 + 1];
        if (t.labels[i] === 1) expect(Math.abs(y)).toBeLessThan(1.2);
        if (t.labels[i] === -1 && y > 1.6) ignoredNearOther++;
      }
      expect(ignoredNearOther).toBeGreaterThan(0);
      const bg = lrn.targets({ target: null, others: new Float64Array(0) });
      expect(bg.numPositive).toBe(0);
      expect(bg.numNegative).toBe(n);
      lrn.dispose();
    });

    it('trains: the loss of a fixed batch falls with Adam, and gradients reach every stage', async () => {
      const lrn = new LocalRefinementNetwork(TINY);
      const opt = tf.train.adam(3e-3);
      const vars = lrn.trainableVariables();
      const { grads, value } = tf.variableGrads(() => lrn.loss(examples, { seed: 0 }).total, vars);
      const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).dataSync()[0]));
      expect(norms.filter((x) => x > 0).length).toBeGreaterThan(norms.length * 0.8);
      tf.dispose([value, ...Object.values(grads)]);
      const losses: number[] = [];
      for (let i = 0; i < 25; i++) {
        const c = opt.minimize(() => lrn.loss(examples, { seed: 0 }).total, true, vars) as tf.Scalar;
        losses.push(c.dataSync()[0]);
        c.dispose();
      }
      expect(losses[24]).toBeLessThan(losses[0] * 0.7);
      opt.dispose();
      lrn.dispose();
    });

    it('refine: one box + confidence per patch, score 0 for empty patches; leaks nothing', async () => {
      const lrn = new LocalRefinementNetwork(TINY);
      const patches = [
        examples[0].points,
        new Float32Array(0),
        examples[1].points,
        Float32Array.from([100, 100, 0, 0]),
      ];
      const r = await lrn.refine(patches, { batchSize: 2 });
      expect(r.length).toBe(4);
      expect(r[1]).toMatchObject({ score: 0, empty: true });
      expect(r[3]).toMatchObject({ score: 0, empty: true });
      for (const x of [r[0], r[2]]) {
        expect(x.empty).toBe(false);
        expect(x.score).toBeGreaterThan(0);
        expect(x.score).toBeLessThan(1);
        expect(x.box.length).toBe(7);
        expect(Array.from(x.box).every(Number.isFinite)).toBe(true);
      }
      expect(await lrn.refine([])).toEqual([]);
      await expectNoLeakedTensors(() => lrn.refine(patches, { batchSize: 3 }));
      await expectNoLeakedTensors(() => {
        const p = lrn.loss(examples.slice(0, 2));
        return [p.total, p.classification, p.regression];
      });
      lrn.dispose();
    });

    it('rejects bad input with typed errors', async () => {
      const lrn = new LocalRefinementNetwork(TINY);
      expect(() => lrn.forward([])).toThrow(InvalidArgumentError);
      expect(() => lrn.forward([null])).toThrow(/batch must be at least one non-empty patch/);
      await expect(lrn.refine([examples[0].points], { batchSize: 0 })).rejects.toThrow(
        /batchSize must be a positive integer/,
      );
      expect(() =>
        lrn.loss([{ points: new Float32Array(0), target: null, others: new Float64Array(0) }]),
      ).toThrow(/only empty patches/);
      expect(() => new LocalRefinementNetwork({ voxelSize: [0.1, 0, 1] })).toThrow(/voxelSize must be/);
      expect(() => new LocalRefinementNetwork({ patchSize: [0, 1] })).toThrow(/patchSize must be/);
      lrn.dispose();
    });
  },
  TEST_BACKENDS,
);
