// A synthetic LiDAR scene generator for tests, demos and training at small scale: a ground plane,
// car-like objects (a body and a cabin), clutter (poles, walls, bushes), seen by a ray-cast
// 64-beam spinning LiDAR at 1.73 m (KITTI's HDL-64E mounting height) — so occlusion, shadows and
// point density fall-off are real. Cars come with KITTI labels (camera frame, 2D box through P2,
// truncation and occlusion levels) for the official metric.
import { InvalidArgumentError } from './errors';
import { rotatedOverlapArea } from './geometry/rotated-iou';
import { cameraBoxesToImageBoxes, lidarBoxesToCamera, limitPeriod } from './kitti/boxes';
import { defaultCalib, type KittiCalib } from './kitti/calib';
import type { KittiObject } from './kitti/labels';
import { Random } from './util/random';

/** Options of {@link generateScene}. */
export interface SceneOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Region [xmin, ymin, zmin, xmax, ymax, zmax] in which cars and clutter are placed. Default the small preset's. */
  range?: readonly number[];
  /** Number of cars, inclusive range. Default [2, 6]. */
  cars?: [number, number];
  /** Number of clutter objects. Default 6. */
  clutter?: number;
  /**
   * Buildings: façades 4–12 m tall, 6–20 m long, roughly parallel to the x axis, beside the cars
   * (|y| ≥ 6 m at their centre). Default 0 (with `trees`, the vertical structure of real streets
   * that the default scenes lack).
   */
  buildings?: number;
  /** Trees: a trunk 1.5–3 m tall under a crown 2–5 m wide and 1.5–4 m deep. Default 0. */
  trees?: number;
  /** Laser beams (elevations −24.8° … +2°, as the HDL-64E). Default 64. */
  beams?: number;
  /** Azimuth step in degrees. Default 0.2. */
  azimuthStep?: number;
  /** Range noise σ in metres. Default 0.02. */
  noise?: number;
  /** Calibration used for the labels. Default {@link defaultCalib}. */
  calib?: KittiCalib;
}

/** A generated scene. */
export interface Scene {
  /** N×4 (x, y, z, reflectance), LiDAR frame. */
  points: Float32Array;
  /** Cars with at least 5 points, as LiDAR boxes M×7 — the training targets. */
  boxes: Float64Array;
  /** KITTI labels of every car (camera frame; occluded = 3 for cars with < 5 points). */
  labels: KittiObject[];
  /** Points on each labelled car. */
  carPoints: number[];
  calib: KittiCalib;
}

const LIDAR_HEIGHT = 1.73;
const GROUND_Z = -LIDAR_HEIGHT;

interface Solid {
  box: number[]; // x, y, z, dx, dy, dz, heading
  owner: number; // car index, or −1 for clutter
  reflect: number;
}

/**
 * A solid's box, prepared once for the ray casting: heading cosine and sine, the LiDAR origin in the
 * box frame, half extents, and a bounding sphere for rejecting rays that pass far from it.
 */
interface RayBox {
  c: number;
  s: number;
  ox: number;
  oy: number;
  oz: number;
  hx: number;
  hy: number;
  hz: number;
  cx: number;
  cy: number;
  cz: number;
  /** Squared bounding-sphere radius, with a margin so that the rejection never drops a hit. */
  r2: number;
}

function rayBox(b: number[]): RayBox {
  const c = Math.cos(b[6]);
  const s = Math.sin(b[6]);
  const hx = b[3] / 2;
  const hy = b[4] / 2;
  const hz = b[5] / 2;
  return {
    c,
    s,
    // ray origin at 0: origin in box frame
    ox: c * -b[0] + s * -b[1],
    oy: -s * -b[0] + c * -b[1],
    oz: -b[2],
    hx,
    hy,
    hz,
    cx: b[0],
    cy: b[1],
    cz: b[2],
    r2: (hx * hx + hy * hy + hz * hz) * (1 + 1e-6) + 1e-9,
  };
}

/** The ray's parameter interval inside the slabs clipped so far. */
const slab = { t0: 0, t1: Infinity };
/** Narrows {@link slab} to one axis's slab |o + t·r| ≤ h; false when the ray misses it. */
function clipSlab(r: number, o: number, h: number): boolean {
  if (Math.abs(r) < 1e-12) return Math.abs(o) <= h;
  let a = (-h - o) / r;
  let bb = (h - o) / r;
  if (a > bb) [a, bb] = [bb, a];
  slab.t0 = Math.max(slab.t0, a);
  slab.t1 = Math.min(slab.t1, bb);
  return slab.t0 <= slab.t1;
}

/** Ray–box intersection (slab test in the box frame) for a unit direction: entry distance or Infinity. */
function hitBox(dx: number, dy: number, dz: number, b: RayBox): number {
  // The ray's line passes farther from the box centre than the bounding sphere's radius: no hit.
  const tc = dx * b.cx + dy * b.cy + dz * b.cz;
  if (b.cx * b.cx + b.cy * b.cy + b.cz * b.cz - tc * tc > b.r2) return Infinity;
  slab.t0 = 0;
  slab.t1 = Infinity;
  if (!clipSlab(b.c * dx + b.s * dy, b.ox, b.hx)) return Infinity;
  if (!clipSlab(-b.s * dx + b.c * dy, b.oy, b.hy)) return Infinity;
  if (!clipSlab(dz, b.oz, b.hz)) return Infinity;
  return slab.t0 > 0 ? slab.t0 : Infinity;
}

