// maect families against facebookresearch/mae efb2a80: get_2d_sincos_pos_embed (host float64 and
// the tensor), patchify / unpatchify and forward_loss (with and without norm_pix_loss) — values and
// gradients. Tolerances: mae-parity.test.ts's (host 1e-12; forward rtol 1e-4 / atol 1e-5,
// gradients rtol 1e-3 / atol 1e-5).
import { maeLoss, patchify, sincosPosEmbed2d, sincosPosEmbed2dValues, unpatchify } from '@paperstack/maect';
import type { Fixture } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { Checks, type FamilyRunner } from './types';

const FWD = { rtol: 1e-4, atol: 1e-5 };
const GRAD = { rtol: 1e-3, atol: 1e-5 };
const HOST = { rtol: 1e-12, atol: 1e-12 };
const CF = { dataFormat: 'channelsFirst' as const };

const t = (fx: Fixture, k: string) => tf.tensor(fx.inputs[k].data, fx.inputs[k].shape);

export const maectRunner: FamilyRunner = {
  kind: 'tfjs',
  run(fx) {
    const family = (fx.meta.sweep as { family: string }).family;
    const c = new Checks();
    const p = fx.config.patch_size as number;
    if (family === 'mae_pos_embed') {
      const {
        embed_dim: D,
        grid_size: G,
        cls_token: clsToken,
      } = fx.config as {
        embed_dim: number;
        grid_size: number;
        cls_token: boolean;
      };
      c.values(
        'pos_embed (host float64)',
        'forward',
        sincosPosEmbed2dValues(D, G, { clsToken }),
        fx.outputs.output,
        HOST,
      );
      const e = sincosPosEmbed2d(D, G, { clsToken });
      c.values('pos_embed tensor', 'forward', e, fx.outputs.output, FWD);
      e.dispose();
      return c.list;
    }
    if (family === 'mae_patchify' || family === 'mae_unpatchify') {
      const name = family === 'mae_patchify' ? 'imgs' : 'x';
      const f = (v: tf.Tensor) => (family === 'mae_patchify' ? patchify(v, p, CF) : unpatchify(v, p, CF));
      const x = t(fx, name);
      const g = t(fx, 'upstream_grad');
      const out = f(x);
      c.values(family.slice(4), 'forward', out, fx.outputs.output, FWD);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), g)))(x);
      c.values(`d/d ${name}`, 'gradient', grad, fx.grads[name], GRAD);
      tf.dispose([x, g, out, grad]);
      return c.list;
    }
    if (family === 'mae_loss') {
      const [imgs, pred, mask] = ['imgs', 'pred', 'mask'].map((k) => t(fx, k));
      const opts = { patchSize: p, normPixLoss: fx.config.norm_pix_loss as boolean, ...CF };
      const { value, grads } = tf.valueAndGrads(
        (a: tf.Tensor, b: tf.Tensor) => maeLoss(a, b, mask, opts) as tf.Scalar,
      )([imgs, pred]);
      c.values('loss', 'forward', value, fx.outputs.loss, FWD);
      c.values('d/d imgs', 'gradient', grads[0], fx.grads.imgs, GRAD);
      c.values('d/d pred', 'gradient', grads[1], fx.grads.pred, GRAD);
      tf.dispose([imgs, pred, mask, value, grads]);
      return c.list;
    }
    throw new Error(`maect runner: unknown family ${family}`);
  },
};
