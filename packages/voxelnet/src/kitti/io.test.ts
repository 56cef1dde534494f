import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, KittiFormatError } from '../errors';
import { Random } from '../util/random';
import {
  cameraBoxesToImageBoxes,
  cameraBoxesToLidar,
  defaultCalib,
  encodeVelodyne,
  formatLabels,
  lidarBoxesToCamera,
  lidarBoxesToObjects,
  lidarToRect,
  parseCalib,
  parseLabels,
  parseVelodyne,
  readLabels,
  rectToLidar,
  writeResults,
} from './index';

const CAR = 'Car 0.00 0 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57';
const DC = 'DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000 -10';

describe('velodyne', () => {
  it('round-trips float32 x, y, z, r rows', () => {
    const pts = new Float32Array([1.5, -2, 0.25, 0.5, 10, 20, -1.7, 0.99]);
    expect(Array.from(parseVelodyne(encodeVelodyne(pts)))).toEqual(Array.from(pts));
  });
  it('rejects a truncated file with the byte count', () => {
    const bytes = encodeVelodyne(new Float32Array(8)).subarray(0, 30);
    expect(() => parseVelodyne(bytes, 'x.bin')).toThrow(KittiFormatError);
    expect(() => parseVelodyne(bytes, 'x.bin')).toThrow(/x\.bin: .*30 bytes.*truncated/);
  });
  it('rejects NaN points, naming the point', () => {
    const bytes = encodeVelodyne(new Float32Array([0, 0, 0, 0, 1, Number.NaN, 0, 0]));
    expect(() => parseVelodyne(bytes)).toThrow(/point 1 has a non-finite y/);
    expect(parseVelodyne(bytes, 'x', { allowNonFinite: true }).length).toBe(8);
  });
  it('accepts an empty scan', () => {
    expect(parseVelodyne(new Uint8Array(0)).length).toBe(0);
  });
});

