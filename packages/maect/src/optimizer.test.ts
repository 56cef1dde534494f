import { describeBackends, expectClose } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { groupedAdamW, warmupCosine } from './optimizer';

describeBackends('groupedAdamW', () => {
  it('matches a hand-computed torch.optim.AdamW step per group; the schedule factor scales every group', () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const q = tf.variable(tf.tensor1d([3]));
    const frozen = tf.variable(tf.tensor1d([7]));
    const opt = groupedAdamW(
      [
        { variables: [p], lr: 0.1, weightDecay: 0.5 },
        { variables: [q], lr: 0.2 },
      ],
      { betas: [0.9, 0.999], eps: 1e-8 },
    );
    opt.learningRate = 0.5;
    opt.applyGradients({
      [p.name]: tf.tensor1d([0.5, 0.25]),
      [q.name]: tf.tensor1d([-1]),
      [frozen.name]: tf.tensor1d([1]),
    });
    // step 1: m̂ = g, v̂ = g², update = sign(g); p ← p(1 − lr·wd) − lr·sign(g) with lr = 0.5 · group lr
    expectClose(p, [1 * (1 - 0.05 * 0.5) - 0.05, -2 * (1 - 0.05 * 0.5) - 0.05], { rtol: 1e-6, atol: 1e-6 });
    expectClose(q, [3 + 0.1], { rtol: 1e-6, atol: 1e-6 });
    expectClose(frozen, [7], { rtol: 0, atol: 0 });
    expect(() => groupedAdamW([{ variables: [p], lr: -1 }])).toThrow(/groups\[\]\.lr.*non-negative.*-1/);
    opt.dispose();
    tf.dispose([p, q, frozen]);
  });

  it('frees each flat update’s temporaries before the next (ViT-B/16 step on the 4 GiB wasm heap)', async () => {
    // AdamW updates up to 2²⁰ elements of one group at once: 16 variables of 2¹⁸ are 4 flat updates
    const n = 2 ** 18;
    const vars = Array.from({ length: 16 }, (_, s) => tf.variable(tf.randomNormal([n], 0, 1, 'float32', s)));
    const grads = Object.fromEntries(
      vars.map((v, i) => [v.name, tf.randomNormal([n], 0, 1, 'float32', 100 + i)]),
    );
    const opt = groupedAdamW([{ variables: vars, lr: 1e-3, weightDecay: 0.05 }]);
    opt.applyGradients(grads); // creates m and v
    const before = tf.memory().numTensors;
    const { peakBytes } = await tf.profile(() => opt.applyGradients(grads));
    const start = tf.memory().numBytes;
    // one flat update peaks at 21 temporaries of 2²⁰ floats (measured); all four at once would be ~84
    expect((peakBytes - start) / (4 * 2 ** 20)).toBeLessThan(30);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([vars, Object.values(grads)]);
  });
});

it('warmupCosine: linear warmup to 1, cosine to 0', () => {
  expect(warmupCosine(0, 10, 0.2)).toBeCloseTo(0.5);
  expect(warmupCosine(2, 10, 0.2)).toBeCloseTo(1);
  expect(warmupCosine(10, 10, 0.2)).toBeCloseTo(0);
});
