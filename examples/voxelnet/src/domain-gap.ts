// Why a detector trained on synthetic scenes does (not) transfer to real KITTI frames, measured:
// the same statistics of the clouds and labels inside the detector's range for both sources
// (point count, occupied voxels against the voxelizer's cap, reflectance, share of points above the
// ground, cars and points per car), and where the confident detections land. Plain numbers for the
// report; nothing here runs a network.
import type { Table } from '@paperstack/example-kit';
import { bevIoU, InvalidArgumentError, kitti } from '@paperstack/voxelnet';

/** One cloud with its labelled objects, as LiDAR boxes (x, y, z centre, dx, dy, dz, heading). */
export interface GapFrame {
  /** Flat N×4 (x, y, z, reflectance), LiDAR frame. */
  points: Float32Array;
  /** Labelled cars, flat M×7 LiDAR boxes (all of them: those outside the range are ignored here). */
  cars: ArrayLike<number>;
  /** Other labelled objects a detection may fire on (Van, Truck, …; not DontCare), flat K×7. */
  others?: ArrayLike<number>;
  /** Confident detections (flat D×7), when the detector has run. */
  detections?: ArrayLike<number>;
}

/** What {@link cloudStatistics} measures, each a mean over frames unless named otherwise. */
export interface CloudStatistics {
  frames: number;
  /** Points inside `range` per frame. */
  points: number;
  /** Occupied voxels (of `voxelSize`) per frame. */
  voxels: number;
  /** Frames with more occupied voxels than `maxVoxels` (the rest are dropped by the voxelizer). */
  framesOverCap: number;
  /** Reflectance of the points in range: mean and median. */
  reflectanceMean: number;
  reflectanceMedian: number;
  /** Share of the points in range more than 0.3 m above the ground plane (z = `groundZ`). */
  aboveGround: number;
  /** Labelled cars whose box centre is in range, per frame. */
  cars: number;
  /** Median points inside the box of a car in range (over all such cars); NaN without cars. */
  pointsPerCar: number;
  /** Mean reflectance of the points on cars in range; NaN without car points. */
  carReflectance: number;
  /** Confident detections per frame (NaN when no frame carries detections). */
  detections: number;
  /** Share of the confident detections whose BEV IoU with a labelled car is ≥ 0.1 (NaN without detections). */
  detectionsOnCars: number;
  /** … with another labelled object (Van, Truck, …) and no car. */
  detectionsOnOthers: number;
}

/** Options of {@link cloudStatistics}. */
export interface CloudStatisticsOptions {
  /** [xmin, ymin, zmin, xmax, ymax, zmax] of the detector. */
  range: readonly number[];
  /** Voxel size [x, y, z] of the detector. */
  voxelSize: readonly number[];
  /** The voxelizer's cap on occupied voxels. */
  maxVoxels: number;
  /** Ground height in the LiDAR frame. Default −1.73 (KITTI's HDL-64E mounting height). */
  groundZ?: number;
}

/** Indices of the points (flat N×4) inside a LiDAR box. */
function pointsInside(points: Float32Array, box: ArrayLike<number>, index: number): number[] {
  const c = Math.cos(box[index * 7 + 6]);
  const s = Math.sin(box[index * 7 + 6]);
  const [x, y, z, dx, dy, dz] = Array.from({ length: 6 }, (_, k) => box[index * 7 + k]);
  const out: number[] = [];
  for (let i = 0; i < points.length / 4; i++) {
    const pz = points[i * 4 + 2];
    if (Math.abs(pz - z) > dz / 2) continue;
    const ux = points[i * 4] - x;
    const uy = points[i * 4 + 1] - y;
    if (Math.abs(c * ux + s * uy) <= dx / 2 && Math.abs(-s * ux + c * uy) <= dy / 2) out.push(i);
  }
  return out;
}

const inRange = (x: number, y: number, z: number, r: readonly number[]) =>
  x >= r[0] && x < r[3] && y >= r[1] && y < r[4] && z >= r[2] && z < r[5];

