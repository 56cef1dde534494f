import { InvalidArgumentError, Random } from '@paperstack/voxelnet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pointsFromCanonical } from './canonical';
import { PatchExtractor, patchPoints } from './patch';

/** Brute force: indices of the points inside the region of proposal p (float64 test). */
function inside(
  points: Float32Array,
  prop: number[],
  size: [number, number],
  zr: [number, number],
): number[] {
  const out: number[] = [];
  const c = Math.cos(prop[6]);
  const s = Math.sin(prop[6]);
  for (let i = 0; i < points.length / 4; i++) {
    const dx = points[i * 4] - prop[0];
    const dy = points[i * 4 + 1] - prop[1];
    const u = c * dx + s * dy;
    const v = -s * dx + c * dy;
    const z = points[i * 4 + 2];
    if (
      u >= -size[0] / 2 &&
      u < size[0] / 2 &&
      v >= -size[1] / 2 &&
      v < size[1] / 2 &&
      z >= zr[0] &&
      z < zr[1]
    )
      out.push(i);
  }
  return out;
}

function cloud(seed: number, n: number, extent: number): Float32Array {
  const r = new Random(seed);
  const p = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    p[i * 4] = r.uniform(-extent, extent);
    p[i * 4 + 1] = r.uniform(-extent, extent);
    p[i * 4 + 2] = r.uniform(-3.5, 1.5);
    p[i * 4 + 3] = r.next();
  }
  return p;
}

describe('PatchExtractor', () => {
  it('patches contain exactly the points inside each rotated region (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 400 }),
        fc.array(
          fc.tuple(
            fc.double({ min: -25, max: 25, noNaN: true }),
            fc.double({ min: -25, max: 25, noNaN: true }),
            fc.double({ min: -7, max: 7, noNaN: true }),
          ),
          { maxLength: 6 },
        ),
        fc.tuple(
          fc.double({ min: 0.5, max: 12, noNaN: true }),
          fc.double({ min: 0.5, max: 12, noNaN: true }),
        ),
        fc.double({ min: 0.3, max: 5, noNaN: true }),
        (seed, n, props, size, cellSize) => {
          const pts = cloud(seed, n, 20);
          const proposals = props.flatMap(([x, y, h]) => [x, y, -1, 4, 1.6, 1.5, h]);
          const ex = new PatchExtractor({ size, zRange: [-3, 1], cellSize });
          const patches = ex.extract(pts, proposals);
          expect(patches.numPatches).toBe(props.length);
          for (let p = 0; p < props.length; p++) {
            const got = Array.from(patches.indices.subarray(patches.offsets[p], patches.offsets[p + 1])).sort(
              (a, b) => a - b,
            );
            expect(got).toEqual(inside(pts, proposals.slice(p * 7, p * 7 + 7), size, [-3, 1]));
            // canonical points map back onto the cloud's points
            const local = patchPoints(patches, p);
            const back = pointsFromCanonical(local, {
              cx: proposals[p * 7],
              cy: proposals[p * 7 + 1],
              heading: proposals[p * 7 + 6],
            });
            for (let k = 0; k < local.length / 4; k++) {
              const q = patches.indices[patches.offsets[p] + k];
              for (let d = 0; d < 4; d++)
                expect(Math.abs(back[k * 4 + d] - pts[q * 4 + d])).toBeLessThan(1e-4);
              expect(Math.abs(local[k * 4])).toBeLessThanOrEqual(size[0] / 2);
              expect(Math.abs(local[k * 4 + 1])).toBeLessThanOrEqual(size[1] / 2);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('hand-computed case: region boundaries are half-open', () => {
    // proposal at (10, 0) facing +y: u = y, v = −(x − 10)
    const pts = Float32Array.from([
      10,
      2,
      0,
      0.1, // u = 2 (inside, < 3)
      10,
      3,
      0,
      0.2, // u = 3 = L/2 (outside)
      10,
      -3,
      0,
      0.3, // u = −3 (inside)
      11,
      0,
      1,
      0.4, // z = 1 = zmax (outside)
      11,
      0,
      -3,
      0.5, // z = −3 = zmin (inside), v = −1
    ]);
    const ex = new PatchExtractor({ size: [6, 4] });
    const p = ex.extract(pts, [10, 0, -1, 4, 2, 1.5, Math.PI / 2]);
    expect(Array.from(p.indices).sort()).toEqual([0, 2, 4]);
    const local = patchPoints(p, 0);
    const byIdx = new Map(
      Array.from(p.indices).map((q, k) => [q, Array.from(local.subarray(k * 4, k * 4 + 4))]),
    );
    expect(byIdx.get(4)?.[0]).toBeCloseTo(0, 5);
    expect(byIdx.get(4)?.[1]).toBeCloseTo(-1, 5);
    expect(byIdx.get(4)?.[3]).toBeCloseTo(0.5, 6);
  });

  it('handles no proposals, an empty cloud, and proposals far outside the cloud', () => {
    const ex = new PatchExtractor();
    const pts = cloud(1, 100, 10);
    const none = ex.extract(pts, []);
    expect(none.numPatches).toBe(0);
    expect(Array.from(none.offsets)).toEqual([0]);
    const empty = ex.extract(new Float32Array(0), [0, 0, 0, 4, 2, 1.5, 0]);
    expect(empty.numPatches).toBe(1);
    expect(patchPoints(empty, 0).length).toBe(0);
    const far = ex.extract(pts, [1e4, -1e4, 0, 4, 2, 1.5, 0, 0, 0, 0, 4, 2, 1.5, 0]);
    expect(patchPoints(far, 0).length).toBe(0);
    expect(patchPoints(far, 1).length).toBeGreaterThan(0);
    // a far outlier point does not blow the search grid up
    const outlier = Float32Array.from([...pts, 1e7, 1e7, 0, 0]);
    const o = ex.extract(outlier, [0, 0, 0, 4, 2, 1.5, 0]);
    expect(Array.from(o.indices).sort((a, b) => a - b)).toEqual(
      inside(outlier, [0, 0, 0, 4, 2, 1.5, 0], [6.4, 6.4], [-3, 1]),
    );
  });

  it('rejects bad input with typed errors naming the argument', () => {
    const ex = new PatchExtractor();
    expect(() => ex.extract(new Float32Array(5), [])).toThrow(/points must be a flat N×4 array/);
    expect(() => ex.extract([1, 2, 3, 4] as unknown as Float32Array, [])).toThrow(InvalidArgumentError);
    expect(() => ex.extract(new Float32Array(4), [1, 2, 3])).toThrow(
      /proposals must be a flat P×7 array; received length 3/,
    );
    expect(() => ex.extract(new Float32Array(4), [0, 0, 0, 1, 1, 1, Number.NaN])).toThrow(
      /proposals\[0\] must be finite/,
    );
    expect(() => ex.extract(Float32Array.from([0, Number.NaN, 0, 0]), [])).toThrow(
      /points\[0\] must be finite/,
    );
    expect(() => new PatchExtractor({ size: [0, 1] })).toThrow(/size must be/);
    expect(() => new PatchExtractor({ zRange: [1, 0] })).toThrow(/zRange must be/);
    expect(() => patchPoints(ex.extract(new Float32Array(4), []), 0)).toThrow(
      /i must be an integer in \[0, 0\)/,
    );
  });
});
