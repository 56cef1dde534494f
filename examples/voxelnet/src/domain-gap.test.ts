import { existsSync } from 'node:fs';
import { InvalidArgumentError, kitti } from '@paperstack/voxelnet';
import { describe, expect, it } from 'vitest';
import { cloudStatistics, domainGapTable, labelBoxes, labelsInRange } from './domain-gap';
import { readKittiFrames } from './kitti-frames';

const RANGE = [0, -10, -3, 20, 10, 1];
const OPTIONS = { range: RANGE, voxelSize: [1, 1, 2], maxVoxels: 3 };

// Hand-made frame: 4 points in range (one on the car, two in the same voxel), 1 outside.
const points = Float32Array.from([
  // x, y, z, reflectance
  5.0,
  0.0,
  -1.0,
  0.8, // on the car, 1.0 m above the ground
  5.2,
  0.1,
  -1.6,
  0.4, // on the car, 0.13 m above the ground
  12.5,
  3.5,
  -1.7,
  0.1, // ground
  12.6,
  3.6,
  -1.7,
  0.1, // ground, same 1 m voxel
  30.0,
  0.0,
  -1.0,
  0.9, // beyond x = 20: out of range
]);
const car = [5, 0, -1, 4, 2, 1.6, 0]; // centre, dx dy dz, heading
const farCar = [40, 0, -1, 4, 2, 1.6, 0];

describe('cloudStatistics', () => {
  it('counts points, voxels, reflectance, height, cars and points per car inside the range', () => {
    const s = cloudStatistics([{ points, cars: [...car, ...farCar] }], OPTIONS);
    expect(s.frames).toBe(1);
    expect(s.points).toBe(4);
    expect(s.voxels).toBe(3); // the car's points straddle z = −1 (2 m voxels from −3); the ground pair shares one
    expect(s.framesOverCap).toBe(0);
    expect(s.reflectanceMean).toBeCloseTo((0.8 + 0.4 + 0.1 + 0.1) / 4, 6);
    expect(s.reflectanceMedian).toBeCloseTo((0.1 + 0.4) / 2, 6);
    expect(s.aboveGround).toBe(0.25); // only the point at z = −1.0 is > 0.3 m above z = −1.73
    expect(s.cars).toBe(1); // the car at x = 40 is out of range
    expect(s.pointsPerCar).toBe(2);
    expect(s.carReflectance).toBeCloseTo(0.6, 6);
    expect(Number.isNaN(s.detections)).toBe(true); // no detections given
  });

  it('flags frames over the voxel cap and classifies detections as on a car, on another object or elsewhere', () => {
    const s = cloudStatistics(
      [
        {
          points,
          cars: car,
          others: [12.5, 3.5, -1, 2, 2, 2, 0],
          detections: [...car, 12.4, 3.4, -1, 2, 2, 2, 0.1, 18, -8, -1, 4, 2, 1.6, 0],
        },
      ],
      { ...OPTIONS, maxVoxels: 1 },
    );
    expect(s.framesOverCap).toBe(1);
    expect(s.detections).toBe(3);
    expect(s.detectionsOnCars).toBeCloseTo(1 / 3, 12);
    expect(s.detectionsOnOthers).toBeCloseTo(1 / 3, 12);
  });

  it('averages over frames and rejects bad input by name', () => {
    const s = cloudStatistics(
      [
        { points, cars: car },
        { points: new Float32Array(0), cars: [] },
      ],
      OPTIONS,
    );
    expect(s.points).toBe(2);
    expect(s.cars).toBe(0.5);
    expect(() => cloudStatistics([], OPTIONS)).toThrow(InvalidArgumentError);
    expect(() => cloudStatistics([{ points: new Float32Array(3), cars: [] }], OPTIONS)).toThrow(
      /frames\[\]\.points/,
    );
    expect(() => cloudStatistics([{ points, cars: [] }], { ...OPTIONS, voxelSize: [1, 0, 2] })).toThrow(
      /voxelSize/,
    );
  });

  it('domainGapTable puts the sources side by side', () => {
    const s = cloudStatistics([{ points, cars: car, detections: car }], OPTIONS);
    const t = domainGapTable(
      'gap',
      [
        { name: 'a', stats: s },
        { name: 'b', stats: s },
      ],
      2,
    );
    expect(t.columns).toEqual(['quantity', 'a', 'b']);
    expect(t.rows.find((r) => r[0] === 'points in range per frame')).toEqual([
      'points in range per frame',
      4,
      4,
    ]);
    expect(t.rows.find((r) => r[0].toString().startsWith('… on a labelled car'))?.[1]).toBe('100.0 %');
  });
});

const calib = kitti.defaultCalib();
const label = (type: string, location: [number, number, number]): kitti.KittiObject => ({
  type,
  truncated: 0,
  occluded: 0,
  alpha: 0,
  bbox: [0, 0, 10, 10],
  dimensions: [1.5, 1.6, 3.9],
  location,
  rotationY: 0,
});

describe('labelsInRange / labelBoxes', () => {
  // camera frame: z forward, x right; LiDAR x ≈ camera z
  const labels = [
    label('Car', [0, 1.6, 10]),
    label('Car', [0, 1.6, 40]),
    label('Van', [2, 1.6, 8]),
    label('DontCare', [-1000, -1000, -1000]),
  ];

  it('turns labels centred outside the x/y range into DontCare and keeps the rest', () => {
    const r = labelsInRange(labels, calib, [0, -12.8, -3, 25.6, 12.8, 1]);
    expect(r.map((o) => o.type)).toEqual(['Car', 'DontCare', 'Van', 'DontCare']);
    expect(r[1].location).toEqual(labels[1].location);
  });

  it('splits labels into cars and other objects, DontCare left out', () => {
    const b = labelBoxes(labels, calib);
    expect(b.cars.length).toBe(14);
    expect(b.others.length).toBe(7);
    expect(b.cars[0]).toBeCloseTo(10, 0); // LiDAR x of the first car
    expect(labelBoxes(null, calib).cars.length).toBe(0);
  });
});

const KITTI = process.env.KITTI_DIR ?? new URL('../../../../shared/data/kitti', import.meta.url).pathname;
const present = existsSync(KITTI);
if (!present)
  console.warn(
    `example-voxelnet: real KITTI frames not found at ${KITTI} — skipping the domain-gap test on real frames (set KITTI_DIR)`,
  );

describe.skipIf(!present)('cloudStatistics on the real KITTI frames', () => {
  it('counts the labelled cars the small detector can see: 2 of 9 in 0…25.6 m × ±12.8 m', async () => {
    const frames = await readKittiFrames(KITTI);
    const s = cloudStatistics(
      frames.map((f) => ({ points: f.points, ...labelBoxes(f.labels, f.calib) })),
      { range: [0, -12.8, -3, 25.6, 12.8, 1], voxelSize: [0.4, 0.4, 2], maxVoxels: 4096 },
    );
    expect(s.frames).toBe(5);
    expect(s.cars * 5).toBeCloseTo(2, 12);
    expect(s.points).toBeGreaterThan(10_000);
    expect(s.reflectanceMean).toBeGreaterThan(0);
    expect(s.reflectanceMean).toBeLessThan(1);
  });
});
