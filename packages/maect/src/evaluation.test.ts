import { describeBackends, expectClose, expectNoLeakedTensors, TEST_BACKENDS } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  clusteringAccuracy,
  extractFeatures,
  type Features,
  kmeansClustering,
  knnAccuracy,
  linearProbeAccuracy,
  lowShotIndices,
  normalizedMutualInformation,
} from './evaluation';
import { seededRandom } from './random';
import { VisionTransformer } from './vit';

/** Three well-separated Gaussian classes in 4-D. */
function blobs(n: number, seed: number, noise = 0.1): { f: Features; labels: number[] } {
  const r = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centers = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ];
  const data = new Float32Array(n * 4);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels.push(c);
    for (let j = 0; j < 4; j++) data[i * 4 + j] = centers[c][j] + noise * g();
  }
  return { f: { data, n, dim: 4 }, labels };
}

describeBackends(
  'evaluation',
  (backend) => {
    it('k-NN, linear probe and k-means score separable classes ~1 and noise ~chance', async () => {
      const tr = blobs(90, 1);
      const te = blobs(30, 2);
      expect(knnAccuracy(tr.f, tr.labels, te.f, te.labels, { k: 5 })).toBe(1);
      expect(linearProbeAccuracy(tr.f, tr.labels, te.f, te.labels, { epochs: 20, batchSize: 32 })).toBe(1);
      // seed 0 (the default) is a real seed: tfjs's normal generators alone would draw unseeded
      const noisy = blobs(90, 4, 3);
      const probe = () =>
        linearProbeAccuracy(noisy.f, noisy.labels, te.f, te.labels, { epochs: 2, batchSize: 32 });
      const first = probe();
      for (let i = 0; i < 3; i++) expect(probe()).toBe(first);
      const km = await kmeansClustering(te.f, te.labels, { seed: 1 });
      expect(km.accuracy).toBe(1);
      expect(km.nmi).toBeCloseTo(1, 6);
      const noisyTr = blobs(90, 3, 50);
      const noisyTe = blobs(300, 4, 50);
      expect(knnAccuracy(noisyTr.f, noisyTr.labels, noisyTe.f, noisyTe.labels)).toBeLessThan(0.6);
      await expectNoLeakedTensors(() => knnAccuracy(tr.f, tr.labels, te.f, te.labels));
      await expectNoLeakedTensors(() =>
        linearProbeAccuracy(tr.f, tr.labels, te.f, te.labels, { epochs: 1, batchSize: 64 }),
      );
      expect(() => knnAccuracy(tr.f, tr.labels.slice(1), te.f, te.labels)).toThrow(
        /trainLabels: expected 90 labels \(one per feature row\), received 89/,
      );
    });

    it('clustering accuracy uses the best matching; NMI (arithmetic mean normalization)', async () => {
      expect(await clusteringAccuracy([1, 1, 0, 0, 2, 2], [0, 0, 1, 1, 2, 2])).toBe(1);
      expect(await clusteringAccuracy([0, 0, 0, 1], [0, 0, 1, 1])).toBe(0.75);
      // I(a;b)/mean(H(a),H(b)) computed independently with numpy (float64): 0.7396673768007591
      expect(normalizedMutualInformation([0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2])).toBeCloseTo(
        0.7396673768007591,
        10,
      );
    });

    it('low-shot split is class-balanced and seeded; features are pooled in batches', async () => {
      const labels = Array.from({ length: 100 }, (_, i) => i % 4);
      const a = lowShotIndices(labels, 0.1, 3);
      expect(a.length).toBe(12); // round(25·0.1) = 3 per class (at least one)
      expect(lowShotIndices(labels, 0.1, 3)).toEqual(a);
      expect(new Set(a.map((i) => labels[i])).size).toBe(4);
      const vit = new VisionTransformer({ imgSize: 8, patchSize: 4, embedDim: 8, depth: 1, numHeads: 2 });
      const x = tf.randomNormal([5, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const f = extractFeatures(vit, x, { batchSize: 2 });
      const whole = extractFeatures(vit, x, { batchSize: 8 });
      expect(f.n).toBe(5);
      if (backend === 'tensorflow') {
        // TensorFlow's CPU matMul (Eigen / oneDNN) blocks the product by its number of rows, so
        // batches of 2 and of 8 round a few values differently in the last bit (measured: 1-2 ulp);
        // the cpu and wasm kernels are row-independent and bit-identical here.
        expectClose(f.data, whole.data, { rtol: 1e-6, atol: 1e-7 });
      } else {
        expect(Array.from(f.data)).toEqual(Array.from(whole.data));
      }
      await expectNoLeakedTensors(() => extractFeatures(vit, x, { batchSize: 2 }));
      x.dispose();
      vit.dispose();
    });
  },
  TEST_BACKENDS,
);
