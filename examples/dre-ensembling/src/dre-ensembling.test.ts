import { Rng } from '@paperstack/kernel-dre';
import { expectNoLeakedTensors, useBackend } from '@paperstack/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Classifier,
  type IwaConfig,
  iwaExperiment,
  iwaPreset,
  iwaReport,
  moons,
  shiftDomain,
  shiftedMoons,
} from './index';

beforeAll(async () => {
  await useBackend('cpu');
});

const tiny: IwaConfig = {
  ...iwaPreset('quick'),
  seeds: 1,
  n: 200,
  family: [
    { kind: 'hopfield', width: 8, quantity: 4, scaling: 1 },
    { kind: 'mlp', width: 8 },
  ],
  gammas: [0, 1],
  steps: 40,
  sigmas: [0.2, 0.4],
  maxIterations: 3,
};

describe('data', () => {
  it('moons: balanced labels, seeded', () => {
    const a = moons(100, new Rng(1));
    const b = moons(100, new Rng(1));
    expect(a).toEqual(b);
    expect(a.y.reduce((s, v) => s + v, 0)).toBe(50);
  });

  it('the target domain is a rotation about (0.5, 0.25) plus a shift of 0.3', () => {
    expect(shiftDomain([0.5, 0.25], 30)).toEqual([0.8, 0.25]);
    const p = shiftDomain([1.5, 0.25], 90);
    expect(p[0]).toBeCloseTo(0.8, 10);
    expect(p[1]).toBeCloseTo(1.25, 10);
    const { source, target } = shiftedMoons(50, 30, new Rng(2));
    expect(source.x).toHaveLength(50);
    expect(target.y).toHaveLength(50);
  });
});

describe('classifiers', () => {
  it('a Hopfield-layer classifier and an MLP learn the source moons', () => {
    const { x, y } = moons(200, new Rng(3));
    const w = new Array(200).fill(1);
    for (const spec of tiny.family) {
      const c = new Classifier(spec, 1);
      c.train(x, y, w, { steps: 100, learningRate: 0.03, l2: 1e-4 });
      const p = c.predictProba(x);
      const acc = p.reduce((a, q, i) => a + ((q[1] > 0.5 ? 1 : 0) === y[i] ? 1 : 0), 0) / 200;
      expect(acc).toBeGreaterThan(0.8);
      c.dispose();
    }
  });

  it('training and prediction leak no tensors', async () => {
    const { x, y } = moons(40, new Rng(4));
    await expectNoLeakedTensors(() => {
      for (const spec of tiny.family) {
        const c = new Classifier(spec, 2);
        c.train(x, y, new Array(40).fill(1), { steps: 3, learningRate: 0.01, l2: 1e-4 });
        c.predictProba(x);
        c.dispose();
      }
    });
  });
});

describe('IWA experiment', () => {
  it('a tiny run gives accuracies in [0, 1] ordered worst ≤ IWA, uniform ≤ best, and plain report data', async () => {
    const res = await iwaExperiment(tiny);
    expect(res.members).toHaveLength(4);
    const s = res.seeds[0];
    for (const v of [s.iwa, s.uniform, s.sourceOnly, s.bestSingle, s.worstSingle])
      expect(v).toBeGreaterThanOrEqual(0);
    expect(s.bestSingle).toBeLessThanOrEqual(1);
    expect(s.worstSingle).toBeLessThanOrEqual(s.sourceOnly);
    expect(s.sourceOnly).toBeLessThanOrEqual(s.bestSingle);
    expect(s.iwaWeights).toHaveLength(4);
    expect(s.kulsif.weightMean).toBeGreaterThan(0);
    // the members beat chance on the target (the shift is moderate)
    expect(s.bestSingle).toBeGreaterThan(0.6);
    const rep = iwaReport(res);
    expect(rep.tables[0].rows.map((r) => r[0])[0]).toBe('IWA (KuLSIF weights)');
    expect(JSON.parse(JSON.stringify(rep))).toEqual(rep);
  });
});
