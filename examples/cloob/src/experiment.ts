import { meanSd } from '@paperstack/example-kit';
import type { PairedDataset } from './data/paired';
import { syntheticPairs } from './data/synthetic';
import { type Diagnostics, diagnose } from './diagnostics';
import { type Objective, type TrainOptions, trainEncoders } from './train';

export interface ComparisonOptions extends Omit<TrainOptions, 'objective' | 'seed' | 'onStep'> {
  /** Seeds (each: fresh data draw, fresh initialization). Default [0, 1, 2]. */
  seeds?: number[];
  objectives?: Objective[];
  /** Training/test data for a seed. Default: `syntheticPairs` with 2000 train and 1000 test pairs. */
  data?: (seed: number) => { train: PairedDataset; test: PairedDataset };
  /** Progress: called after each step of each run. */
  onProgress?: (run: { objective: Objective; seed: number }, step: number, loss: number) => void;
}

export interface RunResult extends Diagnostics {
  objective: Objective;
  seed: number;
  finalLoss: number;
  /** Loss after each step. */
  losses: number[];
  invTau: number;
  trainMs: number;
}

export function syntheticSplit(seed: number) {
  return {
    train: syntheticPairs({ seed: 2 * seed, size: 2000 }),
    test: syntheticPairs({ seed: 2 * seed + 1, size: 1000 }),
  };
}

/** CLIP vs CLOOB on the same data and initial weights, over several seeds. */
export function compareObjectives(opts: ComparisonOptions = {}): RunResult[] {
  const {
    seeds = [0, 1, 2],
    objectives = ['clip', 'cloob'],
    data = syntheticSplit,
    onProgress,
    ...train
  } = opts;
  const results: RunResult[] = [];
  for (const seed of seeds) {
    const { train: trainSet, test } = data(seed);
    for (const objective of objectives) {
      const t0 = performance.now();
      const models = trainEncoders(trainSet, {
        ...train,
        objective,
        seed,
        onStep: (step, loss) => onProgress?.({ objective, seed }, step, loss),
      });
      const trainMs = performance.now() - t0;
      const d = diagnose(models, test, { hopfieldBeta: train.hopfieldBeta });
      results.push({
        objective,
        seed,
        finalLoss: models.losses.at(-1) ?? Number.NaN,
        losses: models.losses,
        invTau: models.invTau,
        trainMs,
        ...d,
      });
      models.dispose();
    }
  }
  return results;
}

/** Mean ± sample std of one metric per objective. */
export function summarize(results: RunResult[], metric: keyof Diagnostics) {
  const by = new Map<Objective, number[]>();
  for (const r of results) by.set(r.objective, [...(by.get(r.objective) ?? []), r[metric]]);
  return [...by].map(([objective, v]) => {
    const { mean, sd } = meanSd(v);
    return { objective, mean, std: sd, n: v.length };
  });
}
