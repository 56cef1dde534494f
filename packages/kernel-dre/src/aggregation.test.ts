import { expectClose, loadFixture } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { aggregateFixture } from '../test/iwa-fixture';
import { aggregate } from './aggregation';
import { DREInputError } from './errors';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

// Reference: Aggregator._compute_aggregation_weights / _compute_ensemble_predictions (numpy float64,
// SVD pseudo-inverse). Our SVD is ml-matrix's: rtol 1e-9.
describe('IWA aggregation parity with the reference', () => {
  for (const tag of ['rcond0p01', 'rcond0p2']) {
    it(`G, F, weights and ensemble classes (${tag})`, () => {
      const fx = loadFixture(`iwa_aggregation_${tag}`, FIXTURES);
      const res = aggregateFixture(fx);
      expectClose(res.G, fx.outputs.matrix_G.data, { rtol: 1e-12, atol: 1e-15, name: 'G' });
      expectClose(res.F, fx.outputs.matrix_F, { rtol: 1e-12, atol: 1e-15, name: 'F' });
      expectClose(res.weights, fx.outputs.weights, { rtol: 1e-9, atol: 1e-10, name: 'weights' });
      expect(res.targetClasses).toEqual(fx.outputs.target_classes_test.data);
      expect(res.sourceClasses).toEqual(fx.outputs.source_classes_test.data);
    });
  }

  it('recovers the best convex mix in a hand case: one perfect model gets weight 1', () => {
    // model 0 always predicts the label; model 1 is uniform. No shift (w = 1), target = source points.
    const labels = [0, 1, 1, 0];
    const perfect = labels.map((y) => (y === 0 ? [1, 0] : [0, 1]));
    const uniform = labels.map(() => [0.5, 0.5]);
    const res = aggregate(
      { predictions: [perfect, uniform], labels, weights: [1, 1, 1, 1] },
      [perfect, uniform],
      {
        rcond: 1e-12,
      },
    );
    expectClose(res.weights, [1, 0], { rtol: 1e-9, atol: 1e-12 });
  });

  it('bad input names the argument', () => {
    const p = [[[0.5, 0.5]], [[0.2, 0.8]]];
    expect(() => aggregate({ predictions: p, labels: [2], weights: [1] }, p)).toThrow(
      /source.labels\[0\]: expected a class index/,
    );
    expect(() => aggregate({ predictions: p, labels: [0], weights: [-1] }, p)).toThrow(DREInputError);
    expect(() => aggregate({ predictions: p, labels: [0], weights: [1] }, [[[0.5, 0.5]]])).toThrow(
      /target: expected 2 models/,
    );
    expect(() => aggregate({ predictions: p, labels: [0], weights: [1] }, p, { rcond: 0 })).toThrow(
      /options.rcond/,
    );
  });
});
