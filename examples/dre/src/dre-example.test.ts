import type { LabelledTable } from '@paperstack/example-kit/data';
import { Rng } from '@paperstack/kernel-dre';
import { expectNoLeakedTensors, useBackend } from '@paperstack/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BreastOracle,
  breastBenchmark,
  breastReport,
  logLogSlope,
  type MixtureConfig,
  mixtureBenchmark,
  mixtureReport,
  nmse,
  readBreastOracle,
  type SaturationConfig,
  saturation,
  saturationPreset,
  saturationProblem,
  saturationReport,
} from './index';

beforeAll(async () => {
  await useBackend('cpu');
});

const tinySaturation: SaturationConfig = {
  ...saturationPreset('quick'),
  reps: 3,
  ns: [50, 100, 400],
  ts: [1, 3],
  lambdas: [1e-1, 1e-2, 1e-3],
  testPoints: 300,
};

const tinyMixture: MixtureConfig = {
  reps: 1,
  nsamples: 120,
  d: 2,
  ncomps: 4,
  T: 3,
  lambdas: [1, 0.1, 0.01],
  methods: ['kulsif', 'square'],
  seed: 7,
};

describe('saturation data', () => {
  it('the bump ratio has mean 1 under q and p = q·r is drawn by rejection', () => {
    const { ratio, sample } = saturationProblem({ problem: 'bump', d: 1, mu: 0.5 });
    const rng = new Rng(3);
    const q = sample(20000, false, rng);
    let m = 0;
    for (let i = 0; i < q.rows; i++) m += ratio(q.data, i) / q.rows;
    expect(m).toBeCloseTo(1, 1);
    // E_p[x] = E_q[x r(x)]; both sampled
    const p = sample(20000, true, rng);
    let ep = 0;
    let eq = 0;
    for (let i = 0; i < p.rows; i++) {
      ep += p.data[i] / p.rows;
      eq += (q.data[i] * ratio(q.data, i)) / q.rows;
    }
    expect(Math.abs(ep - eq)).toBeLessThan(0.02);
    expect(Math.min(...p.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p.data)).toBeLessThanOrEqual(1);
  });

  it('logLogSlope recovers a power law', () => {
    expect(logLogSlope([10, 100, 1000], [1, 0.1 ** 0.5, 0.01 ** 0.5])).toBeCloseTo(-0.5, 10);
  });
});

describe('saturation experiment', () => {
  it('a tiny run: error shrinks with n, slopes negative, report shape', () => {
    const res = saturation(tinySaturation);
    expect(res.best.map((b) => b.n)).toEqual([50, 100, 400]);
    for (const b of res.best) for (const x of b.byT) expect(Number.isFinite(x.error)).toBe(true);
    expect(res.best[2].byT[0].error).toBeLessThan(res.best[0].byT[0].error);
    for (const s of res.slopes) expect(s.slope).toBeLessThan(0);
    const rep = saturationReport(res);
    expect(rep.tables[0].columns).toEqual(['n', 't = 1', 't = 3']);
    expect(rep.tables[0].rows.at(-1)?.[0]).toBe('fitted slope');
    expect((rep.figures[0].spec.data as { values: unknown[] }).values).toHaveLength(6);
    expect(JSON.parse(JSON.stringify(rep))).toEqual(rep); // plain data
    expect(rep.timing.saturation).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const a = saturation({ ...tinySaturation, reps: 1, ns: [50, 100] });
    const b = saturation({ ...tinySaturation, reps: 1, ns: [50, 100] });
    expect(a.best).toEqual(b.best);
  });
});

