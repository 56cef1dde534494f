import { existsSync } from 'node:fs';
import { expectClose, loadFixture } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors';
import { readVelodyne } from './kitti/velodyne';
import { gridSizeOf, Voxelizer } from './voxelizer';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
const KITTI =
  process.env.KITTI_DIR ?? new URL('../../../../shared/data/kitti/training', import.meta.url).pathname;

describe('Voxelizer', () => {
  it('matches the numpy implementation (no shuffle): features, counts, coords', () => {
    const fx = loadFixture('voxelize_numpy', FIXTURES);
    const cfg = fx.config as {
      pointCloudRange: number[];
      voxelSize: number[];
      maxPointsPerVoxel: number;
      maxVoxels: number;
    };
    const v = new Voxelizer(cfg).voxelize(new Float32Array(fx.inputs.points.data), { shuffle: false });
    expect(v.numVoxels).toBe(fx.outputs.numPoints.shape[0]);
    expect(Array.from(v.numPoints)).toEqual(fx.outputs.numPoints.data);
    expect(Array.from(v.coords)).toEqual(fx.outputs.coords.data);
    expectClose(v.features, fx.outputs.features.data, { atol: 2e-6, rtol: 1e-6, name: 'features' });
  });

  it('the paper car grid is 10 × 400 × 352', () => {
    expect(gridSizeOf([0, -40, -3, 70.4, 40, 1], [0.2, 0.2, 0.4])).toEqual([10, 400, 352]);
  });

  it('samples at most T points per voxel at random (seeded) and zeroes empty slots', () => {
    // 100 points in one voxel, T = 5
    const pts = new Float32Array(400);
    for (let i = 0; i < 100; i++) pts.set([0.1 + i * 0.001, 0.1, 0.1, i / 100], i * 4);
    const vox = new Voxelizer({
      pointCloudRange: [0, 0, 0, 1, 1, 1],
      voxelSize: [1, 1, 1],
      maxPointsPerVoxel: 5,
    });
    const a = vox.voxelize(pts, { seed: 1 });
    const b = vox.voxelize(pts, { seed: 1 });
    const c = vox.voxelize(pts, { seed: 2 });
    expect(a.numVoxels).toBe(1);
    expect(a.numPoints[0]).toBe(5);
    expect(Array.from(a.features)).toEqual(Array.from(b.features));
    expect(Array.from(a.features)).not.toEqual(Array.from(c.features));
    // offsets to the centroid of the kept points sum to zero
    let sx = 0;
    for (let i = 0; i < 5; i++) sx += a.features[i * 7 + 4];
    expect(Math.abs(sx)).toBeLessThan(1e-5);
    // every point is kept with probability T/N: over many seeds each of the 100 points shows up
    // about 5 % of the time, for both samplers
    for (const sampling of ['reservoir', 'shuffle'] as const) {
      const hits = new Float64Array(100);
      for (let s = 0; s < 400; s++) {
        const v = vox.voxelize(pts, { seed: s, sampling });
        for (let i = 0; i < 5; i++) hits[Math.round(v.features[i * 7 + 3] * 100)]++;
      }
      const rate = Array.from(hits, (h) => h / 400);
      expect(Math.min(...rate), sampling).toBeGreaterThan(0.005);
      expect(Math.max(...rate), sampling).toBeLessThan(0.14);
      // first and second half of the cloud equally likely (no order bias)
      const first = rate.slice(0, 50).reduce((a, b) => a + b, 0);
      expect(Math.abs(first - 2.5), sampling).toBeLessThan(0.35);
    }
    // a second, smaller cloud: slots beyond its points are zero again
    const d = vox.voxelize(new Float32Array([0.5, 0.5, 0.5, 1]), { seed: 0 });
    expect(Array.from(d.features.subarray(7))).toEqual(new Array(28).fill(0));
    expect(Array.from(d.features.subarray(0, 7))).toEqual([0.5, 0.5, 0.5, 1, 0, 0, 0]);
  });

  it('caps the voxel count at K and drops out-of-range points', () => {
    const pts = new Float32Array([0.5, 0.5, 0.5, 0, 1.5, 0.5, 0.5, 0, 2.5, 0.5, 0.5, 0, 9, 9, 9, 0]);
    const v = new Voxelizer({
      pointCloudRange: [0, 0, 0, 3, 1, 1],
      voxelSize: [1, 1, 1],
      maxVoxels: 2,
    }).voxelize(pts, {
      shuffle: false,
    });
    expect(v.numVoxels).toBe(2);
    expect(v.pointsInRange).toBe(3);
    expect(Array.from(v.coords)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('rejects bad clouds and options with named arguments', () => {
    const vox = new Voxelizer();
    expect(() => vox.voxelize(new Float32Array(0))).toThrow(/points must be a non-empty cloud/);
    expect(() => vox.voxelize(new Float32Array(6))).toThrow(/length divisible by 4.*received length 6/);
    expect(() => vox.voxelize(new Float32Array([1, Number.NaN, 0, 0]))).toThrow(/points\[0\] must be finite/);
    expect(() => vox.voxelize([1, 2, 3, 4] as never)).toThrow(InvalidArgumentError);
    expect(() => new Voxelizer({ voxelSize: [0.2, 0, 0.4] })).toThrow(/voxelSize must be 3 positive sizes/);
    expect(() => new Voxelizer({ maxPointsPerVoxel: 0 })).toThrow(/maxPointsPerVoxel/);
  });

  it.skipIf(!existsSync(KITTI))(
    'voxelizes a real KITTI scan (paper car config) and agrees with a no-shuffle run on counts',
    async () => {
      const pts = await readVelodyne(`${KITTI}/velodyne/000002.bin`);
      const vox = new Voxelizer();
      const t0 = performance.now();
      const v = vox.voxelize(pts, { seed: 0 });
      const ms = performance.now() - t0;
      const ns = vox.voxelize(pts, { shuffle: false });
      expect(v.numVoxels).toBe(ns.numVoxels); // the set of occupied voxels does not depend on the order
      expect(v.pointsInRange).toBe(ns.pointsInRange);
      const kept = v.numPoints.reduce((a, b) => a + b, 0);
      expect(kept).toBeLessThanOrEqual(v.pointsInRange);
      expect(Math.max(...v.numPoints)).toBeLessThanOrEqual(35);
      console.log(
        `000002.bin: ${pts.length / 4} points, ${v.pointsInRange} in range, ${v.numVoxels} voxels, ${kept} kept; ${ms.toFixed(1)} ms (first call, see bench for steady state)`,
      );
    },
  );
});
