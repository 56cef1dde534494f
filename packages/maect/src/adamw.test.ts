import { describeBackends } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { AdamW } from './adamw';

describeBackends('AdamW memory', () => {
  it('frees each variable’s temporaries before the next (ViT-B/16 step on the 4 GiB wasm heap)', async () => {
    const n = 10_000;
    const vars = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => tf.variable(tf.randomNormal([n], 0, 1, 'float32', s)));
    const grads = Object.fromEntries(
      vars.map((v, i) => [v.name, tf.randomNormal([n], 0, 1, 'float32', 10 + i)]),
    );
    const opt = new AdamW([{ variables: vars, lr: 1e-3, weightDecay: 0.05 }]);
    opt.apply(grads); // creates m and v
    const before = tf.memory().numTensors;
    const { peakBytes } = await tf.profile(() => opt.apply(grads));
    const start = tf.memory().numBytes;
    // one variable's update makes ~10 temporaries of 4n bytes; all eight at once would be ~80
    expect((peakBytes - start) / (4 * n)).toBeLessThan(20);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([vars, Object.values(grads)]);
  });
});
