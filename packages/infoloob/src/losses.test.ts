import {
  describeBackends,
  expectClose,
  expectNoLeakedTensors,
  fixtureTensor,
  fixtureTensors,
  loadFixture,
} from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  clipLoss,
  cloobLossParts,
  cloobRetrievals,
  InfoLoobArgumentError,
  infoLoobLoss,
  infoNceLoss,
} from './index';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
// float64 reference vs float32 tfjs: values to 1e-4 relative; gradients to 1e-3 relative, with an
// absolute floor of 1e-5 (inv_tau = 30 amplifies float32 round-off of the logits).
const VALUES = { rtol: 1e-4, atol: 1e-5 };
const GRADS = { rtol: 1e-3, atol: 1e-5 };

function normalizedPair(n: number, d: number, seed: number): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const a = tf.randomNormal([n, d], 0, 1, 'float32', seed);
    const b = tf.add(a, tf.randomNormal([n, d], 0, 0.5, 'float32', seed + 1));
    const unit = (t: tf.Tensor) => tf.div(t, tf.norm(t, 'euclidean', 1, true)) as tf.Tensor2D;
    return [unit(a), unit(b)];
  });
}

describeBackends('infoloob parity with ml-jku/cloob', () => {
  it('infoLoobLoss: value and gradients (cloob_infoLOOB_loss)', () => {
    const fx = loadFixture('cloob_infoLOOB_loss', FIXTURES);
    const { x, y } = fixtureTensors(fx.inputs) as Record<string, tf.Tensor2D>;
    const i = fixtureTensor(fx.inputs.i) as tf.Tensor2D;
    const invTau = fx.config.inv_tau as number;
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
      infoLoobLoss(a as tf.Tensor2D, b as tf.Tensor2D, { invTau, positives: i }),
    )([x, y]);
    expectClose(value, fx.outputs.loss, { ...VALUES, name: 'loss' });
    expectClose(grads[0], fx.grads.x, { ...GRADS, name: 'dL/dx' });
    expectClose(grads[1], fx.grads.y, { ...GRADS, name: 'dL/dy' });
    tf.dispose([x, y, i, value, grads]);
  });

  it('clipLoss: value and gradients (cloob_clip_loss)', () => {
    const fx = loadFixture('cloob_clip_loss', FIXTURES);
    const t = fixtureTensors(fx.inputs) as Record<string, tf.Tensor2D>;
    const invTau = fx.config.inv_tau as number;
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
      clipLoss(a as tf.Tensor2D, b as tf.Tensor2D, { invTau }),
    )([t.image_features, t.text_features]);
    expectClose(value, fx.outputs.loss, { ...VALUES, name: 'loss' });
    expectClose(grads[0], fx.grads.image_features, { ...GRADS, name: 'dL/dimage' });
    expectClose(grads[1], fx.grads.text_features, { ...GRADS, name: 'dL/dtext' });
    tf.dispose([Object.values(t), value, grads]);
  });

  it('cloobRetrievals: the four retrievals and their gradient (cloob_hopfield_retrieval)', () => {
    const fx = loadFixture('cloob_hopfield_retrieval', FIXTURES);
    const t = fixtureTensors(fx.inputs) as Record<string, tf.Tensor2D>;
    const beta = fx.config.scale_hopfield as number;
    const stack = (img: tf.Tensor, txt: tf.Tensor) => {
      const r = cloobRetrievals(img as tf.Tensor2D, txt as tf.Tensor2D, beta);
      // reference order: xx, yy, xy, yx (state from, memory of)
      return tf.stack([r.imageFromImages, r.textFromTexts, r.textFromImages, r.imageFromTexts]);
    };
    const out = stack(t.image_features, t.text_features);
    expectClose(out, fx.outputs.output, { ...VALUES, name: 'retrievals' });
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(stack(a, b), t.upstream_grad)))([
      t.image_features,
      t.text_features,
    ]);
    expectClose(grads[0], fx.grads.image_features, { ...GRADS, name: 'd/dimage' });
    expectClose(grads[1], fx.grads.text_features, { ...GRADS, name: 'd/dtext' });
    tf.dispose([Object.values(t), out, grads]);
  });

  it('cloobLossParts: loss, both halves, gradients (cloob_loss)', () => {
    const fx = loadFixture('cloob_loss', FIXTURES);
    const t = fixtureTensors(fx.inputs) as Record<string, tf.Tensor2D>;
    const opts = { invTau: fx.config.inv_tau as number, hopfieldBeta: fx.config.scale_hopfield as number };
    const parts = cloobLossParts(t.image_features, t.text_features, opts);
    expectClose(parts.loss, fx.outputs.loss, { ...VALUES, name: 'loss' });
    expectClose(parts.lossImage, fx.outputs.loss_img, { ...VALUES, name: 'loss_img' });
    expectClose(parts.lossText, fx.outputs.loss_txt, { ...VALUES, name: 'loss_txt' });
    const grads = tf.grads(
      (a: tf.Tensor, b: tf.Tensor) => cloobLossParts(a as tf.Tensor2D, b as tf.Tensor2D, opts).loss,
    )([t.image_features, t.text_features]);
    expectClose(grads[0], fx.grads.image_features, { ...GRADS, name: 'dL/dimage' });
    expectClose(grads[1], fx.grads.text_features, { ...GRADS, name: 'dL/dtext' });
    tf.dispose([Object.values(t), Object.values(parts), grads]);
  });
});

