// ContrastiveTuner.stepAsync (no synchronous read, for webgpu in Node) gives what step gives.
// On a real webgpu adapter: packages/runtime/test/webgpu-training.test.ts.
import { describeBackends } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { augment, ContrastiveTuner, VisionTransformer } from './index';

const VIT = { imgSize: 8, patchSize: 4, embedDim: 8, depth: 2, numHeads: 2, seed: 3 };
const HEAD = { projHiddenDim: 16, predHiddenDim: 16, outputDim: 8, queueSize: 16 };

describeBackends('MAE-CT contrastive tuning without synchronous reads', () => {
  it('stepAsync: the same losses, nn accuracy and queue as step (stage 3, topk 2)', async () => {
    const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const v0 = augment(x, { seed: 1 });
    const v1 = augment(x, { seed: 2 });
    const run = async (useAsync: boolean) => {
      const vit = new VisionTransformer(VIT);
      vit.build();
      const t = new ContrastiveTuner(vit, { stage: 3, ...HEAD, topk: 2, encoderLr: 1e-2, seed: 4 });
      const out: (number | null)[] = [];
      for (let s = 0; s < 3; s++) {
        const o = { ids: [0, 1, 2, 3], labels: [0, 1, 0, 1] };
        const r = useAsync ? await t.stepAsync(v0, v1, o) : t.step(v0, v1, o);
        out.push(r.loss, r.nnAccuracy);
      }
      const queue = Array.from(t.queue.getState().rows);
      t.dispose();
      vit.dispose();
      return { out, queue };
    };
    const want = await run(false);
    const before = tf.memory().numTensors;
    const got = await run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.out).toEqual(want.out);
    expect(got.queue).toEqual(want.queue);
    tf.dispose([x, v0, v1]);
  });
});
