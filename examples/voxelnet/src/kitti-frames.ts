// Real KITTI frames for the detection examples: find the split folder the user passed, read every
// frame (points cropped to the camera's field of view, as KITTI labels only cover it), and run a
// detector on them. KITTI data is CC BY-NC-SA 3.0: it is read in place, never copied or committed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, kitti } from '@paperstack/voxelnet';

/**
 * The KITTI split folder under `dir`: `dir` itself when it holds `velodyne/`, else `dir/training`
 * (so both the dataset root and its `training` folder work). Throws when neither has `velodyne/`.
 */
export function resolveKittiSplit(dir: string, caller = 'resolveKittiSplit'): string {
  for (const candidate of [dir, join(dir, 'training')]) {
    if (existsSync(join(candidate, 'velodyne'))) return candidate;
  }
  throw new InvalidArgumentError(
    caller,
    'kittiDir',
    'a KITTI folder with velodyne/ and calib/ (or its parent holding training/)',
    dir,
  );
}

/** One real frame, ready for a detector. */
export interface KittiInput {
  id: string;
  /** Points in the camera's field of view (flat N×4, LiDAR frame). */
  points: Float32Array;
  /** Points of the whole scan. */
  allPoints: number;
  calib: kitti.KittiCalib;
  /** The frame's label objects, or null when label_2 has no file for it. */
  labels: kitti.KittiObject[] | null;
}

/** Reads every frame of a KITTI split folder (see {@link resolveKittiSplit}), cropped to the camera view. */
export async function readKittiFrames(dir: string, caller = 'readKittiFrames'): Promise<KittiInput[]> {
  const split = resolveKittiSplit(dir, caller);
  const frames: KittiInput[] = [];
  for (const id of await kitti.listFrames(split)) {
    const f = await kitti.readFrame(split, id);
    frames.push({
      id,
      points: kitti.cropToImageFov(f.points, f.calib),
      allPoints: f.points.length / 4,
      calib: f.calib,
      labels: f.labels,
    });
  }
  return frames;
}

/** Labelled cars of a frame whose LiDAR box centre lies in `range` (what a detector over `range` can find). */
export function carsInRange(frame: KittiInput, range: readonly number[]): { all: number; inRange: number } {
  const cars = (frame.labels ?? []).filter((o) => o.type === 'Car');
  const boxes = kitti.objectsToLidarBoxes(cars, frame.calib);
  let inRange = 0;
  for (let b = 0; b < cars.length; b++) {
    const x = boxes[b * 7];
    const y = boxes[b * 7 + 1];
    if (x >= range[0] && x < range[3] && y >= range[1] && y < range[4]) inRange++;
  }
  return { all: cars.length, inRange };
}
