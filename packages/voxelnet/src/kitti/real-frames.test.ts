// Checks on the real KITTI frames in ../shared/data/kitti (CC BY-NC-SA 3.0: read in place, never
// copied). Skipped with a message when the folder is absent.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bevIoU } from '../geometry/rotated-iou';
import {
  cameraBoxesToImageBoxes,
  imageBoxOverlap,
  listFrames,
  objectsToCameraBoxes,
  objectsToLidarBoxes,
  readFrame,
} from './index';

const KITTI =
  process.env.KITTI_DIR ?? new URL('../../../../../shared/data/kitti/training', import.meta.url).pathname;
const present = existsSync(KITTI);

describe.skipIf(!present)('real KITTI frames', () => {
  const POINTS: Record<string, number> = {
    '000001': 120268,
    '000002': 126891,
    '000003': 113110,
    '000004': 115976,
    '000006': 110089,
  };
  const CARS: Record<string, number> = { '000001': 1, '000002': 1, '000003': 1, '000004': 2, '000006': 4 };

  it('reads velodyne, labels and calib of every frame (counts as documented)', async () => {
    const ids = await listFrames(KITTI);
    expect(ids).toEqual(Object.keys(POINTS));
    for (const id of ids) {
      const f = await readFrame(KITTI, id);
      expect(f.points.length / 4).toBe(POINTS[id]);
      expect(f.labels!.filter((o) => o.type === 'Car').length).toBe(CARS[id]);
      let maxR = 0;
      for (let i = 3; i < f.points.length; i += 4) maxR = Math.max(maxR, f.points[i]);
      expect(maxR).toBeLessThanOrEqual(1);
    }
  });

  it('3D boxes projected through P2 agree with the annotated 2D boxes (IoU > 0.7 for untruncated objects)', async () => {
    for (const id of await listFrames(KITTI)) {
      const f = await readFrame(KITTI, id);
      const objs = f.labels!.filter((o) => o.type !== 'DontCare' && o.truncated < 0.1);
      const img = cameraBoxesToImageBoxes(objectsToCameraBoxes(objs), f.calib);
      objs.forEach((o, i) => {
        const iou = imageBoxOverlap(Array.from(img.subarray(i * 4, i * 4 + 4)), o.bbox);
        expect(iou, `${id} ${o.type} ${i}`).toBeGreaterThan(0.7);
      });
    }
  });

  it('LiDAR boxes from camera labels enclose the car points (>= 5 points each — the car of 000001 is 58 m away —, more inside than in a 0.5 m shell)', async () => {
    for (const id of await listFrames(KITTI)) {
      const f = await readFrame(KITTI, id);
      const cars = f.labels!.filter((o) => o.type === 'Car');
      const boxes = objectsToLidarBoxes(cars, f.calib);
      for (let b = 0; b < cars.length; b++) {
        const [x, y, z, dx, dy, dz, h] = Array.from(boxes.subarray(b * 7, b * 7 + 7));
        let inside = 0;
        let shell = 0;
        for (let i = 0; i < f.points.length; i += 4) {
          const px = f.points[i] - x;
          const py = f.points[i + 1] - y;
          const lx = Math.cos(h) * px + Math.sin(h) * py;
          const ly = -Math.sin(h) * px + Math.cos(h) * py;
          const lz = f.points[i + 2] - z;
          const inBox = (m: number) =>
            Math.abs(lx) <= dx / 2 + m && Math.abs(ly) <= dy / 2 + m && Math.abs(lz) <= dz / 2;
          if (inBox(0)) inside++;
          else if (inBox(0.5)) shell++;
        }
        expect(inside, `${id} car ${b}`).toBeGreaterThanOrEqual(5);
        // a wrong heading or centre would leave many points in the 0.5 m shell around the box
        expect(shell, `${id} car ${b}`).toBeLessThan(inside);
        expect(bevIoU(boxes.subarray(b * 7, b * 7 + 7), boxes.subarray(b * 7, b * 7 + 7))[0]).toBeCloseTo(
          1,
          9,
        );
      }
    }
  });
});
if (!present) {
  describe('real KITTI frames', () => {
    it.skip(`skipped: ${KITTI} is absent (KITTI data is non-commercial and never part of the repo)`, () => {});
  });
}
