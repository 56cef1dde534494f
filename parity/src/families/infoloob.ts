// infoloob families against ml-jku/cloob 357adda (src/training/methods.py): infoLOOB_loss with
// random positives masks, clip, hopfield_retrieval and cloob — values and gradients. Tolerances:
// losses.test.ts's (values rtol 1e-4 / atol 1e-5, gradients rtol 1e-3 / atol 1e-5).
import { clipLoss, cloobLossParts, cloobRetrievals, infoLoobLoss } from '@paperstack/infoloob';
import type { Fixture } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { Checks, type FamilyRunner } from './types';

const VALUES = { rtol: 1e-4, atol: 1e-5 };
const GRADS = { rtol: 1e-3, atol: 1e-5 };

const t2 = (fx: Fixture, k: string) => tf.tensor2d(fx.inputs[k].data, fx.inputs[k].shape as [number, number]);

function pair(fx: Fixture, a: string, b: string, f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor) {
  const c = new Checks();
  const x = t2(fx, a);
  const y = t2(fx, b);
  const { value, grads } = tf.valueAndGrads((u: tf.Tensor, v: tf.Tensor) =>
    tf.sum(f(u as tf.Tensor2D, v as tf.Tensor2D)),
  )([x, y]);
  return { c, x, y, value, grads };
}

export const infoloobRunner: FamilyRunner = {
  kind: 'tfjs',
  run(fx) {
    const family = (fx.meta.sweep as { family: string }).family;
    const invTau = fx.config.inv_tau as number;
    const beta = fx.config.scale_hopfield as number;
    if (family === 'cloob_infoloob') {
      const i = t2(fx, 'i');
      const r = pair(fx, 'x', 'y', (x, y) => infoLoobLoss(x, y, { invTau, positives: i }));
      r.c.values('loss', 'forward', r.value, fx.outputs.loss, VALUES);
      r.c.values('d/d x', 'gradient', r.grads[0], fx.grads.x, GRADS);
      r.c.values('d/d y', 'gradient', r.grads[1], fx.grads.y, GRADS);
      tf.dispose([i, r.x, r.y, r.value, r.grads]);
      return r.c.list;
    }
    if (family === 'cloob_clip') {
      const r = pair(fx, 'image_features', 'text_features', (x, y) => clipLoss(x, y, { invTau }));
      r.c.values('loss', 'forward', r.value, fx.outputs.loss, VALUES);
      r.c.values('d/d image', 'gradient', r.grads[0], fx.grads.image_features, GRADS);
      r.c.values('d/d text', 'gradient', r.grads[1], fx.grads.text_features, GRADS);
      tf.dispose([r.x, r.y, r.value, r.grads]);
      return r.c.list;
    }
    if (family === 'cloob_retrieval') {
      const g = tf.tensor(fx.inputs.upstream_grad.data, fx.inputs.upstream_grad.shape);
      // reference order: xx, yy, xy, yx
      const stack = (img: tf.Tensor2D, txt: tf.Tensor2D) => {
        const r = cloobRetrievals(img, txt, beta);
        return tf.stack([r.imageFromImages, r.textFromTexts, r.textFromImages, r.imageFromTexts]);
      };
      const r = pair(fx, 'image_features', 'text_features', (x, y) => tf.mul(stack(x, y), g));
      const out = tf.tidy(() => stack(r.x, r.y));
      r.c.values('retrievals', 'forward', out, fx.outputs.output, VALUES);
      r.c.values('d/d image', 'gradient', r.grads[0], fx.grads.image_features, GRADS);
      r.c.values('d/d text', 'gradient', r.grads[1], fx.grads.text_features, GRADS);
      tf.dispose([g, out, r.x, r.y, r.value, r.grads]);
      return r.c.list;
    }
    if (family === 'cloob_loss') {
      const opts = { invTau, hopfieldBeta: beta };
      const r = pair(fx, 'image_features', 'text_features', (x, y) => cloobLossParts(x, y, opts).loss);
      const parts = cloobLossParts(r.x, r.y, opts);
      r.c.values('loss', 'forward', parts.loss, fx.outputs.loss, VALUES);
      r.c.values('loss_img', 'forward', parts.lossImage, fx.outputs.loss_img, VALUES);
      r.c.values('loss_txt', 'forward', parts.lossText, fx.outputs.loss_txt, VALUES);
      r.c.values('d/d image', 'gradient', r.grads[0], fx.grads.image_features, GRADS);
      r.c.values('d/d text', 'gradient', r.grads[1], fx.grads.text_features, GRADS);
      tf.dispose([Object.values(parts), r.x, r.y, r.value, r.grads]);
      return r.c.list;
    }
    throw new Error(`infoloob runner: unknown family ${family}`);
  },
};
