import { describeBackends, expectNoLeakedTensors, TEST_BACKENDS } from '@paperstack/test-utils';
import { generateScene, InvalidArgumentError, kitti, VoxelNet } from '@paperstack/voxelnet';
import { expect, it } from 'vitest';
import { TINY } from '../test/tiny';
import { boxesToCanonical } from './canonical';
import { LocalRefinementNetwork, type Refinement } from './lrn';
import { evaluatePipeline, PatchRefinementDetector, type PipelineStage } from './pipeline';

const RANGE = [0, -12.8, -3, 25.6, 12.8, 1];
const tinyRpn = () =>
  new VoxelNet({
    pointCloudRange: RANGE,
    voxelSize: [0.8, 0.8, 2],
    maxPointsPerVoxel: 4,
    vfeChannels: [8, 8],
    voxelChannels: 8,
    middleLayers: [],
    rpnBlocks: [
      { layers: 1, filters: 8, stride: 1 },
      { layers: 1, filters: 8, stride: 2 },
    ],
    rpnUpsample: [
      { filters: 8, kernel: 3, stride: 1 },
      { filters: 8, kernel: 2, stride: 2 },
    ],
  });

/** An LRN that "refines" every patch to a known canonical box — checks the pipeline's wiring. */
class FixedLrn extends LocalRefinementNetwork {
  constructor(readonly fixed: number[]) {
    super(TINY);
  }
  override async refine(patches: Float32Array[]): Promise<Refinement[]> {
    return patches.map((p) => ({
      box: Float64Array.from(this.fixed),
      score: p.length ? 0.9 : 0,
      empty: p.length === 0,
    }));
  }
}

const scene = generateScene({ seed: 21, beams: 24, azimuthStep: 0.5 });

describeBackends(
  'PatchRefinementDetector',
  () => {
    it('maps each refined canonical box back through its proposal frame, then NMS', async () => {
      const rpn = tinyRpn();
      const offset = [0.3, -0.2, -0.9, 4.1, 1.7, 1.5, 0.05];
      const detector = new PatchRefinementDetector(rpn, new FixedLrn(offset), {
        proposalScoreThreshold: 0,
        nmsIoU: 0.99,
      });
      const stages: PipelineStage[] = [];
      const d = await detector.detect(scene.points, { onProgress: (s) => stages.push(s) });
      expect(stages).toEqual(['rpn', 'patches', 'lrn', 'nms']);
      const P = d.proposals.scores.length;
      expect(P).toBeGreaterThan(0);
      expect(d.scores.length).toBeGreaterThan(0);
      // every output box sits at `offset` in the frame of one of the proposals
      for (let i = 0; i < d.scores.length; i++) {
        const box = d.boxes.subarray(i * 7, i * 7 + 7);
        let best = Infinity;
        for (let p = 0; p < P; p++) {
          const local = boxesToCanonical(box, {
            cx: d.proposals.boxes[p * 7],
            cy: d.proposals.boxes[p * 7 + 1],
            heading: d.proposals.boxes[p * 7 + 6],
          });
          best = Math.min(best, Math.max(...Array.from(local).map((v, k) => Math.abs(v - offset[k]))));
        }
        expect(best).toBeLessThan(1e-4);
        expect(d.scores[i]).toBeCloseTo(0.9, 6);
      }
      for (const k of ['rpn', 'patches', 'lrn', 'nms'] as const) expect(d.times[k]).toBeGreaterThanOrEqual(0);
      rpn.dispose();
    });

    it('runs end to end with real networks, leaks nothing, and writes KITTI objects', async () => {
      const rpn = tinyRpn();
      const lrn = new LocalRefinementNetwork(TINY);
      const detector = new PatchRefinementDetector(rpn, lrn, {
        proposalScoreThreshold: 0,
        maxProposals: 5,
        scoreThreshold: 0,
      });
      const d = await detector.detect(scene.points);
      expect(d.proposals.scores.length).toBe(5);
      expect(d.boxes.length).toBe(d.scores.length * 7);
      for (let i = 1; i < d.scores.length; i++) expect(d.scores[i]).toBeLessThanOrEqual(d.scores[i - 1]);
      await expectNoLeakedTensors(() => detector.detect(scene.points));
      const objs = await detector.detectKitti(scene.points, scene.calib);
      expect(objs.length).toBe(d.scores.length);
      expect(objs.every((o) => o.type === 'Car' && typeof o.score === 'number')).toBe(true);
      const ev = await evaluatePipeline(detector, [
        { points: scene.points, labels: scene.labels, calib: scene.calib },
      ]);
      expect(ev.refined.Car['3d']?.ap40.length).toBe(3);
      expect(ev.rpn.Car['3d']?.ap40.length).toBe(3);
      expect(ev.times.lrn).toBeGreaterThan(0);
      rpn.dispose();
      lrn.dispose();
    });

    it('bad input: empty cloud, points out of range, no proposals — no detections, no crash', async () => {
      const rpn = tinyRpn();
      const lrn = new LocalRefinementNetwork(TINY);
      const detector = new PatchRefinementDetector(rpn, lrn, { proposalScoreThreshold: 0 });
      expect((await detector.detect(new Float32Array(0))).scores.length).toBe(0);
      expect((await detector.detect(Float32Array.from([-50, 0, 0, 0, 100, 100, 0, 0]))).scores.length).toBe(
        0,
      );
      const strict = new PatchRefinementDetector(rpn, lrn, { proposalScoreThreshold: 1.01 });
      const none = await strict.detect(scene.points);
      expect(none.proposals.scores.length).toBe(0);
      expect(none.scores.length).toBe(0);
      // proposals whose patches are empty (a single far point in range, proposals elsewhere)
      const sparse = await detector.detect(Float32Array.from([25, 12, 0.5, 0.1]));
      expect(sparse.boxes.length).toBe(sparse.scores.length * 7);
      await expect(detector.detect(new Float32Array(3))).rejects.toThrow(InvalidArgumentError);
      await expect(detector.detect([1, 2, 3, 4] as unknown as Float32Array)).rejects.toThrow(
        /points must be a Float32Array N×4/,
      );
      expect(() => new PatchRefinementDetector(rpn, lrn, { score: 'max' as 'lrn' })).toThrow(
        /options.score must be/,
      );
      await expect(evaluatePipeline(detector, [])).rejects.toThrow(/frames must be at least one frame/);
      expect(kitti).toBeDefined();
      rpn.dispose();
      lrn.dispose();
    });
  },
  TEST_BACKENDS,
);
