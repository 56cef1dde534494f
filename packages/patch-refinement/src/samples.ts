// LRN training data (Patch Refinement §3.2, "independent training"): the LRN never sees whole
// scenes. Each example is one patch cut around a ground-truth box by a *jittered* proposal — the
// box's centre moved and its heading turned, simulating RPN errors — plus patch-level
// augmentations (object rotation and scaling, point dropout, background mixing), and a share of
// background patches (no object at the centre) so that the confidence learns to reject false
// proposals. Every random choice comes from one seed.
import { InvalidArgumentError, Random } from '@paperstack/voxelnet';
import { boxesToCanonical, pointsToCanonical } from './canonical';
import type { LrnExample } from './lrn';
import { PatchExtractor, patchPoints } from './patch';

/** A training scene: a cloud and its ground-truth LiDAR boxes. */
export interface TrainingScene {
  /** N×4 (x, y, z, reflectance). */
  points: Float32Array;
  /** M×7 LiDAR boxes (x, y, z, dx, dy, dz, heading). */
  boxes: ArrayLike<number>;
}

/** Options of {@link samplePatches}. Every augmentation can be switched off with 0. */
export interface SampleOptions {
  /** Patch region [length, width] (metres). Default [6.4, 6.4] (the PatchExtractor default). */
  patchSize?: readonly [number, number];
  /** z slab of the patches. Default [−3, 1]. */
  zRange?: readonly [number, number];
  /** σ (metres) of the proposal-centre jitter, per BEV axis. Default 0.4. */
  centerNoise?: number;
  /** Proposal heading jitter: uniform in ±this (radians). Default π/8. */
  headingNoise?: number;
  /** Probability that the proposal heading is also turned by π (RPN direction ambiguity). Default 0.5. */
  flipProbability?: number;
  /** Object rotation about its own centre, uniform in ±this (radians). Default π/20. */
  rotation?: number;
  /** Object scaling about its bottom centre, uniform in [1 − s, 1 + s]. Default 0.05. */
  scaling?: number;
  /** Point dropout: each patch drops a fraction of its points drawn uniformly in [0, this]. Default 0.3. */
  dropout?: number;
  /** Probability that the object is pasted into the background of another scene. Default 0.3. */
  backgroundMixing?: number;
  /** Fraction of background examples (patches at random places, no target). Default 0.2. */
  backgroundFraction?: number;
  /** Region [xmin, ymin, xmax, ymax] where background patches are centred. Default the scenes' point extent. */
  backgroundRegion?: readonly [number, number, number, number];
  /** Seed. Default 0. */
  seed?: number;
}

/** Marks points (flat n×4) inside a LiDAR box (7) grown by `margin` in x/y. */
export function pointsInBox(points: ArrayLike<number>, box: ArrayLike<number>, margin = 0): Uint8Array {
  const n = points.length / 4;
  const out = new Uint8Array(n);
  const c = Math.cos(box[6]);
  const s = Math.sin(box[6]);
  const hl = box[3] / 2 + margin;
  const hw = box[4] / 2 + margin;
  const z0 = box[2] - box[5] / 2;
  const z1 = box[2] + box[5] / 2;
  for (let i = 0; i < n; i++) {
    const dx = points[i * 4] - box[0];
    const dy = points[i * 4 + 1] - box[1];
    const z = points[i * 4 + 2];
    if (z < z0 || z > z1) continue;
    const u = c * dx + s * dy;
    const v = -s * dx + c * dy;
    if (Math.abs(u) <= hl && Math.abs(v) <= hw) out[i] = 1;
  }
  return out;
}

/**
 * Samples `count` LRN training examples from `scenes`, in canonical patch coordinates.
 *
 * @throws InvalidArgumentError for no scenes, a scene without a valid cloud / box array, or no
 *   ground-truth box at all while object examples are requested.
 */
