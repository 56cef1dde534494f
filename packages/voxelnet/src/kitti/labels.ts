import { InvalidArgumentError, KittiFormatError } from '../errors';
import { readText, writeText } from './fs';

/**
 * One line of a KITTI `label_2` file (KITTI object devkit readme.txt): 15 fields, plus a 16th
 * `score` in result files. Camera-frame quantities are in the rectified reference camera frame
 * (x right, y down, z forward; metres).
 */
export interface KittiObject {
  /** Car, Van, Truck, Pedestrian, Person_sitting, Cyclist, Tram, Misc or DontCare. */
  type: string;
  /** 0 (non-truncated) … 1 (truncated): how much of the object leaves the image. */
  truncated: number;
  /** 0 fully visible, 1 partly occluded, 2 largely occluded, 3 unknown. */
  occluded: number;
  /** Observation angle, [−π, π]. */
  alpha: number;
  /** 2D box in image_2 pixels: [left, top, right, bottom]. */
  bbox: [number, number, number, number];
  /** [height, width, length] in metres (the file's order). */
  dimensions: [number, number, number];
  /** Bottom centre of the 3D box, camera frame: [x, y, z] in metres. */
  location: [number, number, number];
  /** Yaw about camera Y, [−π, π]; 0 faces camera +X. */
  rotationY: number;
  /** Detection confidence (results only; higher is better). */
  score?: number;
}

/**
 * Parses the text of a `label_2` (or result) file. Empty lines are skipped.
 * @throws KittiFormatError naming the file and line for a wrong field count or a non-numeric field.
 */
export function parseLabels(text: string, file = 'label_2'): KittiObject[] {
  const out: KittiObject[] = [];
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    if (f.length !== 15 && f.length !== 16) {
      throw new KittiFormatError(
        file,
        `expected 15 fields (16 with a score), found ${f.length}: '${line.slice(0, 80)}'`,
        li + 1,
      );
    }
    const num = (i: number, name: string): number => {
      const v = Number(f[i]);
      if (f[i] === '' || !Number.isFinite(v)) {
        throw new KittiFormatError(
          file,
          `field ${i + 1} (${name}) is not a finite number: '${f[i]}'`,
          li + 1,
        );
      }
      return v;
    };
    const obj: KittiObject = {
      type: f[0],
      truncated: num(1, 'truncated'),
      occluded: num(2, 'occluded'),
      alpha: num(3, 'alpha'),
      bbox: [num(4, 'bbox left'), num(5, 'bbox top'), num(6, 'bbox right'), num(7, 'bbox bottom')],
      dimensions: [num(8, 'height'), num(9, 'width'), num(10, 'length')],
      location: [num(11, 'x'), num(12, 'y'), num(13, 'z')],
      rotationY: num(14, 'rotation_y'),
    };
    if (f.length === 16) obj.score = num(15, 'score');
    out.push(obj);
  }
  return out;
}

/** Reads a KITTI `label_2` or result file (Node only); see {@link parseLabels}. */
export async function readLabels(path: string): Promise<KittiObject[]> {
  return parseLabels(await readText(path), path);
}

/**
 * Formats objects as KITTI lines (2 decimals, as the devkit writes them; scores with 4). Objects
 * with a `score` get the 16th field, as the evaluation server expects for results.
 */
export function formatLabels(objects: readonly KittiObject[]): string {
  return objects
    .map((o) => {
      for (const [k, v] of [
        ['bbox', o.bbox],
        ['dimensions', o.dimensions],
        ['location', o.location],
      ] as const) {
        if (!Array.isArray(v) || v.length !== (k === 'bbox' ? 4 : 3) || v.some((x) => !Number.isFinite(x))) {
          throw new InvalidArgumentError('formatLabels', `object.${k}`, 'finite numbers', v);
        }
      }
      if (/\s/.test(o.type) || o.type === '') {
        throw new InvalidArgumentError('formatLabels', 'object.type', 'a non-empty word', o.type);
      }
      const fields = [
        o.type,
        o.truncated.toFixed(2),
        String(Math.round(o.occluded)),
        o.alpha.toFixed(2),
        ...o.bbox.map((v) => v.toFixed(2)),
        ...o.dimensions.map((v) => v.toFixed(2)),
        ...o.location.map((v) => v.toFixed(2)),
        o.rotationY.toFixed(2),
      ];
      if (o.score !== undefined) fields.push(o.score.toFixed(4));
      return fields.join(' ');
    })
    .join('\n')
    .concat(objects.length ? '\n' : '');
}

/**
 * Writes one frame's detections as `<dir>/<frameId>.txt` in KITTI's result format (the layout the
 * devkit and the evaluation server read: `results/data/000123.txt`). `frameId` is a number (zero
 * padded to 6 digits) or a ready file stem. Returns the written path.
 */
export async function writeResults(
  dir: string,
  frameId: number | string,
  detections: readonly KittiObject[],
): Promise<string> {
  const stem = typeof frameId === 'number' ? String(frameId).padStart(6, '0') : frameId;
  const { join } = await import('node:path');
  const path = join(dir, `${stem}.txt`);
  await writeText(path, formatLabels(detections));
  return path;
}
