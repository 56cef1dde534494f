// The smallest configurations that run both experiments end to end (tests, src/tiny.ts): a pipeline
// check, not a measurement.
import { REGIME_PRESETS, type RegimeConfig } from './regime-experiment';
import { REPERTOIRE_PRESETS, type RepertoireConfig } from './repertoire-experiment';

/** The regime experiment at test size: 4 steps on length-6 sequences, d = 8. */
export const TINY_REGIME: RegimeConfig = {
  ...REGIME_PRESETS.quick,
  steps: 4,
  evalEvery: 2,
  seqLen: 6,
  dModel: 8,
  evalBatch: 8,
  batchSize: 8,
};

/** The repertoire experiment at test size: bags of 100–200, 4 train / 4 test bags, 2 epochs, 1 seed. */
export const TINY_REPERTOIRE: RepertoireConfig = {
  ...REPERTOIRE_PRESETS.quick,
  witnessRates: [0.05],
  bagSizes: [100],
  baseBagSize: 200,
  baseWitnessRate: 0.05,
  trainBags: 4,
  testBags: 4,
  epochs: 2,
  batchSize: 2,
  chunkSize: 128,
  seeds: [1],
};