const median = (v: number[]) => {
  if (!v.length) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Statistics of `frames` inside the detector's range (see {@link CloudStatistics}). Use the same
 * options for the synthetic and the real frames, so that the two columns compare like with like.
 */
export function cloudStatistics(
  frames: readonly GapFrame[],
  options: CloudStatisticsOptions,
): CloudStatistics {
  const { range, voxelSize, maxVoxels, groundZ = -1.73 } = options;
  if (!frames.length) throw new InvalidArgumentError('cloudStatistics', 'frames', 'at least one frame', 0);
  if (range.length !== 6)
    throw new InvalidArgumentError('cloudStatistics', 'range', '6 numbers', range.length);
  if (voxelSize.length !== 3 || voxelSize.some((v) => !(v > 0)))
    throw new InvalidArgumentError('cloudStatistics', 'voxelSize', '3 positive numbers', voxelSize);
  let points = 0;
  let voxels = 0;
  let overCap = 0;
  let above = 0;
  let cars = 0;
  let carRefl = 0;
  let carPts = 0;
  let dets = 0;
  let onCars = 0;
  let onOthers = 0;
  let withDetections = 0;
  const refl: number[] = [];
  const perCar: number[] = [];
  for (const f of frames) {
    if (f.points.length % 4 !== 0)
      throw new InvalidArgumentError(
        'cloudStatistics',
        'frames[].points',
        'a flat N×4 array',
        f.points.length,
      );
    const occupied = new Set<number>();
    for (let i = 0; i < f.points.length / 4; i++) {
      const x = f.points[i * 4];
      const y = f.points[i * 4 + 1];
      const z = f.points[i * 4 + 2];
      if (!inRange(x, y, z, range)) continue;
      points++;
      refl.push(f.points[i * 4 + 3]);
      if (z > groundZ + 0.3) above++;
      const vx = Math.floor((x - range[0]) / voxelSize[0]);
      const vy = Math.floor((y - range[1]) / voxelSize[1]);
      const vz = Math.floor((z - range[2]) / voxelSize[2]);
      occupied.add((vz * 10_000 + vy) * 10_000 + vx);
    }
    voxels += occupied.size;
    if (occupied.size > maxVoxels) overCap++;
    const nCars = f.cars.length / 7;
    for (let b = 0; b < nCars; b++) {
      const [x, y] = [f.cars[b * 7], f.cars[b * 7 + 1]];
      if (!(x >= range[0] && x < range[3] && y >= range[1] && y < range[4])) continue;
      cars++;
      const inside = pointsInside(f.points, f.cars, b);
      perCar.push(inside.length);
      for (const i of inside) carRefl += f.points[i * 4 + 3];
      carPts += inside.length;
    }
    if (f.detections) {
      withDetections++;
      const nd = f.detections.length / 7;
      dets += nd;
      if (nd) {
        const ic = nCars ? bevIoU(f.detections, f.cars) : new Float64Array(0);
        const no = f.others ? f.others.length / 7 : 0;
        const io = no && f.others ? bevIoU(f.detections, f.others) : new Float64Array(0);
        for (let d = 0; d < nd; d++) {
          let car = false;
          for (let g = 0; g < nCars; g++) if (ic[d * nCars + g] >= 0.1) car = true;
          let other = false;
          for (let g = 0; g < no; g++) if (io[d * no + g] >= 0.1) other = true;
          if (car) onCars++;
          else if (other) onOthers++;
        }
      }
    }
  }
  const n = frames.length;
  return {
    frames: n,
    points: points / n,
    voxels: voxels / n,
    framesOverCap: overCap,
    reflectanceMean: refl.length ? refl.reduce((a, b) => a + b, 0) / refl.length : Number.NaN,
    reflectanceMedian: median(refl),
    aboveGround: points ? above / points : Number.NaN,
    cars: cars / n,
    pointsPerCar: median(perCar),
    carReflectance: carPts ? carRefl / carPts : Number.NaN,
    detections: withDetections ? dets / withDetections : Number.NaN,
    detectionsOnCars: dets ? onCars / dets : Number.NaN,
    detectionsOnOthers: dets ? onOthers / dets : Number.NaN,
  };
}

/** The label objects of a real frame as {@link GapFrame} boxes: cars, and other objects except DontCare. */
export function labelBoxes(
  labels: readonly kitti.KittiObject[] | null,
  calib: kitti.KittiCalib,
): { cars: Float64Array; others: Float64Array } {
  const all = labels ?? [];
  return {
    cars: kitti.objectsToLidarBoxes(
      all.filter((o) => o.type === 'Car'),
      calib,
    ),
    others: kitti.objectsToLidarBoxes(
      all.filter((o) => o.type !== 'Car' && o.type !== 'DontCare'),
      calib,
    ),
  };
}

/**
 * The labels with every object whose LiDAR box centre lies outside `range` (x, y) turned into
 * DontCare: the KITTI metric then neither counts those cars as misses nor detections on them as
 * false positives — the AP "on what the detector can see".
 */
export function labelsInRange(
  labels: readonly kitti.KittiObject[],
  calib: kitti.KittiCalib,
  range: readonly number[],
): kitti.KittiObject[] {
  const boxes = kitti.objectsToLidarBoxes(labels, calib);
  return labels.map((o, i) => {
    const x = boxes[i * 7];
    const y = boxes[i * 7 + 1];
    const inside = x >= range[0] && x < range[3] && y >= range[1] && y < range[4];
    return inside || o.type === 'DontCare' ? o : { ...o, type: 'DontCare' };
  });
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');
/** `x` with `decimals` decimals, 'n/a' when not finite. */
const num = (x: number, decimals = 1) => (Number.isFinite(x) ? Number(x.toFixed(decimals)) : 'n/a');

/** Side-by-side table of the synthetic and the real statistics. */
export function domainGapTable(
  title: string,
  columns: readonly { name: string; stats: CloudStatistics }[],
  maxVoxels: number,
): Table {
  const rows: [string, (s: CloudStatistics) => string | number][] = [
    ['frames', (s) => s.frames],
    ['points in range per frame', (s) => num(s.points, 0)],
    ['occupied voxels per frame', (s) => num(s.voxels, 0)],
    [`frames over the voxel cap (${maxVoxels})`, (s) => s.framesOverCap],
    ['reflectance, mean / median', (s) => `${num(s.reflectanceMean, 3)} / ${num(s.reflectanceMedian, 3)}`],
    ['points > 0.3 m above the ground', (s) => pct(s.aboveGround)],
    ['labelled cars in range per frame', (s) => num(s.cars, 2)],
    ['points per car in range (median)', (s) => num(s.pointsPerCar, 0)],
    ['reflectance on cars (mean)', (s) => num(s.carReflectance, 3)],
    ['confident detections per frame', (s) => num(s.detections, 1)],
    ['… on a labelled car (BEV IoU ≥ 0.1)', (s) => pct(s.detectionsOnCars)],
    ['… on another labelled object only', (s) => pct(s.detectionsOnOthers)],
  ];
  return {
    title,
    columns: ['quantity', ...columns.map((c) => c.name)],
    rows: rows.map(([label, f]) => [label, ...columns.map((c) => f(c.stats))]),
  };
}
