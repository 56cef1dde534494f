import { describeBackends } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { Hopfield, HopfieldPooling, hopfieldRetrieve } from './index';

describeBackends('README example', () => {
  it('runs as written', () => {
    const x = tfl.input({ shape: [16, 32] }); // bags of 16 instances
    const h = new Hopfield({ inputSize: 32, numHeads: 4, updateStepsMax: 2 }).apply(x);
    const pooled = new HopfieldPooling({ inputSize: 32, quantity: 1 }).apply(h);
    const model = tfl.model({
      inputs: x,
      outputs: tfl.layers.dense({ units: 1 }).apply(pooled) as tfl.SymbolicTensor,
    });

    const memory = tf.randomNormal([100, 64]); // 100 stored patterns
    const { output } = hopfieldRetrieve(tf.slice(memory, 0, 3), memory, { beta: 8 }); // ξ ← Xᵀ softmax(βXξ)

    const y = model.predict(tf.randomNormal([2, 16, 32])) as tf.Tensor;
    expect(y.shape).toEqual([2, 1]);
    expect(output.shape).toEqual([3, 64]);
    model.dispose();
  });
});
