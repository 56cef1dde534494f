import { normal, uniform } from '../random';
import type { MilDataset } from './dataset';

/** Options of {@link syntheticCorelMil}. Defaults mimic the size of Elephant/Fox/Tiger. */
export interface SyntheticMilOptions {
  name?: string;
  /** Bags, half positive. Default 200. */
  numBags?: number;
  /** Features. Default 230 (Blobworld colour/texture/shape descriptors). */
  dim?: number;
  /** Instances per bag, uniform in [min, max]. Default [2, 13] (Elephant: 1391 instances in 200 bags). */
  minInstances?: number;
  maxInstances?: number;
  /** Background segment types (clusters) shared by both classes. Default 12. */
  numClusters?: number;
  /** Witness segment types (the object). Default 2. */
  numWitnessClusters?: number;
  /** Expected fraction of witness instances in a positive bag (at least one always). Default 0.3. */
  witnessRate?: number;
  /**
   * How far a witness type lies from the background type it resembles: 0 = identical (the task is
   * impossible), 1 = an unrelated direction. Default 0.5.
   */
  separation?: number;
  /** Instance noise around its type centre (per feature std, centres have unit-scale features). Default 0.6. */
  noise?: number;
  /** Fraction of features that are exactly 0 in every centre (sparse descriptors). Default 0.3. */
  sparsity?: number;
  seed?: number;
}

/**
 * A synthetic MIL benchmark shaped like the Corel image tasks (Elephant, Fox, Tiger): each image
 * (bag) is a set of segments (instances) drawn from shared background segment types; positive bags
 * also contain segments of witness types (the animal), each witness type a perturbed copy of one
 * background type, so that witnesses are close to (but not on) background segments. Instance
 * labels mark the witnesses. Used for tests and for the benchmark when the real files are absent.
 */
export function syntheticCorelMil(opts: SyntheticMilOptions = {}): MilDataset {
  const {
    name = 'synthetic-corel',
    numBags = 200,
    dim = 230,
    minInstances = 2,
    maxInstances = 13,
    numClusters = 12,
    numWitnessClusters = 2,
    witnessRate = 0.3,
    separation = 0.5,
    noise = 0.6,
    sparsity = 0.3,
    seed = 0,
  } = opts;
  if (!(numBags >= 2) || !(minInstances >= 1) || !(maxInstances >= minInstances) || !(dim >= 1)) {
    throw new Error(
      `syntheticCorelMil: need numBags ≥ 2, 1 ≤ minInstances ≤ maxInstances, dim ≥ 1; received ${numBags}, ${minInstances}, ${maxInstances}, ${dim}`,
    );
  }
  if (!(separation >= 0 && separation <= 1))
    throw new Error(`syntheticCorelMil: separation must be in [0, 1], received ${separation}`);
  const r = uniform(seed);
  const g = normal(seed + 1);
  const zero = Uint8Array.from({ length: dim }, () => (r() < sparsity ? 1 : 0));
  const centre = () => Float32Array.from({ length: dim }, (_, j) => (zero[j] ? 0 : Math.abs(g()) + 0.2));
  const background = Array.from({ length: numClusters }, centre);
  const witness = Array.from({ length: numWitnessClusters }, (_, k) => {
    const base = background[k % numClusters];
    const other = centre();
    return Float32Array.from({ length: dim }, (_, j) => (1 - separation) * base[j] + separation * other[j]);
  });
  const draw = (c: Float32Array) =>
    Float32Array.from({ length: dim }, (_, j) => (zero[j] ? 0 : Math.max(0, c[j] + noise * g())));
  const bags: Float32Array[] = [];
  const instanceLabels: Int32Array[] = [];
  const labels = new Int32Array(numBags);
  for (let b = 0; b < numBags; b++) {
    const positive = b % 2 === 0;
    const n = minInstances + Math.floor(r() * (maxInstances - minInstances + 1));
    const x = new Float32Array(n * dim);
    const inst = new Int32Array(n);
    const forced = positive ? Math.floor(r() * n) : -1;
    for (let i = 0; i < n; i++) {
      const isWitness = positive && (i === forced || r() < witnessRate);
      const c = isWitness
        ? witness[Math.floor(r() * numWitnessClusters)]
        : background[Math.floor(r() * numClusters)];
      x.set(draw(c), i * dim);
      inst[i] = isWitness ? 1 : 0;
    }
    bags.push(x);
    instanceLabels.push(inst);
    labels[b] = positive ? 1 : 0;
  }
  return {
    name,
    dim,
    bags,
    labels,
    bagIds: Array.from({ length: numBags }, (_, b) => String(b + 1)),
    instanceLabels,
    instanceIds: (() => {
      let id = 0;
      return instanceLabels.map((inst) => Array.from(inst, () => String(++id)));
    })(),
  };
}

/** Three synthetic stand-ins of increasing difficulty, named after the Corel tasks they imitate in size. */
export const SYNTHETIC_COREL_PRESETS: Record<string, SyntheticMilOptions> = {
  'elephant-like': { name: 'elephant-like', separation: 0.5, witnessRate: 0.3, seed: 1 },
  'tiger-like': { name: 'tiger-like', separation: 0.35, witnessRate: 0.25, seed: 2 },
  'fox-like': { name: 'fox-like', separation: 0.2, witnessRate: 0.2, seed: 3 },
};
