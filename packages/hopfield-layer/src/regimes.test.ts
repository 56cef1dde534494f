import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyzeRegimes, Hopfield, HopfieldError, patternsForMass } from './index';

describeBackends('analyzeRegimes', () => {
  it('one-hot rows → fixed point (k = 1); uniform rows → global averaging (k = ⌈0.9·S⌉)', () => {
    const S = 20;
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d([3, 7, 0, 19], 'int32'), S), 'float32');
    const uniform = tf.fill([4, S], 1 / S);
    // Metastable: mass spread evenly over 4 of the 20 patterns → k = ⌈0.9·4⌉ = 4.
    const subset = tf.tensor2d(
      // Row r puts 0.25 on patterns 4r … 4r+3.
      Array.from({ length: 4 * S }, (_, i) => (Math.floor((i % S) / 4) === Math.floor(i / S) ? 0.25 : 0)),
      [4, S],
    );
    const a = tf.stack([oneHot, uniform, subset]); // [heads, queries, stored]
    const r = analyzeRegimes(tf.expandDims(a, 0));
    expect(r.numPatterns).toBe(S);
    expect(r.massThreshold).toBe(0.9);
    expect(r.heads.map((h) => h.regime)).toEqual(['fixed-point', 'global-averaging', 'metastable']);
    expect(r.heads[0].k).toEqual([1, 1, 1, 1]);
    expect(r.heads[1].k).toEqual([18, 18, 18, 18]);
    expect(r.heads[2].k).toEqual([4, 4, 4, 4]);
    expect(r.heads[1].histogram[18]).toBe(4);
    expect(r.heads[2]).toMatchObject({ meanK: 4, medianK: 4, minK: 4, maxK: 4 });
    // The threshold is a parameter: at 50% of the mass a uniform row needs S/2 patterns.
    expect(analyzeRegimes(uniform, { massThreshold: 0.5 }).heads[0].k[0]).toBe(10);
    tf.dispose([oneHot, uniform, subset, a]);
  });

  it('patternsForMass counts the largest entries first', () => {
    expect(patternsForMass([0.05, 0.5, 0.05, 0.4])).toBe(2);
    expect(patternsForMass([0.05, 0.5, 0.05, 0.4], 0.5)).toBe(1);
    expect(patternsForMass([0.25, 0.25, 0.25, 0.25], 1)).toBe(4);
  });

  it('works on Hopfield.associationMatrix: large β → fixed points, tiny β → global averaging', () => {
    const x = tf.randomNormal([2, 16, 8], 0, 1, 'float32', 4);
    const r = (scaling: number) => {
      const layer = new Hopfield({
        inputSize: 8,
        scaling,
        storedPatternAsStatic: true,
        statePatternAsStatic: true,
        patternProjectionAsStatic: true,
        normalizeStoredPattern: false,
        normalizeStatePattern: false,
        normalizePatternProjection: false,
        normalizeStoredPatternAffine: false,
        normalizeStatePatternAffine: false,
        normalizePatternProjectionAffine: false,
      });
      const xi = layer.associationMatrix(x);
      const out = analyzeRegimes(xi);
      tf.dispose(xi);
      layer.dispose();
      return out;
    };
    // Self-association of random patterns: each pattern is its own nearest neighbour.
    expect(r(50).heads.map((h) => h.regime)).toEqual(['fixed-point']);
    expect(r(1e-3).heads.map((h) => h.regime)).toEqual(['global-averaging']);
    tf.dispose(x);
  });

  it('leaks no tensors', async () => {
    const a = tf.softmax(tf.randomNormal([2, 3, 5], 0, 1, 'float32', 1));
    await expectNoLeakedTensors(() => analyzeRegimes(a));
    tf.dispose(a);
  });

  it('rejects bad input with a HopfieldError naming the argument', () => {
    const ok = tf.fill([2, 4], 0.25);
    expect(() => analyzeRegimes(tf.ones([4]))).toThrow(
      /associationMatrix: expected a rank 2–4 tensor .*received \[4\]/,
    );
    expect(() => analyzeRegimes(tf.ones([2, 4]))).toThrow(
      /associationMatrix: expected rows summing to 1.*received a row summing to 4/,
    );
    expect(() => analyzeRegimes(tf.tensor2d([[1.5, -0.5]]))).toThrow(
      /expected probabilities ≥ 0, received -0.5/,
    );
    expect(() => analyzeRegimes(ok, { massThreshold: 1.5 })).toThrow(
      /massThreshold: expected a number in \(0, 1\], received 1.5/,
    );
    expect(() => analyzeRegimes(ok, { globalFraction: 0 })).toThrow(HopfieldError);
    expect(() => analyzeRegimes(ok, { fixedPointMaxK: 0 })).toThrow(/fixedPointMaxK: /);
    expect(() => analyzeRegimes(tf.zeros([0, 4]))).toThrow(/at least one query/);
    tf.dispose(ok);
  });
});
