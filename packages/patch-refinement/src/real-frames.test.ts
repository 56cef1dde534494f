// Real KITTI frames in ../shared/data/kitti (CC BY-NC-SA 3.0: read in place, never copied).
// Skipped with a message when the folder is absent.
import { existsSync } from 'node:fs';
import { useBackend } from '@paperstack/test-utils';
import { kitti, VoxelNet } from '@paperstack/voxelnet';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY } from '../test/tiny';
import { boxesToCanonical } from './canonical';
import { LocalRefinementNetwork } from './lrn';
import { PatchExtractor, patchPoints } from './patch';
import { PatchRefinementDetector } from './pipeline';
import { pointsInBox } from './samples';

const KITTI =
  process.env.KITTI_DIR ?? new URL('../../../../shared/data/kitti/training', import.meta.url).pathname;
const present = existsSync(KITTI);
if (!present)
  console.warn(`patch-refinement: real KITTI frames not found at ${KITTI} — skipping (set KITTI_DIR)`);

describe.skipIf(!present)('real KITTI frames', () => {
  beforeAll(() => useBackend('cpu'));
  it('every labelled car lies inside its own canonical patch, centred and heading-aligned', async () => {
    const ex = new PatchExtractor();
    for (const id of await kitti.listFrames(KITTI)) {
      const f = await kitti.readFrame(KITTI, id);
      const cars = (f.labels ?? []).filter((o) => o.type === 'Car');
      if (cars.length === 0) continue;
      const boxes = kitti.objectsToLidarBoxes(cars, f.calib);
      const patches = ex.extract(f.points, boxes);
      for (let i = 0; i < cars.length; i++) {
        const box = boxes.subarray(i * 7, i * 7 + 7);
        const local = boxesToCanonical(box, { cx: box[0], cy: box[1], heading: box[6] });
        expect(Math.hypot(local[0], local[1])).toBeLessThan(1e-9);
        // the car's points in the scene = the car's points in its patch
        const inScene = pointsInBox(f.points, box).reduce((a, v) => a + v, 0);
        const inPatch = pointsInBox(patchPoints(patches, i), local).reduce((a, v) => a + v, 0);
        if (box[3] < 6.4 && box[4] < 6.4) expect(inPatch).toBe(inScene);
      }
    }
  });

  it('the pipeline runs on a full 120k-point frame (untrained tiny networks: no crash, KITTI objects)', async () => {
    const f = await kitti.readFrame(KITTI, (await kitti.listFrames(KITTI))[0]);
    const rpn = new VoxelNet({
      pointCloudRange: [0, -12.8, -3, 25.6, 12.8, 1],
      voxelSize: [0.8, 0.8, 2],
      maxPointsPerVoxel: 4,
      vfeChannels: [8, 8],
      voxelChannels: 8,
      middleLayers: [],
      rpnBlocks: [{ layers: 1, filters: 8, stride: 2 }],
      rpnUpsample: [{ filters: 8, kernel: 3, stride: 1 }],
    });
    const lrn = new LocalRefinementNetwork(TINY);
    const det = new PatchRefinementDetector(rpn, lrn, {
      proposalScoreThreshold: 0,
      maxProposals: 8,
      scoreThreshold: 0,
    });
    const objs = await det.detectKitti(f.points, f.calib);
    expect(objs.length).toBeGreaterThan(0);
    expect(objs.every((o) => Number.isFinite(o.location[2]) && o.type === 'Car')).toBe(true);
    rpn.dispose();
    lrn.dispose();
  });
});
