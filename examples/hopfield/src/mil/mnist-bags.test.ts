import { loadMnist } from '@paperstack/example-kit/data';
import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bagSize } from './dataset';
import { MNIST_MEAN, MNIST_STD, mnistBags, splitMnist } from './mnist-bags';
import { mnistBagsConfig, runMnistBagsExperiment } from './mnist-bags-experiment';
import { MilModel } from './model';
import { predictMil, trainMil } from './train';

describe('MNIST-bags (Ilse et al. 2018)', () => {
  const images = loadMnist();
  const split = splitMnist(images);

  it('splits the digits into disjoint per-class halves', () => {
    expect(split.train.length + split.test.length).toBe(images.n);
    const train = new Set(split.train);
    expect(split.test.every((r) => !train.has(r))).toBe(true);
    const nines = (rows: Int32Array) => rows.filter((r) => images.labels[r] === 9).length;
    expect(nines(split.train)).toBe(Math.floor(978 / 2));
    expect(Array.from(splitMnist(images).test)).toEqual(Array.from(split.test));
  });

  it('draws bags of about 10 digits, positive iff one is a 9, normalized like Ilse et al.', () => {
    const ds = mnistBags(images, split.train, { numBags: 400, seed: 3 });
    expect(ds.dim).toBe(784);
    const sizes = ds.bags.map((_, b) => bagSize(ds, b));
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(9); // ⌊N(10, 2)⌋ has mean ≈ 9.5
    expect(mean).toBeLessThan(10);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Array.from(ds.labels)).toEqual(ds.instanceLabels!.map((inst) => (inst.includes(1) ? 1 : 0)));
    const share = ds.labels.reduce((a, b) => a + b, 0) / ds.labels.length;
    expect(share).toBeGreaterThan(0.4); // 1 − 0.9^9.5 ≈ 0.63
    expect(share).toBeLessThan(0.8);
    const background = -MNIST_MEAN / MNIST_STD;
    expect(Math.min(...ds.bags[0])).toBeCloseTo(background, 5);
    expect(mnistBags(images, split.train, { numBags: 400, seed: 3 }).bags[7]).toEqual(ds.bags[7]);
  });

  it('rejects bad options with the argument and what it received', () => {
    expect(() => mnistBags(images, split.train, { numBags: 0 })).toThrow(
      /numBags must be a positive integer, received 0/,
    );
    expect(() => mnistBags(images, split.train, { numBags: 2, target: 10 })).toThrow(/target .* received 10/);
    expect(() => mnistBags(images, new Int32Array(0), { numBags: 2 })).toThrow(/rows must not be empty/);
  });
});

describeBackends('MNIST-bags models', (backend) => {
  it('conv embedding: checks its shape, and trains without leaking tensors', async () => {
    expect(
      () =>
        new MilModel({
          inputDim: 784,
          pooling: 'mean',
          conv: { height: 28, width: 27, channels: 1, filters: [2, 2] },
        }),
    ).toThrow(/height·width·channels = inputDim.*received 28·27·1 = 756, inputDim 784/);
    const images = loadMnist();
    const ds = mnistBags(images, splitMnist(images).train, { numBags: 6, meanBagSize: 3, varBagSize: 1 });
    const conv = { height: 28, width: 28, channels: 1, filters: [2, 3] as [number, number] };
    await expectNoLeakedTensors(
      async () => {
        const m = new MilModel({
          inputDim: 784,
          pooling: 'hopfield',
          embedDim: 8,
          conv,
          hopfield: { numHeads: 2 },
        });
        await trainMil(m, ds, { epochs: 1, batchSize: 3 });
        const scores = await predictMil(m, ds);
        expect(scores.every(Number.isFinite)).toBe(true);
        m.dispose();
      },
      { repeats: 2 },
    );
  });

  // the plain-JS cpu backend's convolution gradients take minutes even here
  it.runIf(backend !== 'cpu')(
    'the quick preset runs end to end and reports every model and size',
    async () => {
      const before = tf.memory().numTensors;
      const r = await runMnistBagsExperiment('quick');
      expect(tf.memory().numTensors).toBe(before);
      const q = mnistBagsConfig('quick');
      expect(r.tables[0].rows.length).toBe(q.models.length);
      expect(r.tables[0].columns.length).toBe(1 + q.trainBags.length);
      expect(r.tables[2].rows.length).toBe(q.models.length * q.trainBags.length * q.seeds.length);
      expect((r.notes ?? []).some((n) => n.startsWith('warning'))).toBe(false);
      expect(r.figures.map((f) => f.title)).toEqual(['MNIST-bags: test AUC vs training bags']);
      const points = (r.figures[0].spec.data as { values: { auc: number }[] }).values;
      expect(points.length).toBe(r.tables[2].rows.length);
      expect(points.every((p) => p.auc >= 0 && p.auc <= 1)).toBe(true);
      const full = mnistBagsConfig('full');
      expect(full.trainBags).toEqual([50, 100, 150, 200]);
      expect(full.testBags).toBe(1000);
      expect(full.seeds.length).toBeGreaterThanOrEqual(3);
    },
  );
});
