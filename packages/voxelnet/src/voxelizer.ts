// Points → voxels, VoxelNet §2.1.1 (grouping, random sampling) and §2.3 (efficient
// implementation): one O(n) pass over the points with a dense voxel-index grid,
// at most T points per voxel and K voxels, and the 7-feature point encoding
// p̂ = [x, y, z, r, x − vx, y − vy, z − vz] with (vx, vy, vz) the centroid of the voxel's points.
// Same outputs as OpenPCDet's VoxelGeneratorWrapper (spconv Point2VoxelCPU3d) plus the encoding
// that second.pytorch's VoxelFeatureExtractor computes on the fly.
import { InvalidArgumentError } from './errors';
import { Random } from './util/random';

/** Options of {@link Voxelizer}. Defaults: the paper's car configuration (§3.1). */
export interface VoxelizerOptions {
  /** [xmin, ymin, zmin, xmax, ymax, zmax] in metres (LiDAR frame). Default [0, −40, −3, 70.4, 40, 1]. */
  pointCloudRange?: readonly number[];
  /** [vx, vy, vz] voxel size in metres. Default [0.2, 0.2, 0.4] (vW, vH, vD). */
  voxelSize?: readonly number[];
  /** T: at most this many points per voxel; extra points are dropped after shuffling. Default 35. */
  maxPointsPerVoxel?: number;
  /** K: at most this many non-empty voxels (first come). Default 20000. */
  maxVoxels?: number;
}

/** The voxelized cloud. `features` etc. are owned copies unless `voxelize(…, { views: true })`. */
export interface Voxels {
  /** [numVoxels, T, 7] point features (x, y, z, r, Δx, Δy, Δz to the voxel centroid); empty slots 0. */
  features: Float32Array;
  /** [numVoxels] points kept in each voxel (1…T). */
  numPoints: Int32Array;
  /** [numVoxels, 3] voxel indices (z, y, x) in the [D, H, W] grid. */
  coords: Int32Array;
  numVoxels: number;
  /** Points inside the range (kept or dropped by T / K). */
  pointsInRange: number;
  /** [D, H, W]. */
  gridSize: [number, number, number];
  maxPointsPerVoxel: number;
}

/** Grid size [D, H, W] of a range and voxel size (rounded, as OpenPCDet's `grid_size`). */
export function gridSizeOf(range: readonly number[], voxelSize: readonly number[]): [number, number, number] {
  return [
    Math.round((range[5] - range[2]) / voxelSize[2]),
    Math.round((range[4] - range[1]) / voxelSize[1]),
    Math.round((range[3] - range[0]) / voxelSize[0]),
  ];
}

/**
 * A reusable voxelizer: allocates its buffers (a dense [D·H·W] index grid, the K×T×7 feature
 * buffer) once, then voxelizes clouds with no per-point allocation.
 *
 * @example
 * const vox = new Voxelizer({ pointCloudRange: [0, -40, -3, 70.4, 40, 1], voxelSize: [0.2, 0.2, 0.4] });
 * const v = vox.voxelize(points, { seed: 0 }); // points: Float32Array N×4
 */
export class Voxelizer {
  readonly pointCloudRange: number[];
  readonly voxelSize: number[];
  readonly maxPointsPerVoxel: number;
  readonly maxVoxels: number;
  readonly gridSize: [number, number, number];
  private grid: Int32Array;
  private features: Float32Array;
  private numPoints: Int32Array;
  private coords: Int32Array;
  private sums: Float64Array;
  private order = new Int32Array(0);
  private seen: Int32Array;
  private used = 0;