describe('labels', () => {
  it('parses 15 fields (labels) and 16 (results)', () => {
    const [car, dc] = parseLabels(`${CAR}\n${DC}\n\n`);
    expect(car.type).toBe('Car');
    expect(car.dimensions).toEqual([1.67, 1.87, 3.69]);
    expect(car.location).toEqual([-16.53, 2.39, 58.49]);
    expect(car.rotationY).toBe(1.57);
    expect(car.score).toBeUndefined();
    expect(dc.bbox).toEqual([503.89, 169.71, 590.61, 190.13]);
    expect(parseLabels(`${CAR} 0.93`)[0].score).toBe(0.93);
  });
  it('names file and line for a wrong field count or a bad number', () => {
    expect(() => parseLabels(`${CAR}\nCar 0 0 1`, 'l.txt')).toThrow(
      /l\.txt:2: expected 15 fields .* found 4/,
    );
    expect(() => parseLabels(CAR.replace('1.67', 'abc'), 'l.txt')).toThrow(/l\.txt:1: field 9 \(height\)/);
  });
  it('formats and re-parses (2 decimals), and writes result files', async () => {
    const objs = parseLabels(`${CAR} 0.9312\n${DC}`);
    expect(formatLabels(objs).split('\n')[0]).toBe(`${CAR} 0.9312`);
    expect(parseLabels(formatLabels(objs))).toEqual(objs);
    const dir = mkdtempSync(join(tmpdir(), 'voxelnet-'));
    const path = await writeResults(dir, 7, objs.slice(0, 1));
    expect(path.endsWith('000007.txt')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${CAR} 0.9312\n`);
    expect(await readLabels(path)).toEqual(objs.slice(0, 1));
  });
  it('rejects non-finite fields when formatting', () => {
    const [o] = parseLabels(CAR);
    expect(() => formatLabels([{ ...o, location: [0, Number.NaN, 0] }])).toThrow(InvalidArgumentError);
  });
});

describe('calib', () => {
  const text = [
    'P0: 1 0 0 0 0 1 0 0 0 0 1 0',
    'P1: 1 0 0 0 0 1 0 0 0 0 1 0',
    'P2: 700 0 600 40 0 700 170 0.2 0 0 1 0.003',
    'P3: 1 0 0 0 0 1 0 0 0 0 1 0',
    'R0_rect: 1 0 0 0 1 0 0 0 1',
    'Tr_velo_to_cam: 0 -1 0 0 0 0 -1 -0.08 1 0 0 -0.27',
    'Tr_imu_to_velo: 1 0 0 0 0 1 0 0 0 0 1 0',
    '',
  ].join('\n');
  it('parses the seven matrices', () => {
    const c = parseCalib(text);
    expect(Array.from(c.P2)).toEqual([700, 0, 600, 40, 0, 700, 170, 0.2, 0, 0, 1, 0.003]);
    expect(c.R0_rect.length).toBe(9);
    expect(c.Tr_imu_to_velo?.length).toBe(12);
  });
  it('reports truncated files', () => {
    expect(() => parseCalib(text.split('\n').slice(0, 4).join('\n'), 'c.txt')).toThrow(
      /c\.txt: missing R0_rect/,
    );
    expect(() =>
      parseCalib(text.replace('P2: 700 0 600 40 0 700 170 0.2 0 0 1 0.003', 'P2: 700 0'), 'c.txt'),
    ).toThrow(/c\.txt:3: P2 needs 12 values, found 2/);
  });
});

describe('camera <-> lidar boxes', () => {
  const calib = defaultCalib();
  it('maps points through R0_rect · Tr_velo_to_cam and back', () => {
    const rect = lidarToRect([10.27, -1, -2.08], calib);
    expect(Array.from(rect).map((v) => +v.toFixed(9))).toEqual([1, 2, 10]);
    const back = rectToLidar(rect, calib);
    expect(Array.from(back).map((v) => +v.toFixed(9))).toEqual([10.27, -1, -2.08]);
  });
  it('converts bottom centre, sizes and heading (ry = 0 faces camera +x = lidar −y)', () => {
    // camera box: bottom centre (1, 1.65, 10), l 4, h 1.5, w 1.6, ry 0
    const lidar = cameraBoxesToLidar([1, 1.65, 10, 4, 1.5, 1.6, 0], calib);
    const expected = [10.27, -1, -(1.65 + 0.08) + 0.75, 4, 1.6, 1.5, -Math.PI / 2];
    expect(Array.from(lidar).every((v, i) => Math.abs(v - expected[i]) < 1e-9)).toBe(true);
    const cam = lidarBoxesToCamera(lidar, calib);
    expect(Array.from(cam).every((v, i) => Math.abs(v - [1, 1.65, 10, 4, 1.5, 1.6, 0][i]) < 1e-9)).toBe(true);
  });
  it('round-trips random boxes', () => {
    const rng = new Random(3);
    const rnd = () => rng.uniform(-1, 1);
    const boxes: number[] = [];
    for (let i = 0; i < 50; i++) boxes.push(rnd() * 20, rnd() * 2, 30 + rnd() * 20, 4, 1.5, 1.7, rnd() * 3);
    const back = lidarBoxesToCamera(cameraBoxesToLidar(boxes, calib), calib);
    for (let i = 0; i < boxes.length; i++) expect(Math.abs(back[i] - boxes[i])).toBeLessThan(1e-9);
  });
  it('projects a box to the image through P2', () => {
    // box straight ahead, 4 m long along z (ry = π/2), nearest face at z = 8: its left/right
    // extremes are x = ±0.8 at z = 8 → u = 610 ± 720·0.8/8 + 45/8 (P2's baseline term)
    const [x1, y1, x2, y2] = cameraBoxesToImageBoxes([0, 1.65, 10, 4, 1.5, 1.6, Math.PI / 2], calib);
    expect(x1).toBeCloseTo(610 - 72 + 45 / 8, 6);
    expect(x2).toBeCloseTo(610 + 72 + 45 / 8, 6);
    // top edge: the roof (y = 0.15, below the optical axis) is highest in the image at the far face
    expect(y1).toBeCloseTo(173 + (720 * 0.15) / 12, 6);
    expect(y2).toBeCloseTo(173 + (720 * 1.65) / 8, 6);
  });
  it('writes detections as KITTI objects with 2D boxes and alpha', () => {
    const [o] = lidarBoxesToObjects([10.27, -1, -1, 4, 1.6, 1.5, -Math.PI / 2], [0.8], calib);
    expect(o.type).toBe('Car');
    expect(o.score).toBe(0.8);
    expect(o.rotationY).toBeCloseTo(0, 9);
    expect(o.alpha).toBeCloseTo(-Math.atan2(1, 10), 9);
    expect(o.bbox[3] - o.bbox[1]).toBeGreaterThan(40);
    expect(() => lidarBoxesToObjects([0, 0, 0, 1, 1, 1, 0], [], calib)).toThrow(/scores must be 1 scores/);
  });
});
