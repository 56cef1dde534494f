import { describeBackends, expectClose, expectNoLeakedTensors, useBackend } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { conv2d, conv2dTranspose, scatterToDense } from './ops';

/** Reference numbers from tfjs's own kernels on cpu (conv2d / conv2dTranspose and their grads). */
function reference(kind: 'conv' | 'deconv', stride: number, k: number) {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    if (kind === 'conv') {
      const w = tf.randomNormal([k, k, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const pad = (k - 1) / 2;
      const native = (a: tf.Tensor4D, b: tf.Tensor4D) =>
        tf.conv2d(a, b, stride, [
          [0, 0],
          [pad, pad],
          [pad, pad],
          [0, 0],
        ]);
      const y = native(x, w);
      const up = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(native(a as tf.Tensor4D, b as tf.Tensor4D), up)),
      )([x, w]);
      return { x, w, up, y, gx: g[0], gw: g[1], pad };
    }
    const w = tf.randomNormal([k, k, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const same = stride === 1;
    const native = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      tf.conv2dTranspose(
        a,
        b,
        (same ? [2, 6, 5, 4] : [2, 6 * stride, 5 * stride, 4]) as [number, number, number, number],
        stride,
        same ? 'same' : 'valid',
      );
    const y = native(x, w);
    const up = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(native(a as tf.Tensor4D, b as tf.Tensor4D), up)),
    )([x, w]);
    return { x, w, up, y, gx: g[0], gw: g[1], pad: 0 };
  });
}

const CASES: ['conv' | 'deconv', number, number][] = [
  ['conv', 1, 3],
  ['conv', 2, 3],
  ['conv', 1, 1],
  ['deconv', 1, 3],
  ['deconv', 2, 2],
  ['deconv', 4, 4],
];

describe('conv ops: reference from tfjs native kernels (cpu)', () => {
  const refs: Record<
    string,
    {
      x: number[];
      w: number[];
      up: number[];
      y: number[];
      gx: number[];
      gw: number[];
      xs: number[];
      ws: number[];
      ups: number[];
      pad: number;
    }
  > = {};
  it('computes the references', async () => {
    await useBackend('cpu');
    for (const [kind, s, k] of CASES) {
      const r = reference(kind, s, k);
      refs[`${kind}${s}${k}`] = {
        x: Array.from(r.x.dataSync()),
        w: Array.from(r.w.dataSync()),
        up: Array.from(r.up.dataSync()),
        y: Array.from(r.y.dataSync()),
        gx: Array.from(r.gx.dataSync()),
        gw: Array.from(r.gw.dataSync()),
        xs: r.x.shape,
        ws: r.w.shape,
        ups: r.up.shape,
        pad: r.pad,
      };
      tf.dispose(Object.values(r).filter((v) => v instanceof tf.Tensor));
    }
  });
  describeBackends('custom-gradient conv2d / conv2dTranspose', () => {
    for (const [kind, s, k] of CASES) {
      it(`${kind} stride ${s} kernel ${k}: value and gradients match the native kernels`, async () => {
        const r = refs[`${kind}${s}${k}`];
        const x = tf.tensor4d(r.x, r.xs as [number, number, number, number]);
        const w = tf.tensor4d(r.w, r.ws as [number, number, number, number]);
        const up = tf.tensor(r.up, r.ups);
        const op = (a: tf.Tensor4D, b: tf.Tensor4D) =>
          kind === 'conv' ? conv2d(a, b, s, [r.pad, r.pad]) : conv2dTranspose(a, b, s);
        const y = op(x, w);
        expectClose(await y.data(), r.y, { atol: 1e-4, rtol: 1e-4, name: 'value' });
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D), up)),
        )([x, w]);
        expectClose(await gx.data(), r.gx, { atol: 1e-3, rtol: 1e-4, name: 'dx' });
        expectClose(await gw.data(), r.gw, { atol: 1e-3, rtol: 1e-4, name: 'dw' });
        tf.dispose([y, gx, gw]);
        await expectNoLeakedTensors(() =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(op(a as tf.Tensor4D, b as tf.Tensor4D)))([x, w]),
        );
        tf.dispose([x, w, up]);
      });
    }
    it('scatterToDense places features at (z, y, x) and its gradient gathers them back', async () => {
      const f = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const coords = new Int32Array([0, 1, 2, 1, 0, 0, 0, 0, 1]);
      const dense = scatterToDense(f, coords, [2, 2, 3]);
      const d = await dense.array();
      expectClose(d[0][0][1][2], [1, 2]);
      expectClose(d[0][1][0][0], [3, 4]);
      expectClose(d[0][0][0][1], [5, 6]);
      const w = tf.reshape(tf.range(0, 24), [1, 2, 2, 3, 2]);
      const g = tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(scatterToDense(a as tf.Tensor2D, coords, [2, 2, 3]), w)),
      )(f);
      // d/d f[k] = w at the voxel's cell
      expectClose(await g.data(), [10, 11, 12, 13, 2, 3]);
      await expectNoLeakedTensors(() =>
        tf.grad((a: tf.Tensor) => tf.sum(scatterToDense(a as tf.Tensor2D, coords, [2, 2, 3])))(f),
      );
      tf.dispose([f, dense, w, g]);
    });
  });
});