  constructor(options: VoxelizerOptions = {}) {
    const {
      pointCloudRange = [0, -40, -3, 70.4, 40, 1],
      voxelSize = [0.2, 0.2, 0.4],
      maxPointsPerVoxel = 35,
      maxVoxels = 20000,
    } = options;
    if (
      pointCloudRange.length !== 6 ||
      !(pointCloudRange[3] > pointCloudRange[0]) ||
      !(pointCloudRange[4] > pointCloudRange[1]) ||
      !(pointCloudRange[5] > pointCloudRange[2])
    ) {
      throw new InvalidArgumentError(
        'Voxelizer',
        'pointCloudRange',
        '[xmin, ymin, zmin, xmax, ymax, zmax] with max > min',
        pointCloudRange,
      );
    }
    if (voxelSize.length !== 3 || voxelSize.some((v) => !(v > 0))) {
      throw new InvalidArgumentError('Voxelizer', 'voxelSize', '3 positive sizes [vx, vy, vz]', voxelSize);
    }
    if (!Number.isInteger(maxPointsPerVoxel) || maxPointsPerVoxel < 1) {
      throw new InvalidArgumentError(
        'Voxelizer',
        'maxPointsPerVoxel',
        'a positive integer',
        maxPointsPerVoxel,
      );
    }
    if (!Number.isInteger(maxVoxels) || maxVoxels < 1) {
      throw new InvalidArgumentError('Voxelizer', 'maxVoxels', 'a positive integer', maxVoxels);
    }
    this.pointCloudRange = [...pointCloudRange];
    this.voxelSize = [...voxelSize];
    this.maxPointsPerVoxel = maxPointsPerVoxel;
    this.maxVoxels = maxVoxels;
    this.gridSize = gridSizeOf(pointCloudRange, voxelSize);
    const [d, h, w] = this.gridSize;
    this.grid = new Int32Array(d * h * w).fill(-1);
    this.features = new Float32Array(maxVoxels * maxPointsPerVoxel * 7);
    this.numPoints = new Int32Array(maxVoxels);
    this.coords = new Int32Array(maxVoxels * 3);
    this.sums = new Float64Array(maxVoxels * 3);
    this.seen = new Int32Array(maxVoxels);
  }

