// Patch extraction (Patch Refinement §3): around every BEV proposal, the points inside a fixed-size
// region — a rectangle of `size` (length along the proposal's heading × width across it) centred
// on the proposal, over a z slab — are cropped and moved into the proposal's canonical frame
// (`canonical.ts`). The region is half-open, −L/2 ≤ u < L/2, −W/2 ≤ v < W/2, zmin ≤ z < zmax, the
// same convention as the voxelizer's range, so every patch point falls in the LRN's voxel grid.
//
// Implementation: one counting sort of the cloud into a coarse bird's-eye-view grid (typed arrays,
// no per-point allocation), then, per proposal, an exact test of the points in the grid cells
// that the rotated region's bounding box touches.
import { InvalidArgumentError } from '@paperstack/voxelnet';
import { frameOf } from './canonical';

/** Options of {@link PatchExtractor}. */
export interface PatchOptions {
  /**
   * Region [length along the heading, width across it] in metres. Default [6.4, 6.4]: a car
   * (≤ 4.6 m × 1.85 m in the synthetic scenes, ≈ 5 m in KITTI) plus about 1 m of proposal error
   * on every side, and a square so that a proposal whose heading is off by 90° still covers it.
   */
  size?: readonly [number, number];
  /** z slab [zmin, zmax) in the LiDAR frame, metres. Default [−3, 1] (VoxelNet's car range). */
  zRange?: readonly [number, number];
  /** Edge of the bird's-eye-view search grid, metres. Default 2. */
  cellSize?: number;
}

/** The patches of one cloud: P patches, concatenated. */
export interface Patches {
  /** Canonical points (u, v, z, reflectance) of every patch, flat (Σnᵢ)×4. */
  points: Float32Array;
  /** `[P + 1]`: patch i holds points `offsets[i] … offsets[i + 1] − 1`. */
  offsets: Int32Array;
  /** [Σnᵢ] index of each patch point in the input cloud. */
  indices: Int32Array;
  /** The proposals (P×7, float64) whose frames the patches are in. */
  proposals: Float64Array;
  numPatches: number;
}

/** Points of patch `i` (a view into `patches.points`, n×4). */
export function patchPoints(patches: Patches, i: number): Float32Array {
  if (!(Number.isInteger(i) && i >= 0 && i < patches.numPatches)) {
    throw new InvalidArgumentError('patchPoints', 'i', `an integer in [0, ${patches.numPatches})`, i);
  }
  return patches.points.subarray(patches.offsets[i] * 4, patches.offsets[i + 1] * 4);
}

