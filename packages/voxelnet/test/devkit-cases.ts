// Deterministic label and detection generators for the devkit parity check and its test.
import type { KittiObject } from '../src/kitti/labels';
import { Random } from '../src/util/random';

const TYPES = ['Car', 'Car', 'Car', 'Car', 'Van', 'Pedestrian', 'DontCare'];

/** Random label frames covering every difficulty filter (heights, occlusion, truncation, Van, DontCare). */
export function randomLabelFrames(n: number, seed: number): KittiObject[][] {
  const rng = new Random(seed);
  const frames: KittiObject[][] = [];
  for (let f = 0; f < n; f++) {
    const objs: KittiObject[] = [];
    const count = rng.int(6);
    for (let k = 0; k < count; k++) {
      const type = TYPES[rng.int(TYPES.length)];
      const z = rng.uniform(5, 60);
      const x = rng.uniform(-15, 15);
      const h = 1.5 + rng.uniform(0, 0.2);
      const u = 610 + (720 * x) / z;
      const top = 173 + (720 * (1.65 - h)) / z;
      const height = (720 * h) / z;
      const width = (720 * 1.7) / z;
      if (type === 'DontCare') {
        objs.push({
          type,
          truncated: -1,
          occluded: -1,
          alpha: -10,
          bbox: [u - width, top, u + width, top + height],
          dimensions: [-1, -1, -1],
          location: [-1000, -1000, -1000],
          rotationY: -10,
        });
        continue;
      }
      objs.push({
        type,
        truncated: rng.next() < 0.7 ? 0 : rng.uniform(0, 0.6),
        occluded: rng.int(4),
        alpha: 0,
        bbox: [u - width / 2, top, u + width / 2, top + height],
        dimensions: [h, rng.uniform(1.5, 1.8), rng.uniform(3.5, 4.5)],
        location: [x, 1.65, z],
        rotationY: rng.uniform(-Math.PI, Math.PI),
      });
    }
    frames.push(objs);
  }
  return frames;
}

/**
 * Detections from labels: each non-DontCare object found with probability 0.8, its box jittered
 * (location ±0.25 m, height ±0.1 m, sizes ±5 %, yaw ±0.08, 2D box ±4 px), scored at random; plus random false
 * positives. All detections are typed 'Car' (so Van / Pedestrian hits exercise the ignore rules).
 */
export function jitterDetections(frames: KittiObject[][], seed: number): KittiObject[][] {
  const rng = new Random(seed);
  return frames.map((objs) => {
    const out: KittiObject[] = [];
    for (const o of objs) {
      if (o.type === 'DontCare' || rng.next() > 0.8) continue;
      const j = (s: number) => rng.uniform(-s, s);
      out.push({
        ...o,
        type: 'Car',
        truncated: -1,
        occluded: -1,
        bbox: [o.bbox[0] + j(4), o.bbox[1] + j(4), o.bbox[2] + j(4), o.bbox[3] + j(4)],
        dimensions: [
          o.dimensions[0] * (1 + j(0.05)),
          o.dimensions[1] * (1 + j(0.05)),
          o.dimensions[2] * (1 + j(0.05)),
        ],
        location: [o.location[0] + j(0.25), o.location[1] + j(0.1), o.location[2] + j(0.25)],
        rotationY: o.rotationY + j(0.08),
        score: rng.next(),
      });
    }
    const fps = rng.int(3);
    for (let k = 0; k < fps; k++) {
      const z = rng.uniform(5, 60);
      const x = rng.uniform(-15, 15);
      const u = 610 + (720 * x) / z;
      out.push({
        type: 'Car',
        truncated: -1,
        occluded: -1,
        alpha: 0,
        bbox: [u - 600 / z, 173, u + 600 / z, 173 + 1100 / z],
        dimensions: [1.5, 1.6, 3.9],
        location: [x, 1.65, z],
        rotationY: rng.uniform(-3, 3),
        score: rng.next() * 0.8,
      });
    }
    return out;
  });
}