  /**
   * Voxelizes a cloud (flat N×4 float32: x, y, z, reflectance). With `shuffle` (default), each
   * voxel keeps a uniformly random sample of T of its points drawn from `seed`: by default with
   * reservoir sampling (Vitter's Algorithm R, random numbers only for points of over-full voxels),
   * which gives each voxel the same sample distribution as the paper's shuffle-then-insert (§2.3)
   * without permuting the cloud; `sampling: 'shuffle'` permutes the points first, exactly as the
   * paper (the voxel order and which voxels survive the K cap then also become random).
   * `shuffle: false` keeps the first T points in file order (deterministic, for inference).
   *
   * @throws InvalidArgumentError for a length not divisible by 4, an empty cloud or a non-finite value.
   */
  voxelize(
    points: Float32Array,
    options: { seed?: number; shuffle?: boolean; sampling?: 'reservoir' | 'shuffle'; views?: boolean } = {},
  ): Voxels {
    const { seed = 0, shuffle = true, sampling = 'reservoir', views = false } = options;
    if (!(points instanceof Float32Array)) {
      throw new InvalidArgumentError(
        'voxelize',
        'points',
        'a Float32Array (N×4)',
        Object.prototype.toString.call(points),
      );
    }
    if (points.length % 4 !== 0) {
      throw new InvalidArgumentError(
        'voxelize',
        'points',
        'a flat N×4 array (length divisible by 4)',
        `length ${points.length}`,
      );
    }
    const n = points.length / 4;
    if (n === 0)
      throw new InvalidArgumentError('voxelize', 'points', 'a non-empty cloud', 'an empty cloud (0 points)');
    const T = this.maxPointsPerVoxel;
    const [xmin, ymin, zmin, xmax, ymax, zmax] = this.pointCloudRange;
    const [vx, vy, vz] = this.voxelSize;
    const [, H, W] = this.gridSize;
    const { grid, features, numPoints, coords, sums } = this;
    // clear what the previous call used
    features.fill(0, 0, this.used * T * 7);
    numPoints.fill(0, 0, this.used);
    sums.fill(0, 0, this.used * 3);
    const permute = shuffle && sampling === 'shuffle';
    const reservoir = shuffle && sampling !== 'shuffle';
    const rng = new Random(seed);
    if (permute) {
      if (this.order.length < n) this.order = new Int32Array(n);
      const order = this.order;
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    const order = this.order;
    const seen = this.seen;
    let numVoxels = 0;
    let inRange = 0;
    for (let k = 0; k < n; k++) {
      const p = (permute ? order[k] : k) * 4;
      const x = points[p];
      const y = points[p + 1];
      const z = points[p + 2];
      const r = points[p + 3];
      if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z) && Number.isFinite(r))) {
        throw new InvalidArgumentError('voxelize', `points[${p / 4}]`, 'finite (x, y, z, r)', [x, y, z, r]);
      }
      if (x < xmin || x >= xmax || y < ymin || y >= ymax || z < zmin || z >= zmax) continue;
      inRange++;
      const ix = Math.floor((x - xmin) / vx);
      const iy = Math.floor((y - ymin) / vy);
      const iz = Math.floor((z - zmin) / vz);
      const lin = (iz * H + iy) * W + ix;
      let v = grid[lin];
      if (v < 0) {
        if (numVoxels >= this.maxVoxels) continue;
        v = numVoxels++;
        grid[lin] = v;
        coords[v * 3] = iz;
        coords[v * 3 + 1] = iy;
        coords[v * 3 + 2] = ix;
        seen[v] = 0;
      }
      const c = numPoints[v];
      let slot = c;
      if (c >= T) {
        if (!reservoir) continue;
        // Algorithm R: the (T+m)-th point of the voxel takes a random slot with probability T/(T+m)
        const m = ++seen[v];
        const j = Math.floor(rng.next() * (T + m));
        if (j >= T) continue;
        slot = j;
        const o0 = (v * T + j) * 7;
        sums[v * 3] -= features[o0];
        sums[v * 3 + 1] -= features[o0 + 1];
        sums[v * 3 + 2] -= features[o0 + 2];
      }
      const o = (v * T + slot) * 7;
      features[o] = x;
      features[o + 1] = y;
      features[o + 2] = z;
      features[o + 3] = r;
      sums[v * 3] += x;
      sums[v * 3 + 1] += y;
      sums[v * 3 + 2] += z;
      if (slot === c) numPoints[v] = c + 1;
    }
    for (let v = 0; v < numVoxels; v++) {
      const c = numPoints[v];
      const cx = sums[v * 3] / c;
      const cy = sums[v * 3 + 1] / c;
      const cz = sums[v * 3 + 2] / c;
      for (let i = 0; i < c; i++) {
        const o = (v * T + i) * 7;
        features[o + 4] = features[o] - cx;
        features[o + 5] = features[o + 1] - cy;
        features[o + 6] = features[o + 2] - cz;
      }
      grid[(coords[v * 3] * H + coords[v * 3 + 1]) * W + coords[v * 3 + 2]] = -1;
    }
    this.used = numVoxels;
    const take = <A extends Float32Array | Int32Array>(a: A, len: number): A =>
      (views ? a.subarray(0, len) : a.slice(0, len)) as A;
    return {
      features: take(features, numVoxels * T * 7),
      numPoints: take(numPoints, numVoxels),
      coords: take(coords, numVoxels * 3),
      numVoxels,
      pointsInRange: inRange,
      gridSize: [...this.gridSize],
      maxPointsPerVoxel: T,
    };
  }
}

/** Keeps the points inside `range` [xmin, ymin, zmin, xmax, ymax, zmax] (a new N'×4 array). */
export function cropToRange(points: Float32Array, range: readonly number[]): Float32Array {
  const out = new Float32Array(points.length);
  let m = 0;
  for (let i = 0; i < points.length; i += 4) {
    const x = points[i];
    const y = points[i + 1];
    const z = points[i + 2];
    if (x >= range[0] && x < range[3] && y >= range[1] && y < range[4] && z >= range[2] && z < range[5]) {
      out.set(points.subarray(i, i + 4), m);
      m += 4;
    }
  }
  return out.slice(0, m);
}