export function samplePatches(
  scenes: readonly TrainingScene[],
  count: number,
  options: SampleOptions = {},
): LrnExample[] {
  const {
    patchSize = [6.4, 6.4],
    zRange = [-3, 1],
    centerNoise = 0.4,
    headingNoise = Math.PI / 8,
    flipProbability = 0.5,
    rotation = Math.PI / 20,
    scaling = 0.05,
    dropout = 0.3,
    backgroundMixing = 0.3,
    backgroundFraction = 0.2,
    seed = 0,
  } = options;
  if (!(Number.isInteger(count) && count >= 0))
    throw new InvalidArgumentError('samplePatches', 'count', 'a non-negative integer', count);
  if (scenes.length === 0) throw new InvalidArgumentError('samplePatches', 'scenes', 'at least one scene', 0);
  scenes.forEach((s, i) => {
    if (!(s.points instanceof Float32Array) || s.points.length % 4 !== 0) {
      throw new InvalidArgumentError(
        'samplePatches',
        `scenes[${i}].points`,
        'a Float32Array N×4',
        s.points?.length,
      );
    }
    if (s.boxes.length % 7 !== 0)
      throw new InvalidArgumentError(
        'samplePatches',
        `scenes[${i}].boxes`,
        'a flat M×7 array',
        `length ${s.boxes.length}`,
      );
  });
  const objects: [number, number][] = [];
  scenes.forEach((s, i) => {
    for (let j = 0; j < s.boxes.length / 7; j++) objects.push([i, j]);
  });
  if (objects.length === 0 && backgroundFraction < 1) {
    throw new InvalidArgumentError(
      'samplePatches',
      'scenes',
      'at least one ground-truth box (or backgroundFraction 1)',
      'no boxes',
    );
  }
  const region: readonly number[] = options.backgroundRegion ?? sceneExtent(scenes);
  const rng = new Random(seed);
  const ex = new PatchExtractor({ size: patchSize, zRange });
  const [hl, hw] = [patchSize[0] / 2, patchSize[1] / 2];
  // Plan every patch first (all random draws, in order), then cut each scene's patches with one
  // extract call (one spatial index per scene, not one per patch).
  interface Cut {
    scene: number;
    proposal: number[];
    points?: Float32Array;
    boxes?: Float64Array;
  }
  const cuts: Cut[] = [];
  const plan = (scene: number, proposal: number[]): Cut => {
    const c = { scene, proposal };
    cuts.push(c);
    return c;
  };
  const randomBackground = () =>
    plan(rng.int(scenes.length), [
      rng.uniform(region[0], region[2]),
      rng.uniform(region[1], region[3]),
      0,
      1,
      1,
      1,
      rng.uniform(-Math.PI, Math.PI),
    ]);
  interface Plan {
    main: Cut;
    object: number; // −1: background example
    angle: number;
    scale: number;
    mix: Cut | null;
    drop: number;
  }
  const plans: Plan[] = [];
  for (let k = 0; k < count; k++) {
    if (objects.length === 0 || rng.next() < backgroundFraction) {
      plans.push({
        main: randomBackground(),
        object: -1,
        angle: 0,
        scale: 1,
        mix: null,
        drop: rng.uniform(0, dropout),
      });
      continue;
    }
    const [si, bi] = objects[rng.int(objects.length)];
    const b = scenes[si].boxes;
    const heading =
      b[bi * 7 + 6] + rng.uniform(-headingNoise, headingNoise) + (rng.next() < flipProbability ? Math.PI : 0);
    const main = plan(si, [
      b[bi * 7] + rng.normal(0, centerNoise),
      b[bi * 7 + 1] + rng.normal(0, centerNoise),
      0,
      1,
      1,
      1,
      heading,
    ]);
    const angle = rng.uniform(-rotation, rotation);
    const scale = 1 + rng.uniform(-scaling, scaling);
    const mix = rng.next() < backgroundMixing ? randomBackground() : null;
    plans.push({ main, object: bi, angle, scale, mix, drop: rng.uniform(0, dropout) });
  }
  scenes.forEach((scene, si) => {
    const mine = cuts.filter((c) => c.scene === si);
    if (mine.length === 0) return;
    const patches = ex.extract(
      scene.points,
      mine.flatMap((c) => c.proposal),
    );
    mine.forEach((c, i) => {
      c.points = Float32Array.from(patchPoints(patches, i));
      c.boxes = boxesToCanonical(scene.boxes, {
        cx: c.proposal[0],
        cy: c.proposal[1],
        heading: c.proposal[6],
      });
    });
  });
  const out: LrnExample[] = [];
  for (const p of plans) {
    const patch = { points: p.main.points as Float32Array, boxes: p.main.boxes as Float64Array };
    if (p.object < 0) {
      out.push({
        points: crop(dropPoints(patch.points, p.drop, rng), hl, hw, zRange),
        target: null,
        others: patch.boxes,
      });
      continue;
    }
    const bi = p.object;
    const target = patch.boxes.slice(bi * 7, bi * 7 + 7);
    let others: Float64Array = Float64Array.from([
      ...patch.boxes.subarray(0, bi * 7),
      ...patch.boxes.subarray(bi * 7 + 7),
    ]);
    // split object / background points (the object's box grown by 0.1 m)
    const inObj = pointsInBox(patch.points, target, 0.1);
    let nObj = 0;
    for (let i = 0; i < inObj.length; i++) nObj += inObj[i];
    const obj = new Float32Array(nObj * 4);
    let back: Float32Array = new Float32Array((inObj.length - nObj) * 4);
    for (let i = 0, a = 0, b = 0; i < inObj.length; i++) {
      if (inObj[i]) obj.set(patch.points.subarray(i * 4, i * 4 + 4), 4 * a++);
      else back.set(patch.points.subarray(i * 4, i * 4 + 4), 4 * b++);
    }
    // object rotation about its centre, scaling about its bottom centre
    if (p.angle !== 0 || p.scale !== 1) {
      const [cx, cy, cz] = [target[0], target[1], target[2] - target[5] / 2];
      const rel = pointsToCanonical(obj, { cx, cy, heading: -p.angle });
      for (let i = 0; i < rel.length; i += 4) {
        obj[i] = cx + p.scale * rel[i];
        obj[i + 1] = cy + p.scale * rel[i + 1];
        obj[i + 2] = cz + p.scale * (obj[i + 2] - cz);
      }
      target[6] += p.angle;
      target[3] *= p.scale;
      target[4] *= p.scale;
      target[5] *= p.scale;
      target[2] = cz + target[5] / 2;
    }
    if (p.mix) {
      // background mixing: the object goes into another place's background, whose own points
      // near the pasted object are cleared
      const bgPoints = p.mix.points as Float32Array;
      const clear = pointsInBox(bgPoints, target, 0.3);
      let m = 0;
      const kept = new Float32Array(bgPoints.length);
      for (let i = 0; i < clear.length; i++)
        if (!clear[i]) kept.set(bgPoints.subarray(i * 4, i * 4 + 4), 4 * m++);
      back = kept.subarray(0, m * 4);
      others = p.mix.boxes as Float64Array;
    }
    const merged = new Float32Array(obj.length + back.length);
    merged.set(obj, 0);
    merged.set(back, obj.length);
    out.push({
      points: crop(dropPoints(merged, p.drop, rng), hl, hw, zRange),
      target: Float64Array.from(target),
      others,
    });
  }
  return out;
}

