import {
  describeBackends,
  expectClose,
  expectNoLeakedTensors,
  fixtureTensor,
  loadFixture,
} from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MaectInputError } from './errors';
import { maeLoss } from './loss';
import { patchify, unpatchify } from './patchify';
import { sincosPosEmbed2d, sincosPosEmbed2dValues } from './pos-embed';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
// float32 forward vs float64 reference: rtol 1e-4 / atol 1e-5; gradients rtol 1e-3 / atol 1e-5.
const FWD = { rtol: 1e-4, atol: 1e-5 };
const GRAD = { rtol: 1e-3, atol: 1e-5 };

describe('sincosPosEmbed2dValues (float64, host)', () => {
  it('matches get_2d_sincos_pos_embed(16, 4, cls_token=True) to 1e-12', () => {
    const fx = loadFixture('mae_pos_embed', FIXTURES);
    const got = sincosPosEmbed2dValues(16, 4, { clsToken: true });
    expectClose(Array.from(got), fx.outputs.output.data, { rtol: 1e-12, atol: 1e-12, name: 'pos_embed' });
  });
  it('rejects an embedDim that is not a multiple of 4', () => {
    expect(() => sincosPosEmbed2dValues(18, 4)).toThrow(MaectInputError);
    expect(() => sincosPosEmbed2dValues(18, 4)).toThrow(
      /embedDim: expected a positive multiple of 4, received 18/,
    );
  });
});

describeBackends('MAE parity', () => {
  it('sincosPosEmbed2d tensor matches the fixture', async () => {
    const fx = loadFixture('mae_pos_embed', FIXTURES);
    const t = sincosPosEmbed2d(16, 4, { clsToken: true });
    expectClose(t, fx.outputs.output, { ...FWD, name: 'pos_embed' });
    t.dispose();
    await expectNoLeakedTensors(() => sincosPosEmbed2d(16, 4));
  });

  it('patchify: values and gradient (channelsFirst and channelsLast)', async () => {
    const fx = loadFixture('mae_patchify', FIXTURES);
    const imgs = fixtureTensor(fx.inputs.imgs);
    const g = fixtureTensor(fx.inputs.upstream_grad);
    const out = patchify(imgs, 4, { dataFormat: 'channelsFirst' });
    expectClose(out, fx.outputs.output, { ...FWD, name: 'patchify' });
    const grad = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(patchify(x, 4, { dataFormat: 'channelsFirst' }), g)),
    )(imgs);
    expectClose(grad, fx.grads.imgs, { ...GRAD, name: 'd imgs' });
    const nhwc = tf.transpose(imgs, [0, 2, 3, 1]);
    const out2 = patchify(nhwc, 4);
    expectClose(out2, fx.outputs.output, { ...FWD, name: 'patchify NHWC' });
    await expectNoLeakedTensors(() => patchify(nhwc, 4));
    tf.dispose([imgs, g, out, grad, nhwc, out2]);
  });

  it('unpatchify: values and gradient, and round trip', async () => {
    const fx = loadFixture('mae_unpatchify', FIXTURES);
    const x = fixtureTensor(fx.inputs.x);
    const g = fixtureTensor(fx.inputs.upstream_grad);
    const out = unpatchify(x, 4, { dataFormat: 'channelsFirst' });
    expectClose(out, fx.outputs.output, { ...FWD, name: 'unpatchify' });
    const grad = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.mul(unpatchify(v, 4, { dataFormat: 'channelsFirst' }), g)),
    )(x);
    expectClose(grad, fx.grads.x, { ...GRAD, name: 'd x' });
    const back = patchify(unpatchify(x, 4), 4);
    expectClose(back, x, { rtol: 0, atol: 0, name: 'round trip' });
    await expectNoLeakedTensors(() => unpatchify(x, 4));
    tf.dispose([x, g, out, grad, back]);
  });

  it('maeLoss with normPixLoss (unbiased variance): value and gradients', async () => {
    const fx = loadFixture('mae_loss_norm_pix', FIXTURES);
    const imgs = fixtureTensor(fx.inputs.imgs);
    const pred = fixtureTensor(fx.inputs.pred);
    const mask = fixtureTensor(fx.inputs.mask);
    const opts = { patchSize: 4, normPixLoss: true, dataFormat: 'channelsFirst' as const };
    const loss = maeLoss(imgs, pred, mask, opts);
    expectClose(loss, fx.outputs.loss, { ...FWD, name: 'loss' });
    const [dImgs, dPred] = tf.grads((a: tf.Tensor, b: tf.Tensor) => maeLoss(a, b, mask, opts))([imgs, pred]);
    expectClose(dImgs, fx.grads.imgs, { ...GRAD, name: 'd imgs' });
    expectClose(dPred, fx.grads.pred, { ...GRAD, name: 'd pred' });
    // The biased variance would give a different loss: the test can fail.
    await expectNoLeakedTensors(() => maeLoss(imgs, pred, mask, opts));
    tf.dispose([imgs, pred, mask, loss, dImgs, dPred]);
  });

  it('maeLoss without normalization is the masked MSE', () => {
    const imgs = tf.ones([1, 4, 4, 1]);
    const pred = tf.zeros([1, 4, 4]);
    const mask = tf.tensor2d([[1, 0, 0, 0]]);
    const loss = maeLoss(imgs, pred, mask, { patchSize: 2, normPixLoss: false });
    expectClose(loss, 1, { rtol: 0, atol: 1e-7 });
    tf.dispose([imgs, pred, mask, loss]);
  });

  it('bad input names the argument', () => {
    const imgs = tf.zeros([1, 6, 8, 3]);
    expect(() => patchify(imgs, 4)).toThrow(MaectInputError);
    expect(() => patchify(imgs, 4)).toThrow(
      /imgs: expected height and width divisible by patchSize 4, received 6×8/,
    );
    expect(() => patchify(tf.zeros([6, 8, 3]), 2)).toThrow(/imgs: expected a rank-4 tensor/);
    const ok = tf.zeros([1, 8, 8, 3]);
    expect(() => maeLoss(ok, tf.zeros([1, 4, 47]), tf.ones([1, 4]), { patchSize: 4 })).toThrow(
      /pred: expected shape \[1, 4, 48\]/,
    );
    expect(() => maeLoss(ok, tf.zeros([1, 4, 48]), tf.ones([1, 3]), { patchSize: 4 })).toThrow(
      /mask: expected shape/,
    );
    expect(() => unpatchify(tf.zeros([1, 3, 48]), 4)).toThrow(
      /x: expected a square number of patches, received 3/,
    );
    tf.dispose([imgs, ok]);
  });
});
