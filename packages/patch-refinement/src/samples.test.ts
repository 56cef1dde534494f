import { generateScene, InvalidArgumentError } from '@paperstack/voxelnet';
import { describe, expect, it } from 'vitest';
import { boxesToCanonical } from './canonical';
import { PatchExtractor, patchPoints } from './patch';
import { pointsInBox, samplePatches } from './samples';

const scenes = [
  generateScene({ seed: 3, beams: 32, azimuthStep: 0.4 }),
  generateScene({ seed: 4, beams: 32, azimuthStep: 0.4 }),
];

describe('samplePatches', () => {
  it('is seeded: the same seed gives the same examples, another seed others', () => {
    const a = samplePatches(scenes, 12, { seed: 7 });
    const b = samplePatches(scenes, 12, { seed: 7 });
    const c = samplePatches(scenes, 12, { seed: 8 });
    expect(a.map((e) => Array.from(e.points))).toEqual(b.map((e) => Array.from(e.points)));
    expect(a.map((e) => e.target && Array.from(e.target))).toEqual(
      b.map((e) => e.target && Array.from(e.target)),
    );
    expect(a.map((e) => e.points.length)).not.toEqual(c.map((e) => e.points.length));
  });

  it('keeps every point in the canonical region and the target near the patch centre', () => {
    const ex = samplePatches(scenes, 40, { seed: 1, centerNoise: 0.3 });
    let bg = 0;
    for (const e of ex) {
      for (let i = 0; i < e.points.length; i += 4) {
        expect(Math.abs(e.points[i])).toBeLessThanOrEqual(3.2);
        expect(Math.abs(e.points[i + 1])).toBeLessThanOrEqual(3.2);
        expect(e.points[i + 2]).toBeGreaterThanOrEqual(-3);
        expect(e.points[i + 2]).toBeLessThan(1);
      }
      if (!e.target) {
        bg++;
        continue;
      }
      expect(Math.hypot(e.target[0], e.target[1])).toBeLessThan(0.3 * 5);
      // heading within the jitter (mod π) plus the object rotation
      const d = Math.abs((((e.target[6] % Math.PI) + Math.PI * 1.5) % Math.PI) - Math.PI / 2);
      expect(d).toBeLessThanOrEqual(Math.PI / 8 + Math.PI / 20 + 1e-9);
      expect(e.others.length % 7).toBe(0);
    }
    expect(bg).toBeGreaterThan(0);
    expect(bg).toBeLessThan(20);
  });

  it('with every augmentation off, an example is exactly the jittered patch and its boxes', () => {
    const opts = {
      seed: 5,
      rotation: 0,
      scaling: 0,
      dropout: 0,
      backgroundMixing: 0,
      backgroundFraction: 0,
      centerNoise: 0,
      headingNoise: 0,
      flipProbability: 0,
    };
    const [e] = samplePatches([scenes[0]], 1, opts);
    const boxes = scenes[0].boxes;
    // the target is one of the scene's boxes, at the origin with heading 0
    expect(Math.abs(e.target![0])).toBeLessThan(1e-9);
    expect(Math.abs(e.target![6])).toBeLessThan(1e-9);
    let j = -1;
    for (let k = 0; k < boxes.length / 7; k++) if (Math.abs(boxes[k * 7 + 3] - e.target![3]) < 1e-12) j = k;
    expect(j).toBeGreaterThanOrEqual(0);
    const prop = Array.from(boxes.subarray(j * 7, j * 7 + 7));
    const raw = patchPoints(new PatchExtractor().extract(scenes[0].points, prop), 0);
    // same multiset of points: object points first, then background
    const key = (p: Float32Array) =>
      Array.from({ length: p.length / 4 }, (_, i) => Array.from(p.subarray(i * 4, i * 4 + 4)).join()).sort();
    expect(key(e.points)).toEqual(key(raw));
    const frame = { cx: prop[0], cy: prop[1], heading: prop[6] };
    const all = boxesToCanonical(boxes, frame);
    expect(e.others.length).toBe(all.length - 7);
  });

  it('point dropout removes points and background mixing changes the background', () => {
    const base = { seed: 2, rotation: 0, scaling: 0, backgroundFraction: 0, backgroundMixing: 0 };
    const kept = samplePatches(scenes, 10, { ...base, dropout: 0 });
    const dropped = samplePatches(scenes, 10, { ...base, dropout: 0.9 });
    const total = (x: { points: Float32Array }[]) => x.reduce((a, e) => a + e.points.length, 0);
    for (let i = 0; i < dropped.length; i++)
      expect(dropped[i].points.length).toBeLessThanOrEqual(kept[i].points.length);
    expect(total(dropped)).toBeLessThan(total(kept) * 0.9);
    const mixed = samplePatches(scenes, 10, { ...base, dropout: 0, backgroundMixing: 1 });
    let changed = 0;
    mixed.forEach((e, i) => {
      // the object's points survive mixing
      const inObj = pointsInBox(e.points, e.target!, 0.1).reduce((a, v) => a + v, 0);
      expect(inObj).toBeGreaterThan(0);
      if (e.points.length !== kept[i].points.length) changed++;
    });
    expect(changed).toBeGreaterThan(5);
  });

  it('pointsInBox: hand-computed case', () => {
    // box 4 m along y (heading π/2), 2 m along x: (1, 0) on the edge, (1.2, 0) out, (0, 1.9) in, z = 2 above
    const pts = [1, 0, 0, 0, 1.2, 0, 0, 0, 0, 1.9, 0, 0, 0, 0, 2, 0];
    expect(Array.from(pointsInBox(pts, [0, 0, 0, 4, 2, 2, Math.PI / 2]))).toEqual([1, 0, 1, 0]);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => samplePatches([], 1)).toThrow(InvalidArgumentError);
    expect(() => samplePatches(scenes, -1)).toThrow(/count must be a non-negative integer/);
    expect(() => samplePatches([{ points: new Float32Array(4), boxes: [1, 2] }], 1)).toThrow(
      /scenes\[0\]\.boxes must be a flat M×7 array/,
    );
    expect(() => samplePatches([{ points: new Float32Array(8), boxes: [] }], 1)).toThrow(
      /at least one ground-truth box/,
    );
    expect(
      samplePatches([{ points: new Float32Array(8), boxes: [] }], 2, { backgroundFraction: 1 }).every(
        (e) => e.target === null,
      ),
    ).toBe(true);
  });
});
