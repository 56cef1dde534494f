import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { evaluate, evaluateFolders, getThresholds, type KittiObject, writeResults } from './index';

/** A label object: 2D box height `h` px, camera box at (x, 1.6, z), 3.9 × 1.56 × 1.6 m. */
function obj(
  type: string,
  opts: Partial<KittiObject> & { h?: number; x?: number; z?: number } = {},
): KittiObject {
  const { h = 60, x = 0, z = 20, ...rest } = opts;
  return {
    type,
    truncated: 0,
    occluded: 0,
    alpha: 0,
    bbox: [500 + x * 10, 150, 560 + x * 10, 150 + h],
    dimensions: [1.56, 1.6, 3.9],
    location: [x, 1.6, z],
    rotationY: 0,
    ...rest,
  };
}
const det = (g: KittiObject, score: number, extra: Partial<KittiObject> = {}): KittiObject => ({
  ...g,
  type: 'Car',
  score,
  ...extra,
});
const allEqual = (r: ReturnType<typeof evaluate>, v: number, field: 'ap11' | 'ap40' = 'ap11') => {
  for (const m of ['bbox', 'bev', '3d'] as const)
    for (const ap of r.Car[m]![field]) expect(ap).toBeCloseTo(v, 9);
};

describe('kitti.evaluate (devkit rules)', () => {
  it('perfect detections → AP 100 (R11 and R40) on every metric and difficulty', () => {
    const gt = Array.from({ length: 50 }, (_, i) => [obj('Car', { x: i % 7 })]);
    const dt = gt.map((f, i) => [det(f[0], 0.5 + i / 100)]);
    const r = evaluate(gt, dt);
    allEqual(r, 100, 'ap11');
    allEqual(r, 100, 'ap40');
    expect(r.Car.bbox!.numGroundTruth).toEqual([50, 50, 50]);
  });

  it('no detections → AP 0', () => {
    const gt = [[obj('Car')]];
    allEqual(evaluate(gt, [[]]), 0);
  });

  it('few ground-truth boxes: the devkit samples only as many recall points as there are TPs', () => {
    // 2 GT, both found: thresholds [s1, s2], precision [1, 1, 0, …] → R11 = 1/11, R40 = 1/40
    const gt = [[obj('Car', { x: 0 }), obj('Car', { x: 10 })]];
    const r = evaluate(gt, [[det(gt[0][0], 0.9), det(gt[0][1], 0.8)]]);
    allEqual(r, 100 / 11, 'ap11');
    allEqual(r, 100 / 40, 'ap40');
  });

  it('hand-computed precision with a false positive ranked between two TPs', () => {
    // scores: TP 0.9, FP 0.8, TP 0.7 → thresholds [0.9, 0.7]; precision [1, 2/3] (envelope kept)
    const gt = [[obj('Car', { x: 0 }), obj('Car', { x: 10 })]];
    const fp = det(obj('Car', { x: 30 }), 0.8);
    const r = evaluate(gt, [[det(gt[0][0], 0.9), fp, det(gt[0][1], 0.7)]], { metrics: ['bev'] });
    expect(r.Car.bev!.precision[0].slice(0, 3)).toEqual([1, 2 / 3, 0]);
    expect(r.Car.bev!.ap11[0]).toBeCloseTo(100 / 11, 9);
    expect(r.Car.bev!.ap40[0]).toBeCloseTo(((2 / 3) * 100) / 40, 9);
    expect(getThresholds([0.7, 0.9], 2)).toEqual([0.9, 0.7]);
  });

  const base = () => Array.from({ length: 41 }, (_, i) => [obj('Car', { x: i % 5 })]);
  const perfect = (gt: KittiObject[][]) => gt.map((f) => f.map((g, j) => det(g, 0.9 - j * 0.01)));

  it('occlusion filter: an occluded car counts from moderate on and is ignored (not a FP) in easy', () => {
    const gt = [...base(), [obj('Car', { occluded: 1 })]];
    const found = evaluate(gt, perfect(gt));
    expect(found.Car.bev!.numGroundTruth).toEqual([41, 42, 42]);
    allEqual(found, 100);
    const dt = perfect(gt);
    dt[41] = [];
    const missed = evaluate(gt, dt);
    expect(missed.Car.bev!.ap11[0]).toBeCloseTo(100, 9);
    expect(missed.Car.bev!.ap11[1]).toBeLessThan(100);
  });

  it('truncation and height filters; devkit (<) vs python (<=) height rule at exactly 25 px', () => {
    const gt = [
      ...base(),
      [obj('Car', { truncated: 0.2 })],
      [obj('Car', { h: 30 })],
      [obj('Car', { h: 25 })],
    ];
    const r = evaluate(gt, perfect(gt), { metrics: ['bbox'] });
    expect(r.Car.bbox!.numGroundTruth).toEqual([41, 44, 44]);
    const py = evaluate(gt, perfect(gt), { metrics: ['bbox'], heightRule: 'python' });
    expect(py.Car.bbox!.numGroundTruth).toEqual([41, 43, 43]);
    // occlusion 2 only in hard, occlusion 3 never
    const gt2 = [...base(), [obj('Car', { occluded: 2 })], [obj('Car', { occluded: 3 })]];
    expect(evaluate(gt2, perfect(gt2)).Car.bev!.numGroundTruth).toEqual([41, 41, 42]);
  });

  it('DontCare absorbs unmatched detections for the 2D metric only', () => {
    const gt = base();
    const dc = obj('DontCare', { x: 40, dimensions: [-1, -1, -1], location: [-1000, -1000, -1000] });
    gt[0].push(dc);
    const dt = perfect(gt.map((f) => f.filter((g) => g.type === 'Car')));
    dt[0].push(det(obj('Car', { x: 40 }), 0.99)); // top-scoring FP inside the DontCare box
    const r = evaluate(gt, dt);
    expect(r.Car.bbox!.ap11).toEqual([100, 100, 100]);
    expect(r.Car.bev!.ap11[0]).toBeLessThan(100);
    expect(r.Car['3d']!.ap11[0]).toBeLessThan(100);
  });

  it('Van ground truth is ignored for Car; other classes are neither TP nor FP', () => {
    const gt = [...base(), [obj('Van')], [obj('Pedestrian')]];
    const dt = perfect(gt.slice(0, 41));
    dt.push([det(gt[41][0], 0.99)], [det(obj('Pedestrian'), 0.99, { type: 'Pedestrian' })]);
    const r = evaluate(gt, dt);
    expect(r.Car.bev!.numGroundTruth).toEqual([41, 41, 41]);
    allEqual(r, 100);
    // a Car detection on the pedestrian is a false positive
    dt[42] = [det(obj('Pedestrian'), 0.99)];
    expect(evaluate(gt, dt).Car.bev!.ap11[0]).toBeLessThan(100);
  });

  it('detections shorter than MIN_HEIGHT are ignored (int-truncated height, as the devkit)', () => {
    const gt = base();
    const dt = perfect(gt);
    dt[0].push(det(obj('Car', { x: 40, h: 24.9 }), 0.99)); // int(24.9) = 24 < 25: ignored
    expect(evaluate(gt, dt).Car.bev!.ap11).toEqual([100, 100, 100]);
    dt[0][1] = det(obj('Car', { x: 40, h: 40.5 }), 0.99); // a real FP
    expect(evaluate(gt, dt).Car.bev!.ap11[1]).toBeLessThan(100);
  });

  it('IoU thresholds: a box 1 m off along its length is a TP at 0.5 but not at 0.7', () => {
    const gt = base();
    const dt = gt.map((f) => [det(f[0], 0.9, { location: [f[0].location[0] + 1, 1.6, f[0].location[2]] })]);
    // ry = 0: length along camera x. BEV IoU of a 3.9 m box shifted 1 m along it: 2.9 / 4.9 ≈ 0.59
    expect(evaluate(gt, dt).Car.bev!.ap11).toEqual([0, 0, 0]);
    expect(evaluate(gt, dt, { minOverlap: { car: { bev: 0.5 } } }).Car.bev!.ap11).toEqual([100, 100, 100]);
  });

  it('evaluateFolders reads label and result folders as the devkit does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'voxelnet-eval-'));
    const gt = base();
    const dt = perfect(gt);
    dt[3] = [];
    for (let i = 0; i < gt.length; i++) {
      await writeResults(join(dir, 'label_2'), i, gt[i]);
      await writeResults(join(dir, 'data'), i, dt[i]);
    }
    const fromFiles = await evaluateFolders(join(dir, 'label_2'), join(dir, 'data'));
    expect(fromFiles.Car.bev!.ap40).toEqual(evaluate(gt, dt).Car.bev!.ap40);
    expect(fromFiles.Car.bev!.ap40[0]).toBeLessThan(100);
  });

  it('rejects bad input with named arguments', () => {
    expect(() => evaluate([[obj('Car')]], [])).toThrow(InvalidArgumentError);
    expect(() => evaluate([[obj('Car')]], [[obj('Car')]])).toThrow(
      /detections\[0\]\[0\]\.score must be a finite number/,
    );
    expect(() => evaluate([[]], [[]], { metrics: ['aos' as never] })).toThrow(/metrics must be one of/);
  });
});