/** Grows a typed array to hold at least `n` elements (doubling), keeping its contents. */
function grow<A extends Float32Array | Int32Array>(a: A, n: number): A {
  if (a.length >= n) return a;
  const b = new (a.constructor as new (len: number) => A)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Crops fixed-size regions around proposals into canonical patches.
 *
 * @example
 * const ex = new PatchExtractor({ size: [6.4, 6.4] });
 * const patches = ex.extract(points, proposals); // points N×4, proposals P×7 (LiDAR boxes)
 * patchPoints(patches, 0); // canonical points of the first proposal
 */
export class PatchExtractor {
  readonly size: [number, number];
  readonly zRange: [number, number];
  readonly cellSize: number;
  // reused buffers
  private cellOf = new Int32Array(0);
  private sorted = new Int32Array(0);
  private outPoints = new Float32Array(0);
  private outIndices = new Int32Array(0);

  constructor(options: PatchOptions = {}) {
    const { size = [6.4, 6.4], zRange = [-3, 1], cellSize = 2 } = options;
    if (
      size.length !== 2 ||
      !(size[0] > 0 && size[1] > 0 && Number.isFinite(size[0]) && Number.isFinite(size[1]))
    ) {
      throw new InvalidArgumentError('PatchExtractor', 'size', '[length, width] finite and positive', size);
    }
    if (
      zRange.length !== 2 ||
      !(zRange[1] > zRange[0]) ||
      !Number.isFinite(zRange[0]) ||
      !Number.isFinite(zRange[1])
    ) {
      throw new InvalidArgumentError(
        'PatchExtractor',
        'zRange',
        '[zmin, zmax] finite with zmax > zmin',
        zRange,
      );
    }
    if (!(cellSize > 0 && Number.isFinite(cellSize))) {
      throw new InvalidArgumentError('PatchExtractor', 'cellSize', 'a finite positive number', cellSize);
    }
    this.size = [size[0], size[1]];
    this.zRange = [zRange[0], zRange[1]];
    this.cellSize = cellSize;
  }

  /** The canonical region as a voxelizer range [−L/2, −W/2, zmin, L/2, W/2, zmax]. */
  get range(): number[] {
    const [L, W] = this.size;
    return [-L / 2, -W / 2, this.zRange[0], L / 2, W / 2, this.zRange[1]];
  }

  /**
   * Extracts one patch per proposal. `points`: flat N×4 float32 (x, y, z, reflectance), LiDAR
   * frame; `proposals`: flat P×7 LiDAR boxes (only x, y and heading are used). Proposals whose
   * region holds no point give empty patches; P = 0 gives no patches.
   *
   * @throws InvalidArgumentError for a points array that is not N×4 float32 or holds a non-finite
   *   value, or proposals that are not P×7 finite numbers.
   */
  extract(points: Float32Array, proposals: ArrayLike<number>): Patches {
    if (!(points instanceof Float32Array)) {
      throw new InvalidArgumentError(
        'PatchExtractor.extract',
        'points',
        'a Float32Array (N×4)',
        Object.prototype.toString.call(points),
      );
    }
    if (points.length % 4 !== 0) {
      throw new InvalidArgumentError(
        'PatchExtractor.extract',
        'points',
        'a flat N×4 array (length divisible by 4)',
        `length ${points.length}`,
      );
    }
    if (proposals.length % 7 !== 0) {
      throw new InvalidArgumentError(
        'PatchExtractor.extract',
        'proposals',
        'a flat P×7 array',
        `length ${proposals.length}`,
      );
    }
    const P = proposals.length / 7;
    for (let i = 0; i < proposals.length; i++) {
      if (!Number.isFinite(proposals[i])) {
        throw new InvalidArgumentError(
          'PatchExtractor.extract',
          `proposals[${Math.floor(i / 7)}]`,
          'finite numbers',
          Array.from(proposals).slice(i - (i % 7), i - (i % 7) + 7),
        );
      }
    }
    const n = points.length / 4;
    // bounding box of the cloud (finite check on the way)
    let xmin = Infinity;
    let ymin = Infinity;
    let xmax = -Infinity;
    let ymax = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = points[i * 4];
      const y = points[i * 4 + 1];
      if (
        !(
          Number.isFinite(x) &&
          Number.isFinite(y) &&
          Number.isFinite(points[i * 4 + 2]) &&
          Number.isFinite(points[i * 4 + 3])
        )
      ) {
        throw new InvalidArgumentError(
          'PatchExtractor.extract',
          `points[${i}]`,
          'finite (x, y, z, r)',
          Array.from(points.subarray(i * 4, i * 4 + 4)),
        );
      }
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
    }
    const offsets = new Int32Array(P + 1);
    if (n === 0 || P === 0) {
      return {
        points: new Float32Array(0),
        offsets,
        indices: new Int32Array(0),
        proposals: Float64Array.from(proposals),
        numPatches: P,
      };
    }
    // BEV grid: at most 512 × 512 cells (a far outlier widens the cells instead of the grid)
    const cs = Math.max(this.cellSize, (xmax - xmin) / 512, (ymax - ymin) / 512);
    const gw = Math.floor((xmax - xmin) / cs) + 1;
    const gh = Math.floor((ymax - ymin) / cs) + 1;
    const starts = new Int32Array(gw * gh + 1);
    this.cellOf = grow(this.cellOf, n);
    this.sorted = grow(this.sorted, n);
    const { cellOf, sorted } = this;
    for (let i = 0; i < n; i++) {
      const c =
        Math.min(gh - 1, Math.floor((points[i * 4 + 1] - ymin) / cs)) * gw +
        Math.min(gw - 1, Math.floor((points[i * 4] - xmin) / cs));
      cellOf[i] = c;
      starts[c + 1]++;
    }
    for (let c = 0; c < gw * gh; c++) starts[c + 1] += starts[c];
    const fill = starts.slice(0, gw * gh);
    for (let i = 0; i < n; i++) sorted[fill[cellOf[i]]++] = i;

    const [L, W] = this.size;
    const hl = L / 2;
    const hw = W / 2;
    const [z0, z1] = this.zRange;
    let m = 0;
    for (let p = 0; p < P; p++) {
      const { cx, cy, heading } = frameOf(proposals, p);
      const c = Math.cos(heading);
      const s = Math.sin(heading);
      const ex = Math.abs(c) * hl + Math.abs(s) * hw;
      const ey = Math.abs(s) * hl + Math.abs(c) * hw;
      const i0 = Math.max(0, Math.floor((cx - ex - xmin) / cs));
      const i1 = Math.min(gw - 1, Math.floor((cx + ex - xmin) / cs));
      const j0 = Math.max(0, Math.floor((cy - ey - ymin) / cs));
      const j1 = Math.min(gh - 1, Math.floor((cy + ey - ymin) / cs));
      for (let j = j0; j <= j1; j++) {
        for (let i = i0; i <= i1; i++) {
          const cell = j * gw + i;
          for (let k = starts[cell]; k < starts[cell + 1]; k++) {
            const q = sorted[k];
            const z = points[q * 4 + 2];
            if (z < z0 || z >= z1) continue;
            const dx = points[q * 4] - cx;
            const dy = points[q * 4 + 1] - cy;
            const u = c * dx + s * dy;
            if (u < -hl || u >= hl) continue;
            const v = -s * dx + c * dy;
            if (v < -hw || v >= hw) continue;
            if (m * 4 + 4 > this.outPoints.length) this.outPoints = grow(this.outPoints, m * 4 + 4);
            if (m + 1 > this.outIndices.length) this.outIndices = grow(this.outIndices, m + 1);
            const o = m * 4;
            this.outPoints[o] = u;
            this.outPoints[o + 1] = v;
            this.outPoints[o + 2] = z;
            this.outPoints[o + 3] = points[q * 4 + 3];
            this.outIndices[m] = q;
            m++;
          }
        }
      }
      offsets[p + 1] = m;
    }
    return {
      points: this.outPoints.slice(0, m * 4),
      offsets,
      indices: this.outIndices.slice(0, m),
      proposals: Float64Array.from(proposals),
      numPatches: P,
    };
  }
}