describe('Gaussian-mixture benchmark', () => {
  it('nMSE is 0 for a perfect (or rescaled) estimate', () => {
    expect(nmse([1, 2, 3], [1, 2, 3])).toBeCloseTo(0, 8);
    expect(nmse([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 8);
    expect(nmse([1, 3], [1, 1])).toBeGreaterThan(0.1);
  });

  it('a tiny run: finite nMSE for every method, t within the searched range, plain methods at t = 1', () => {
    const res = mixtureBenchmark(tinyMixture);
    expect(Object.keys(res.summary).sort()).toEqual([
      'constant',
      'iter-kulsif',
      'iter-square',
      'kulsif',
      'square',
    ]);
    for (const v of Object.values(res.summary)) {
      expect(v.values).toHaveLength(1);
      expect(Number.isFinite(v.mean)).toBe(true);
    }
    for (const c of res.summary['iter-kulsif'].chosen ?? []) expect(c.t).toBeLessThanOrEqual(3);
    for (const c of res.summary.kulsif.chosen ?? []) expect(c.t).toBe(1);
    const rep = mixtureReport(res);
    expect(rep.tables[0].rows.map((r) => r[0])).toEqual([
      'constant r̂ ≡ 1',
      'KuLSIF',
      'iterated KuLSIF',
      'square',
      'iterated square',
    ]);
    expect(JSON.parse(JSON.stringify(rep))).toEqual(rep);
  });
});

/** A small labelled table and an oracle in the committed file's shape: ratio exp(x₀), 2 folds. */
function tinyBreast(): { data: LabelledTable; oracle: BreastOracle } {
  const rng = new Rng(5);
  const n = 80;
  const d = 3;
  const x = Float64Array.from({ length: n * d }, () => rng.normal() * 2 + 5);
  const labels = Array.from({ length: n }, (_, i) => (x[i * d] > 5 ? 0 : 1));
  const ratio = Array.from({ length: n }, (_, i) => Math.exp(x[i * d] - 5));
  const folds = [0, 1].map((f) => {
    const test = [...Array(n).keys()].filter((i) => i % 2 === f);
    const val = [...Array(n).keys()].filter((i) => i % 2 !== f && i % 5 === 0);
    return { test, val };
  });
  return {
    data: { name: 'tiny', x, n, d, labels: Int32Array.from(labels), classNames: ['a', 'b'] },
    oracle: { reference: 'test', sklearn: '-', csvSha256: '-', seeds: [{ seed: 1, labels, ratio, folds }] },
  };
}

describe('breast-cancer benchmark', () => {
  it('the committed oracle: 3 seeds, labels and ratios for 569 rows, 10 test folds partitioning them', () => {
    const o = readBreastOracle();
    expect(o.seeds.map((s) => s.seed)).toEqual([1, 2, 3]);
    for (const s of o.seeds) {
      expect(s.labels).toHaveLength(569);
      expect(s.ratio.every((r) => r > 0 && Number.isFinite(r))).toBe(true);
      expect(s.folds).toHaveLength(10);
      expect(s.folds.flatMap((f) => f.test).sort((a, b) => a - b)).toEqual([...Array(569).keys()]);
      for (const f of s.folds) {
        const test = new Set(f.test);
        expect(f.val.some((i) => test.has(i))).toBe(false);
        expect(f.val.length).toBeGreaterThan(90); // 20 % of the ~512 training rows
      }
    }
  });

  it('a tiny run: finite nMSE per fold, plain at t = 1, iterated-vs-plain counts cover every fold', () => {
    const { data, oracle } = tinyBreast();
    const cfg = {
      seeds: [1],
      folds: 2,
      T: 3,
      lambdas: [1, 0.1, 0.01],
      methods: ['kulsif', 'logistic'] as const,
    };
    const res = breastBenchmark({ ...cfg, methods: [...cfg.methods] }, undefined, data, oracle);
    for (const k of ['constant', 'kulsif', 'iter-kulsif', 'logistic', 'iter-logistic']) {
      expect(res.summary[k].values).toHaveLength(1);
      expect(res.summary[k].values[0]).toHaveLength(2);
      expect(res.summary[k].values[0].every(Number.isFinite)).toBe(true);
    }
    for (const c of res.summary.kulsif.chosen.flat()) expect(c.t).toBe(1);
    for (const c of res.summary['iter-logistic'].chosen.flat()) expect(c.t).toBeLessThanOrEqual(3);
    const w = res.wins.kulsif;
    expect(w.better + w.worse + w.same).toBe(2);
    const rep = breastReport(res);
    expect(rep.tables[0].rows.map((r) => r[0])).toEqual([
      'constant r̂ ≡ 1',
      'KuLSIF',
      'iterated KuLSIF',
      'logistic',
      'iterated logistic',
    ]);
    expect(JSON.parse(JSON.stringify(rep))).toEqual(rep);
    expect(() =>
      breastBenchmark({ ...cfg, methods: ['kulsif'], seeds: [9] }, undefined, data, oracle),
    ).toThrow(/seed 9 is not in the oracle/);
  });
});

it('leaves no tensors behind', async () => {
  await expectNoLeakedTensors(
    () => {
      saturation({ ...tinySaturation, reps: 1, ns: [50], lambdas: [1e-2] });
      mixtureBenchmark({ ...tinyMixture, nsamples: 60, methods: ['kulsif'] });
    },
    { warmup: 1, repeats: 1 },
  );
});
