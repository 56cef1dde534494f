// IWA aggregation of an iwa_aggregation fixture (scripts/make_fixtures.py): shared by the parity suite
// (src/aggregation.test.ts) and the randomized sweep (parity/src/families/kernel-dre.ts).
import type { Fixture, FixtureArray } from '@paperstack/test-utils';
import { aggregate, ensemblePredict } from '../src/aggregation';

/** A [models, samples, classes] fixture array as nested arrays. */
export function nest3(a: FixtureArray): number[][][] {
  const [l, n, c] = a.shape;
  return Array.from({ length: l }, (_, k) =>
    Array.from({ length: n }, (_, i) => a.data.slice((k * n + i) * c, (k * n + i + 1) * c)),
  );
}

/** `aggregate` on the fixture's inputs, and the ensemble's classes on its target and source test sets. */
export function aggregateFixture(fx: Fixture) {
  const res = aggregate(
    {
      predictions: nest3(fx.inputs.source_predictions),
      labels: fx.inputs.source_labels.data,
      weights: fx.inputs.importance_weights.data,
    },
    nest3(fx.inputs.target_predictions),
    { rcond: fx.config.rcond as number },
  );
  return {
    ...res,
    targetClasses: Array.from(ensemblePredict(nest3(fx.inputs.target_predictions_test), res.weights).classes),
    sourceClasses: Array.from(ensemblePredict(nest3(fx.inputs.source_predictions_test), res.weights).classes),
  };
}