describeBackends('infoloob behaviour', () => {
  it('InfoLOOB leaves the positive out; InfoNCE keeps it (hand-computed 2×2 case)', () => {
    const x = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const y = tf.tensor2d([
      [Math.SQRT1_2, Math.SQRT1_2],
      [0, 1],
    ]);
    const s = Math.SQRT1_2;
    // k = x yᵀ (invTau 1): [[s, 0], [s, 1]]
    const loob = ((-s + 0) / 1 + (-1 + s)) / 2; // row i: −k_ii + k_i,j≠i
    const nce = (-s + Math.log(Math.exp(s) + 1) + (-1 + Math.log(Math.exp(s) + Math.E))) / 2;
    expectClose(infoLoobLoss(x, y, { invTau: 1 }), loob, { rtol: 1e-6 });
    expectClose(infoNceLoss(x, y, { invTau: 1 }), nce, { rtol: 1e-6 });
    tf.dispose([x, y]);
  });

  it('a positives mask treats repeated captions as positives, not negatives', () => {
    const [x, y] = normalizedPair(4, 8, 1);
    // rows 0 and 1 share a caption: y_0 and y_1 are positives of both x_0 and x_1
    const shared = tf.tensor2d([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], [4, 4]);
    const k = tf.mul(tf.matMul(x, y, false, true), 30).arraySync() as number[][];
    const lse = (v: number[]) => {
      const m = Math.max(...v);
      return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0));
    };
    const rows = [
      -(k[0][0] + k[0][1]) / 2 + lse([k[0][2], k[0][3]]),
      -(k[1][0] + k[1][1]) / 2 + lse([k[1][2], k[1][3]]),
      -k[2][2] + lse([k[2][0], k[2][1], k[2][3]]),
      -k[3][3] + lse([k[3][0], k[3][1], k[3][2]]),
    ];
    const expected = rows.reduce((a, b) => a + b, 0) / 4 / 30;
    expectClose(infoLoobLoss(x, y, { invTau: 30, positives: shared }), expected, { rtol: 1e-4 });
    tf.dispose([x, y, shared]);
  });

  it('stays finite for invTau up to 100 and β up to 100 (gradients too)', () => {
    const [x, y] = normalizedPair(16, 8, 3);
    for (const invTau of [1, 30, 100]) {
      for (const hopfieldBeta of [0.1, 8, 100]) {
        const { value, grads } = tf.valueAndGrads(
          (a: tf.Tensor, b: tf.Tensor) =>
            cloobLossParts(a as tf.Tensor2D, b as tf.Tensor2D, { invTau, hopfieldBeta }).loss,
        )([x, y]);
        const all = [value, ...grads].flatMap((t) => Array.from(t.dataSync()));
        expect(all.every(Number.isFinite), `invTau ${invTau} β ${hopfieldBeta}`).toBe(true);
        tf.dispose([value, grads]);
      }
    }
    tf.dispose([x, y]);
  });

  it('leaks no tensors (every public function, forward and backward)', async () => {
    const [x, y] = normalizedPair(8, 4, 5);
    const mask = tf.eye(8) as tf.Tensor2D;
    await expectNoLeakedTensors(() => infoLoobLoss(x, y, { positives: mask }));
    await expectNoLeakedTensors(() => infoNceLoss(x, y));
    await expectNoLeakedTensors(() => clipLoss(x, y, { positives: mask }));
    await expectNoLeakedTensors(() => cloobLossParts(x, y));
    await expectNoLeakedTensors(() => cloobRetrievals(x, y, 8));
    await expectNoLeakedTensors(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => cloobLossParts(a as tf.Tensor2D, b as tf.Tensor2D).loss)([
        x,
        y,
      ]),
    );
    tf.dispose([x, y, mask]);
  });

  it('rejects bad input with the argument, the expectation and what it got', () => {
    const [x, y] = normalizedPair(4, 8, 7);
    const [x3] = normalizedPair(3, 8, 9);
    const raw = tf.randomNormal([4, 8], 0, 3, 'float32', 11) as tf.Tensor2D;
    const err = (f: () => unknown, msg: RegExp) => {
      expect(f).toThrow(InfoLoobArgumentError);
      expect(f).toThrow(msg);
    };
    err(() => infoLoobLoss(x, x3), /infoLoobLoss: x \[4,8\] and y \[3,8\] must have the same \[batch, dim\]/);
    err(() => clipLoss(raw, y), /clipLoss: image rows must be L2-normalized .* received a row off by/);
    err(
      () => cloobLossParts(x, y, { hopfieldBeta: 0 }),
      /cloobLoss: hopfieldBeta must be a finite number > 0, received 0/,
    );
    err(() => cloobLossParts(x, y, { hopfieldBeta: -2 }), /received -2/);
    err(() => infoNceLoss(x, y, { invTau: Number.NaN }), /invTau must be a finite number > 0, received NaN/);
    const allPositive = tf.ones([4, 4]) as tf.Tensor2D;
    err(() => infoLoobLoss(x, y, { positives: allPositive }), /positives row 0 has no negative/);
    err(() => infoLoobLoss(x, y, { positives: tf.eye(3) as tf.Tensor2D }), /positives must be \[4, 4\]/);
    err(
      () => infoLoobLoss(tf.ones([4]) as unknown as tf.Tensor2D, y),
      /x must be \[batch, dim\], received shape \[4\]/,
    );
    tf.dispose([x, y, x3, raw, allPositive]);
  });
});
