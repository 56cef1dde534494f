import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InfoLoobArgumentError, InverseTemperature, infoLoobLoss } from './index';

describeBackends('InverseTemperature', () => {
  it('is exp of a trainable log-parameter that an optimizer moves', () => {
    const t = new InverseTemperature({ init: 10 });
    expectClose(t.value(), 10, { rtol: 1e-6 });
    const x = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const opt = tf.train.sgd(0.1);
    // aligned pairs: a sharper softmax (larger 1/τ) lowers the unscaled bound, so 1/τ must grow
    opt.minimize(() => infoLoobLoss(x, x, { invTau: t.value(), scaleByTau: false }), false, [t.variable]);
    expect(t.value().dataSync()[0]).toBeGreaterThan(10);
    tf.dispose([x]);
    opt.dispose();
    t.dispose();
  });

  it('clamps log(1/τ) to [0, ln max] like the reference', () => {
    const t = new InverseTemperature({ init: 50, max: 100 });
    t.variable.assign(tf.scalar(Math.log(1000)));
    t.clamp();
    expectClose(t.value(), 100, { rtol: 1e-5 });
    t.variable.assign(tf.scalar(-3));
    t.clamp();
    expectClose(t.value(), 1, { rtol: 1e-6 });
    t.dispose();
  });

  it('leaks no tensors', async () => {
    await expectNoLeakedTensors(() => new InverseTemperature().dispose());
    const t = new InverseTemperature();
    await expectNoLeakedTensors(() => t.value());
    await expectNoLeakedTensors(() => t.clamp());
    t.dispose();
  });

  it('rejects a bad init or max', () => {
    expect(() => new InverseTemperature({ init: 0.5 })).toThrow(InfoLoobArgumentError);
    expect(() => new InverseTemperature({ init: 0.5 })).toThrow('init must be in [1, 100], received 0.5');
    expect(() => new InverseTemperature({ max: Number.POSITIVE_INFINITY })).toThrow(
      /max must be a finite number/,
    );
  });
});