/** Generates one scene; the same seed gives the same scene. */
export function generateScene(options: SceneOptions): Scene {
  const {
    seed,
    range = [0, -12.8, -3, 25.6, 12.8, 1],
    cars = [2, 6],
    clutter = 6,
    buildings = 0,
    trees = 0,
    beams = 64,
    azimuthStep = 0.2,
    noise = 0.02,
    calib = defaultCalib(),
  } = options;
  if (!Number.isFinite(seed))
    throw new InvalidArgumentError('generateScene', 'seed', 'a finite number', seed);
  for (const [name, n] of [
    ['buildings', buildings],
    ['trees', trees],
  ] as const)
    if (!(Number.isInteger(n) && n >= 0))
      throw new InvalidArgumentError('generateScene', name, 'a non-negative integer', n);
  const rng = new Random(seed);
  const placed: number[][] = [];
  const fits = (b: number[], margin: number) =>
    placed.every(
      (p) =>
        rotatedOverlapArea(
          b[0],
          b[1],
          b[3] + margin,
          b[4] + margin,
          b[6],
          p[0],
          p[1],
          p[3] + margin,
          p[4] + margin,
          p[6],
        ) === 0,
    );
  const solids: Solid[] = [];
  const carBoxes: number[][] = [];
  const nCars = cars[0] + rng.int(cars[1] - cars[0] + 1);
  for (let tries = 0; carBoxes.length < nCars && tries < 200; tries++) {
    const l = rng.uniform(3.5, 4.6);
    const w = rng.uniform(1.5, 1.85);
    const h = rng.uniform(1.4, 1.7);
    const b = [
      rng.uniform(range[0] + 3, range[3] - 1),
      rng.uniform(range[1] + 1.5, range[4] - 1.5),
      GROUND_Z + h / 2,
      l,
      w,
      h,
      rng.uniform(-Math.PI, Math.PI),
    ];
    if (!fits(b, 0.6)) continue;
    placed.push(b);
    const idx = carBoxes.length;
    carBoxes.push(b);
    const reflect = rng.uniform(0.2, 0.9);
    // body: full footprint, lower 55 %; cabin: 55 % of the length, set back, upper 45 %, slightly narrower
    const c = Math.cos(b[6]);
    const s = Math.sin(b[6]);
    const back = -0.08 * l;
    solids.push({
      box: [b[0], b[1], GROUND_Z + 0.3 + (0.55 * h - 0.3) / 2, l, w, 0.55 * h - 0.3, b[6]],
      owner: idx,
      reflect,
    });
    solids.push({
      box: [
        b[0] + c * back,
        b[1] + s * back,
        GROUND_Z + 0.55 * h + 0.225 * h,
        0.55 * l,
        0.92 * w,
        0.45 * h,
        b[6],
      ],
      owner: idx,
      reflect: reflect * 0.5,
    });
    // wheels region: a narrower block under the body
    solids.push({
      box: [b[0], b[1], GROUND_Z + 0.15, 0.8 * l, 0.9 * w, 0.3, b[6]],
      owner: idx,
      reflect: 0.05,
    });
  }
  for (let k = 0, tries = 0; k < clutter && tries < 200; tries++) {
    const kind = rng.int(3);
    const dims =
      kind === 0
        ? [0.3, 0.3, rng.uniform(2, 4)]
        : kind === 1
          ? [rng.uniform(3, 10), 0.3, rng.uniform(0.8, 2)]
          : [rng.uniform(0.8, 2), rng.uniform(0.8, 2), rng.uniform(0.6, 1.8)];
    const b = [
      rng.uniform(range[0] + 2, range[3]),
      rng.uniform(range[1], range[4]),
      GROUND_Z + dims[2] / 2,
      ...dims,
      rng.uniform(-Math.PI, Math.PI),
    ];
    if (!fits(b, 0.4)) continue;
    placed.push(b);
    solids.push({ box: b, owner: -1, reflect: rng.uniform(0.1, 0.6) });
    k++;
  }
  // Buildings and trees are drawn after everything else, so scenes without them are unchanged.
  for (let k = 0, tries = 0; k < buildings && tries < 200; tries++) {
    const side = rng.next() < 0.5 ? -1 : 1;
    const dims = [rng.uniform(6, 20), rng.uniform(3, 8), rng.uniform(4, 12)];
    const b = [
      rng.uniform(range[0], range[3] + 5),
      side * rng.uniform(6, Math.max(Math.abs(range[1]), Math.abs(range[4])) + 4),
      GROUND_Z + dims[2] / 2,
      ...dims,
      rng.uniform(-0.3, 0.3),
    ];
    if (!fits(b, 0.8)) continue;
    placed.push(b);
    solids.push({ box: b, owner: -1, reflect: rng.uniform(0.05, 0.5) });
    k++;
  }
  for (let k = 0, tries = 0; k < trees && tries < 200; tries++) {
    const trunk = rng.uniform(1.5, 3);
    const crown = rng.uniform(2, 5);
    const depth = rng.uniform(1.5, 4);
    const x = rng.uniform(range[0] + 2, range[3] + 3);
    const y = rng.uniform(range[1] - 2, range[4] + 2);
    const b = [x, y, GROUND_Z + trunk + depth / 2, crown, crown, depth, rng.uniform(-Math.PI, Math.PI)];
    if (!fits(b, 0.4)) continue;
    placed.push(b);
    solids.push({ box: [x, y, GROUND_Z + trunk / 2, 0.4, 0.4, trunk, b[6]], owner: -1, reflect: 0.2 });
    solids.push({ box: b, owner: -1, reflect: rng.uniform(0.05, 0.4) });
    k++;
  }
  // ray casting over the azimuth span that covers the range
  const corners = [
    [range[0], range[1]],
    [range[0], range[4]],
    [range[3], range[1]],
    [range[3], range[4]],
  ];
  const azs = corners.map(([x, y]) => Math.atan2(y, Math.max(x, 0.1)));
  const azMin = Math.max(-Math.PI, Math.min(...azs) - 0.05);
  const azMax = Math.min(Math.PI, Math.max(...azs) + 0.05);
  const step = (azimuthStep * Math.PI) / 180;
  const rayBoxes = solids.map((sol) => rayBox(sol.box));
  const pts: number[] = [];
  const visible = new Array(carBoxes.length).fill(0);
  const potential = new Array(carBoxes.length).fill(0);
  const seenBy = new Array(carBoxes.length).fill(-1);
  let ray = 0;
  const maxRange = Math.hypot(range[3], Math.max(Math.abs(range[1]), Math.abs(range[4]))) + 5;
  const groundReflect = 0.15;
  for (let bi = 0; bi < beams; bi++) {
    const el = ((2 - (26.8 * bi) / (beams - 1)) * Math.PI) / 180;
    const ce = Math.cos(el);
    const dz = Math.sin(el);
    for (let az = azMin; az <= azMax; az += step) {
      const dx = ce * Math.cos(az);
      const dy = ce * Math.sin(az);
      let best = dz < 0 ? GROUND_Z / dz : Infinity;
      let owner = -2;
      let reflect = groundReflect;
      ray++;
      for (let si = 0; si < solids.length; si++) {
        const sol = solids[si];
        const t = hitBox(dx, dy, dz, rayBoxes[si]);
        if (t === Infinity) continue;
        // a car counts once per ray that reaches it (body, cabin or wheels)
        if (sol.owner >= 0 && seenBy[sol.owner] !== ray) {
          seenBy[sol.owner] = ray;
          potential[sol.owner]++;
        }
        if (t < best) {
          best = t;
          owner = sol.owner;
          reflect = sol.reflect;
        }
      }
      if (best > maxRange || rng.next() < 0.05) continue;
      if (owner >= 0) visible[owner]++;
      const t = best + rng.normal(0, noise);
      pts.push(dx * t, dy * t, dz * t, Math.min(0.99, Math.max(0, reflect + rng.normal(0, 0.05))));
    }
  }
  const points = Float32Array.from(pts);
  // labels
  const flat = carBoxes.flat().map((v, i) => (i % 7 === 6 ? limitPeriod(v) : v));
  const cam = lidarBoxesToCamera(flat, calib);
  const img = cameraBoxesToImageBoxes(cam, calib);
  const unclipped = cameraBoxesToImageBoxes(cam, calib, [1e6, 1e6]);
  const labels: KittiObject[] = [];
  const trainBoxes: number[] = [];
  carBoxes.forEach((_, i) => {
    const [x, y, z, l, h, w, ry] = Array.from(cam.subarray(i * 7, i * 7 + 7));
    const area = (a: Float64Array) =>
      Math.max(0, a[i * 4 + 2] - a[i * 4]) * Math.max(0, a[i * 4 + 3] - a[i * 4 + 1]);
    const full = area(unclipped);
    const behind = z <= 0.5;
    const truncated = behind || full <= 0 ? 1 : Math.min(1, Math.max(0, 1 - area(img) / full));
    const ratio = potential[i] ? visible[i] / potential[i] : 0;
    const occluded = visible[i] < 5 ? 3 : ratio >= 0.8 ? 0 : ratio >= 0.4 ? 1 : 2;
    labels.push({
      type: 'Car',
      truncated: +truncated.toFixed(2),
      occluded,
      alpha: limitPeriod(ry - Math.atan2(x, z)),
      bbox: [img[i * 4], img[i * 4 + 1], img[i * 4 + 2], img[i * 4 + 3]],
      dimensions: [h, w, l],
      location: [x, y, z],
      rotationY: ry,
    });
    if (visible[i] >= 5) trainBoxes.push(...flat.slice(i * 7, i * 7 + 7));
  });
  return { points, boxes: Float64Array.from(trainBoxes), labels, carPoints: visible, calib };
}
