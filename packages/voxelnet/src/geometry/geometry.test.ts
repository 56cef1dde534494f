import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { Random } from '../util/random';
import { rotatedNms } from './nms';
import { bevIoU, iou3d, rectangleCorners, rotatedOverlapArea } from './rotated-iou';

/** Overlap area by counting the centres of a fine grid inside both rectangles. */
function rasterOverlap(a: number[], b: number[], cells = 400): number {
  const inside = (p: number[], x: number, y: number) => {
    const c = Math.cos(p[4]);
    const s = Math.sin(p[4]);
    const dx = x - p[0];
    const dy = y - p[1];
    return Math.abs(c * dx + s * dy) <= p[2] / 2 && Math.abs(-s * dx + c * dy) <= p[3] / 2;
  };
  const r = Math.max(Math.hypot(a[2], a[3]), Math.hypot(b[2], b[3]));
  const x0 = Math.min(a[0], b[0]) - r;
  const y0 = Math.min(a[1], b[1]) - r;
  const span = Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])) + 2 * r;
  const h = span / cells;
  let n = 0;
  for (let i = 0; i < cells; i++) {
    for (let j = 0; j < cells; j++) {
      const x = x0 + (i + 0.5) * h;
      const y = y0 + (j + 0.5) * h;
      if (inside(a, x, y) && inside(b, x, y)) n++;
    }
  }
  return { area: n * h * h, cell: h } as unknown as number;
}

describe('rotated overlap', () => {
  it('corners are counter-clockwise around the centre', () => {
    const c = rectangleCorners(1, 2, 4, 2, Math.PI / 2);
    expect(Array.from(c).map((v) => Math.round(v * 1e9) / 1e9 + 0)).toEqual([0, 4, 0, 0, 2, 0, 2, 4]);
  });
  it('hand-computed cases', () => {
    expect(rotatedOverlapArea(0, 0, 2, 2, 0, 0, 0, 2, 2, 0)).toBeCloseTo(4, 12);
    expect(rotatedOverlapArea(0, 0, 2, 2, 0, 1, 0, 2, 2, 0)).toBeCloseTo(2, 12);
    expect(rotatedOverlapArea(0, 0, 2, 2, 0, 2, 0, 2, 2, 0)).toBe(0); // touching edge
    // unit square rotated 45° inside a 2×2 square centred on it: whole diamond, area 1
    expect(rotatedOverlapArea(0, 0, 2, 2, 0, 0, 0, 1, 1, Math.PI / 4)).toBeCloseTo(1, 12);
    // 2×2 square vs the same rotated 45°: regular octagon, area 8(√2 − 1)
    expect(rotatedOverlapArea(0, 0, 2, 2, 0, 0, 0, 2, 2, Math.PI / 4)).toBeCloseTo(8 * (Math.SQRT2 - 1), 12);
    // degenerate sizes have no area
    expect(rotatedOverlapArea(0, 0, 0, 2, 0, 0, 0, 2, 2, 0)).toBe(0);
  });
  it('matches brute-force rasterised overlap on 200 random pairs (property test)', () => {
    const rng = new Random(7);
    for (let t = 0; t < 200; t++) {
      const a = [
        rng.uniform(-2, 2),
        rng.uniform(-2, 2),
        rng.uniform(0.2, 5),
        rng.uniform(0.2, 3),
        rng.uniform(-4, 4),
      ];
      const b = [
        rng.uniform(-2, 2),
        rng.uniform(-2, 2),
        rng.uniform(0.2, 5),
        rng.uniform(0.2, 3),
        rng.uniform(-4, 4),
      ];
      const exact = rotatedOverlapArea(a[0], a[1], a[2], a[3], a[4], b[0], b[1], b[2], b[3], b[4]);
      const { area, cell } = rasterOverlap(a, b, 300) as unknown as { area: number; cell: number };
      // raster error is bounded by the cells the two perimeters cross
      const perimeter = 2 * (a[2] + a[3] + b[2] + b[3]);
      expect(Math.abs(exact - area)).toBeLessThanOrEqual(perimeter * cell * 1.5 + 1e-9);
      // symmetric
      expect(rotatedOverlapArea(b[0], b[1], b[2], b[3], b[4], a[0], a[1], a[2], a[3], a[4])).toBeCloseTo(
        exact,
        9,
      );
    }
  });
});

describe('bevIoU / iou3d', () => {
  const a = [0, 0, 0, 4, 2, 2, 0];
  const b = [2, 0, 0.5, 4, 2, 1, 0];
  it('BEV IoU of half-shifted boxes is 1/3; heading π is the same rectangle', () => {
    expect(bevIoU(a, b)[0]).toBeCloseTo(1 / 3, 12);
    expect(bevIoU(a, [0, 0, 5, 4, 2, 9, Math.PI])[0]).toBeCloseTo(1, 12);
  });
  it('3D IoU multiplies the vertical overlap of [z − dz/2, z + dz/2]', () => {
    // inter = 4 (BEV) × 1 (z ∈ [0, 1]); vols 16 and 8 → 4 / 20
    expect(iou3d(a, b)[0]).toBeCloseTo(4 / 20, 12);
    expect(iou3d(a, [0, 0, 5, 4, 2, 2, 0])[0]).toBe(0);
  });
  it('returns an N×M matrix and validates shapes', () => {
    expect(bevIoU([...a, ...b], [...a, ...b, ...a]).length).toBe(6);
    expect(() => bevIoU([1, 2, 3], a)).toThrow(InvalidArgumentError);
    expect(() => bevIoU([1, 2, 3], a)).toThrow(/bevIoU: a must be a flat N×7 array .*received length 3/);
  });
});

describe('rotatedNms', () => {
  it('keeps the best of overlapping boxes, in score order', () => {
    const boxes = [0, 0, 0, 4, 2, 1.5, 0, 0.2, 0, 0, 4, 2, 1.5, 0.1, 10, 0, 0, 4, 2, 1.5, 0];
    expect(Array.from(rotatedNms(boxes, [0.5, 0.9, 0.7], { iouThreshold: 0.5 }))).toEqual([1, 2]);
    expect(Array.from(rotatedNms(boxes, [0.5, 0.9, 0.7], { iouThreshold: 0.5, maxOutput: 1 }))).toEqual([1]);
    expect(Array.from(rotatedNms(boxes, [0.5, 0.9, 0.7], { scoreThreshold: 0.8 }))).toEqual([1]);
    expect(Array.from(rotatedNms(boxes, [0.5, 0.9, 0.7], { iouThreshold: 0.99 }))).toEqual([1, 2, 0]);
  });
  it('validates scores', () => {
    expect(() => rotatedNms([0, 0, 0, 1, 1, 1, 0], [1, 2])).toThrow(/scores must be 1 scores; received 2/);
  });
});
