import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MaectInputError } from './errors';
import { maskTensor, randomMasking, restoreTokens, selectKept } from './masking';

describe('randomMasking (host indices)', () => {
  it('follows noise → argsort → keep → restore', () => {
    // noise for one sample of 6 patches; ascending order is patches 4,1,5,0,3,2; keep 6·(1−0.5) = 3.
    const plan = randomMasking(1, 6, 0.5, { noise: [0.4, 0.2, 0.9, 0.5, 0.1, 0.3] });
    expect(Array.from(plan.idsShuffle)).toEqual([4, 1, 5, 0, 3, 2]);
    expect(Array.from(plan.idsRestore)).toEqual([3, 1, 5, 4, 0, 2]);
    expect(plan.keep).toBe(3);
    expect(Array.from(plan.mask)).toEqual([1, 0, 1, 1, 0, 0]);
  });
  it('keeps trunc(L·(1−r)) like int() in the reference', () => {
    expect(randomMasking(2, 16, 0.75, { seed: 1 }).keep).toBe(4);
    expect(randomMasking(2, 49, 0.75, { seed: 1 }).keep).toBe(12);
  });
  it('is seeded: same seed same plan, different seed different plan, samples differ', () => {
    const a = randomMasking(3, 16, 0.75, { seed: 7 });
    const b = randomMasking(3, 16, 0.75, { seed: 7 });
    const c = randomMasking(3, 16, 0.75, { seed: 8 });
    expect(Array.from(a.idsShuffle)).toEqual(Array.from(b.idsShuffle));
    expect(Array.from(a.idsShuffle)).not.toEqual(Array.from(c.idsShuffle));
    expect(Array.from(a.mask.slice(0, 16))).not.toEqual(Array.from(a.mask.slice(16, 32)));
    for (let s = 0; s < 3; s++) expect(a.mask.slice(s * 16, s * 16 + 16).reduce((x, y) => x + y)).toBe(12);
  });
  it('rejects mask ratios outside (0, 1) and missing seeds', () => {
    expect(() => randomMasking(1, 16, 1, { seed: 0 })).toThrow(MaectInputError);
    expect(() => randomMasking(1, 16, 0, { seed: 0 })).toThrow(
      /maskRatio: expected a number in the open interval \(0, 1\), received 0/,
    );
    expect(() => randomMasking(1, 16, -0.2, { seed: 0 })).toThrow(/received -0.2/);
    expect(() => randomMasking(1, 4, 0.9, { seed: 0 })).toThrow(/keeps at least one of 4 patches/);
    expect(() => randomMasking(1, 4, 0.5, {})).toThrow(/opts.seed/);
    expect(() => randomMasking(1, 4, 0.5, { noise: [1, 2] })).toThrow(/noise: expected 4 values/);
  });
});

describeBackends('masking tensors', () => {
  it('selectKept equals a gather, restoreTokens puts tokens back with mask tokens', async () => {
    const plan = randomMasking(2, 8, 0.75, { seed: 3 });
    const x = tf.reshape(tf.range(0, 2 * 8 * 3), [2, 8, 3]);
    const kept = selectKept(x, plan);
    const xs = x.arraySync() as number[][][];
    const expected = [0, 1].map((b) => [0, 1].map((k) => xs[b][plan.idsShuffle[b * 8 + k]]));
    expectClose(kept, expected.flat(2), { rtol: 0, atol: 0, name: 'kept' });
    const token = tf.tensor1d([-1, -2, -3]);
    const full = restoreTokens(kept, token, plan);
    const fs = full.arraySync() as number[][][];
    for (let b = 0; b < 2; b++)
      for (let l = 0; l < 8; l++) expect(fs[b][l]).toEqual(plan.mask[b * 8 + l] ? [-1, -2, -3] : xs[b][l]);
    const m = maskTensor(plan);
    expect(m.shape).toEqual([2, 8]);
    await expectNoLeakedTensors(() => selectKept(x, plan));
    await expectNoLeakedTensors(() => restoreTokens(kept, token, plan));
    await expectNoLeakedTensors(() => maskTensor(plan));
    tf.dispose([x, kept, token, full, m]);
  });

  it('gradients flow through selection and restoration (no gather: works on wasm)', () => {
    const plan = randomMasking(2, 8, 0.5, { seed: 4 });
    const x = tf.randomNormal([2, 8, 3], 0, 1, 'float32', 1);
    const token = tf.tensor1d([0.5, 0.5, 0.5]);
    const [dx, dt] = tf.grads((a: tf.Tensor, t: tf.Tensor) =>
      tf.sum(restoreTokens(selectKept(a, plan), t, plan)),
    )([x, token]);
    // d/dx is 1 on kept patches, 0 on removed ones; d/dtoken counts removed patches.
    const want = Array.from(plan.mask).flatMap((m) => [1 - m, 1 - m, 1 - m]);
    expectClose(dx, want, { rtol: 0, atol: 0, name: 'dx' });
    expectClose(dt, [8, 8, 8], { rtol: 0, atol: 0, name: 'dtoken' });
    tf.dispose([x, token, dx, dt]);
  });

  it('rejects tokens that do not fit the plan', () => {
    const plan = randomMasking(2, 8, 0.5, { seed: 4 });
    const x = tf.zeros([2, 7, 3]);
    expect(() => selectKept(x, plan)).toThrow(/x: expected shape \[2, 8, dim\]/);
    expect(() => restoreTokens(tf.zeros([2, 4, 3]), tf.zeros([4]), plan)).toThrow(
      /maskToken: expected 3 values/,
    );
    x.dispose();
  });
});
