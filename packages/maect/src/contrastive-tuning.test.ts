import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { augment } from './augment';
import { ContrastiveTuner } from './contrastive-tuning';
import { MaectInputError } from './errors';
import { VisionTransformer } from './vit';

const VIT = { imgSize: 8, patchSize: 4, embedDim: 8, depth: 2, numHeads: 2, seed: 3 };
const HEAD = { projHiddenDim: 16, predHiddenDim: 16, outputDim: 8, queueSize: 16 };

const snapshot = (ws: { read(): tf.Tensor }[]) => ws.map((w) => Array.from(w.read().dataSync()));

describeBackends('MAE-CT contrastive tuning', () => {
  it('stage 2 trains the head only and fills the queue; stage 3 tunes the upper blocks only', async () => {
    const vit = new VisionTransformer(VIT);
    vit.build();
    const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const v0 = augment(x, { seed: 1 });
    const v1 = augment(x, { seed: 2 });
    const ids = [0, 1, 2, 3];
    const labels = [0, 1, 0, 1];
    const enc = snapshot(vit.weights);
    const s2 = new ContrastiveTuner(vit, { stage: 2, ...HEAD, headLr: 1e-2 });
    const head0 = snapshot(s2.projector.trainableWeights);
    const r = s2.step(v0, v1, { ids, labels });
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.nnAccuracy).not.toBeNull();
    expect(snapshot(vit.weights)).toEqual(enc);
    expect(snapshot(s2.projector.trainableWeights)).not.toEqual(head0);
    expect(s2.queue.getState().ids.slice(0, 4)).toEqual(Int32Array.from(ids));
    await expectNoLeakedTensors(() => s2.step(v0, v1, { ids }), { warmup: 1, repeats: 2 });

    const s3 = new ContrastiveTuner(vit, { stage: 3, ...HEAD, topk: 2, from: s2, encoderLr: 1e-2 });
    const before = snapshot(vit.weights);
    const ema0 = snapshot(s3.ema!.target.weights);
    s3.step(v0, v1, { ids, labels, lrFactor: 1 });
    const after = snapshot(vit.weights);
    const changed = vit.weights.map((_w, i) => after[i].some((a, j) => a !== before[i][j]));
    const names = vit.weights.map((w) => w.originalName);
    for (let i = 0; i < names.length; i++) {
      const upper = names[i].startsWith('blocks.1.') || names[i].startsWith('norm.');
      expect(changed[i], names[i]).toBe(upper);
    }
    expect(snapshot(s3.ema!.target.weights)).not.toEqual(ema0);
    await expectNoLeakedTensors(() => s3.step(v0, v1, { ids }), { warmup: 1, repeats: 2 });
    expect(() => s3.step(v0, tf.zeros([2, 8, 8, 3]) as tf.Tensor4D)).toThrow(
      /view1: expected the shape of view0/,
    );
    expect(() => s3.step(v0, v1, { ids: [1] })).toThrow(/ids: expected 4 values/);
    s3.dispose();
    tf.dispose([x, v0, v1]);
    vit.dispose();
  });

  it('layer-wise lr decay: block b gets 0.65^(depth − b), the final norm 1', () => {
    const vit = new VisionTransformer({ ...VIT, depth: 4 });
    vit.build();
    const t = new ContrastiveTuner(vit, { stage: 3, ...HEAD, encoderLr: 1 });
    const lrOf = (name: string) =>
      t.paramGroups.find((g) => g.variables.some((v) => v.name.startsWith(name)))?.lr;
    expect(lrOf('blocks.1.')).toBeUndefined(); // frozen: lower half
    expectClose([lrOf('blocks.2.')!, lrOf('blocks.3.')!, lrOf('norm.')!], [0.65 ** 2, 0.65, 1], {
      rtol: 1e-12,
    });
    t.dispose();
    vit.dispose();
    expect(() => new ContrastiveTuner(vit, { stage: 4 as 2 })).toThrow(MaectInputError);
  });

  it('augment: seeded crops and flips, BYOL set in range, no leaks', async () => {
    const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const a = augment(x, { seed: 5 });
    const b = augment(x, { seed: 5 });
    const c = augment(x, { seed: 6, preset: 'byol', solarize: 1 });
    expectClose(a, b, { rtol: 0, atol: 0 });
    expect(c.shape).toEqual([3, 8, 8, 3]);
    expect(tf.max(c).dataSync()[0]).toBeLessThanOrEqual(1);
    const full = augment(x, { seed: 1, scale: [1, 1], ratio: [1, 1], flip: 0 });
    expectClose(full, x, { rtol: 1e-5, atol: 1e-5, name: 'identity crop' });
    const flipped = augment(x, { seed: 1, scale: [1, 1], ratio: [1, 1], flip: 1 });
    expectClose(flipped, tf.reverse(x, 2), { rtol: 1e-5, atol: 1e-5, name: 'flip' });
    await expectNoLeakedTensors(() => augment(x, { seed: 2, preset: 'byol' }));
    tf.dispose([x, a, b, c, full, flipped]);
  });
});