/** Drops each point with probability `p` (a new array). */
function dropPoints(points: Float32Array, p: number, rng: Random): Float32Array {
  if (p <= 0) return points;
  const out = new Float32Array(points.length);
  let m = 0;
  for (let i = 0; i < points.length; i += 4) {
    if (rng.next() >= p) {
      out.set(points.subarray(i, i + 4), m);
      m += 4;
    }
  }
  return out.slice(0, m);
}

/** Keeps the points inside the canonical region (augmentations may move some out). */
function crop(points: Float32Array, hl: number, hw: number, zRange: readonly [number, number]): Float32Array {
  const out = new Float32Array(points.length);
  let m = 0;
  for (let i = 0; i < points.length; i += 4) {
    const u = points[i];
    const v = points[i + 1];
    const z = points[i + 2];
    if (u >= -hl && u < hl && v >= -hw && v < hw && z >= zRange[0] && z < zRange[1]) {
      out.set(points.subarray(i, i + 4), m);
      m += 4;
    }
  }
  return out.slice(0, m);
}

/** The scenes' extent in the ground plane, `[xMin, yMin, xMax, yMax]` over every point. */
export function sceneExtent(scenes: readonly TrainingScene[]): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const s of scenes) {
    for (let i = 0; i < s.points.length; i += 4) {
      x0 = Math.min(x0, s.points[i]);
      x1 = Math.max(x1, s.points[i]);
      y0 = Math.min(y0, s.points[i + 1]);
      y1 = Math.max(y1, s.points[i + 1]);
    }
  }
  return [x0, y0, x1, y1];
}
