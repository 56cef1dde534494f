import { uniform } from '../random';
import type { MilDataset } from './dataset';

/** Options of {@link bitPatternSet}, named and defaulted as hflayers' `BitPatternSet`. */
export interface BitPatternOptions {
  numBags: number;
  numInstances: number;
  /** Distinct signal patterns (≥ 1, < 2^numBits − 1). */
  numSignals: number;
  /** Signals implanted per positive bag. Default 1. */
  numSignalsPerBag?: number;
  /** Fraction of positive bags, in (0, 1). Default 0.5. */
  fractionTargets?: number;
  /** Bits per instance. Default 8. */
  numBits?: number;
  /** Seed of the signal patterns. Default 43 (as hflayers). */
  seedSignals?: number;
  /** Seed of the bags. Default 44 (as hflayers). */
  seedData?: number;
}

/**
 * The bit-pattern MIL task of hflayers' examples (`hflayers.auxiliary.data.BitPatternSet`, same
 * construction, our seeded RNG): every instance is a random non-zero bit vector that is not a
 * signal; the first ⌈fractionTargets·numBags⌉ bags are positive and carry `numSignalsPerBag`
 * signal patterns at distinct random positions. Returns the dataset and the signal patterns.
 */
export function bitPatternSet(opts: BitPatternOptions): MilDataset & { signals: Uint8Array[] } {
  const {
    numBags,
    numInstances,
    numSignals,
    numSignalsPerBag = 1,
    fractionTargets = 0.5,
    numBits = 8,
    seedSignals = 43,
    seedData = 44,
  } = opts;
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min)
      throw new Error(`bitPatternSet: ${name} must be an integer ≥ ${min}, received ${v}`);
  };
  int('numBags', numBags, 1);
  int('numInstances', numInstances, 1);
  int('numSignals', numSignals, 1);
  int('numBits', numBits, 1);
  int('numSignalsPerBag', numSignalsPerBag, 0);
  if (numSignalsPerBag > numInstances) {
    throw new Error(
      `bitPatternSet: numSignalsPerBag (${numSignalsPerBag}) exceeds numInstances (${numInstances})`,
    );
  }
  if (!(fractionTargets > 0 && fractionTargets < 1)) {
    throw new Error(`bitPatternSet: fractionTargets must be in (0, 1), received ${fractionTargets}`);
  }
  if (2 ** numBits - 1 <= numSignals) {
    throw new Error(
      `bitPatternSet: numSignals (${numSignals}) must be smaller than 2^numBits − 1 (${2 ** numBits - 1})`,
    );
  }
  const code = (bits: ArrayLike<number>) => {
    let c = 0;
    for (let j = 0; j < numBits; j++) c = c * 2 + bits[j];
    return c;
  };
  const randomBits = (r: () => number) => Uint8Array.from({ length: numBits }, () => (r() < 0.5 ? 0 : 1));

  // distinct, non-zero signals
  const rs = uniform(seedSignals);
  const signals: Uint8Array[] = [];
  const signalCodes = new Set<number>();
  while (signals.length < numSignals) {
    const s = randomBits(rs);
    const c = code(s);
    if (c !== 0 && !signalCodes.has(c)) {
      signalCodes.add(c);
      signals.push(s);
    }
  }

  const rd = uniform(seedData);
  const numTargets = Math.min(numBags, Math.max(1, Math.ceil(numBags * fractionTargets)));
  const bags: Float32Array[] = [];
  const instanceLabels: Int32Array[] = [];
  for (let b = 0; b < numBags; b++) {
    const bag = new Float32Array(numInstances * numBits);
    for (let i = 0; i < numInstances; i++) {
      let s: Uint8Array;
      do s = randomBits(rd);
      while (code(s) === 0 || signalCodes.has(code(s)));
      bag.set(s, i * numBits);
    }
    const inst = new Int32Array(numInstances);
    if (b < numTargets) {
      const used = new Set<number>();
      for (let k = 0; k < numSignalsPerBag; k++) {
        let pos: number;
        do pos = Math.floor(rd() * numInstances);
        while (used.has(pos));
        used.add(pos);
        bag.set(signals[Math.floor(rd() * numSignals)], pos * numBits);
        inst[pos] = 1;
      }
    }
    bags.push(bag);
    instanceLabels.push(inst);
  }
  return {
    name: 'bit-pattern',
    dim: numBits,
    bags,
    labels: Int32Array.from({ length: numBags }, (_, b) => (b < numTargets ? 1 : 0)),
    bagIds: Array.from({ length: numBags }, (_, b) => String(b)),
    instanceLabels,
    signals,
  };
}
