import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it, vi } from 'vitest';
import { deviceChecks } from './device';
import { analyzeRegimes, analyzeRegimesAsync, Hopfield, HopfieldError, patternsForMass } from './index';

/** Awaits `f` as on webgpu in Node: device-side checks on, and any synchronous read throws. */
async function withoutSyncReads<T>(f: () => Promise<T>): Promise<T> {
  deviceChecks.forceNoSyncRead = true;
  const spy = vi.spyOn(tf.engine(), 'readSync').mockImplementation(() => {
    throw new Error('synchronous read');
  });
  try {
    return await f();
  } finally {
    spy.mockRestore();
    deviceChecks.forceNoSyncRead = null;
  }
}

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

  it('analyzeRegimesAsync: the same result as analyzeRegimes, without synchronous reads', async () => {
    const S = 6;
    // Constructed heads: one-hot, uniform, mass on 2 of 6, and softmax rows of random scores at
    // three temperatures; ranks 2, 3 and 4; a non-default threshold.
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d([0, 5, 2], 'int32'), S), 'float32');
    const uniform = tf.fill([3, S], 1 / S);
    const subset = tf.tensor2d(
      Array.from({ length: 3 * S }, (_, i) => (i % S < 2 ? 0.5 : 0)),
      [3, S],
    );
    const scores = tf.randomNormal([2, 3, 3, S], 0, 1, 'float32', 7);
    const soft = tf.softmax(tf.mul(scores, tf.tensor4d([0.1, 2, 30], [1, 3, 1, 1])));
    const heads = tf.stack([oneHot, uniform, subset]);
    const cases: [tf.Tensor, Parameters<typeof analyzeRegimes>[1]][] = [
      [oneHot, {}],
      [heads, {}],
      [soft, {}],
      [soft, { massThreshold: 0.5, fixedPointMaxK: 2, globalFraction: 0.3 }],
    ];
    for (const [a, opts] of cases) {
      const sync = analyzeRegimes(a, opts);
      const dev = await withoutSyncReads(() => analyzeRegimesAsync(a, opts));
      expect(dev).toEqual(sync);
    }
    expect((await analyzeRegimesAsync(heads)).heads.map((h) => h.regime)).toEqual([
      'fixed-point',
      'global-averaging',
      'metastable',
    ]);
    expect(() => analyzeRegimes(heads)).not.toThrow(); // the spy is gone again
    await expectNoLeakedTensors(() => analyzeRegimesAsync(soft));
    tf.dispose([oneHot, uniform, subset, scores, soft, heads]);
  });

  it('analyzeRegimesAsync rejects bad input with the same HopfieldErrors', async () => {
    const ok = tf.fill([2, 4], 0.25);
    const bad = tf.tensor2d([[1.5, -0.5]]);
    const sums = tf.ones([2, 4]);
    const empty = tf.zeros([0, 4]);
    await withoutSyncReads(async () => {
      await expect(analyzeRegimesAsync(sums)).rejects.toThrow(/received a row summing to 4/);
      await expect(analyzeRegimesAsync(bad)).rejects.toThrow(/expected probabilities ≥ 0, received -0.5/);
      await expect(analyzeRegimesAsync(ok, { massThreshold: 1.5 })).rejects.toThrow(HopfieldError);
      await expect(analyzeRegimesAsync(empty)).rejects.toThrow(/at least one query/);
    });
    tf.dispose([ok, bad, sums, empty]);
  });
});
