import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { reportProblems } from '@paperstack/example-kit';
import { resolveDataOptions } from '@paperstack/example-kit/data';
import { expectNoLeakedTensors, useBackend } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ENCODERS,
  epochBatches,
  gainNote,
  loadCifar10Split,
  loadMnist,
  MAECT_CIFAR10_PRESETS,
  type MaectConfig,
  METRICS,
  markdownTable,
  recordedRuns,
  runMaectExperiment,
  summaryTable,
} from './index';

// As the CLI and the demo run it: wasm with @paperstack/runtime's training kernels.
beforeAll(() => useBackend('wasm'));

describe('loadMnist', () => {
  it('takes the first digits of each class for train and the next ones for test', () => {
    const a = loadMnist({ trainPerClass: 3, testPerClass: 2 });
    const b = loadMnist({ trainPerClass: 5, testPerClass: 1 });
    try {
      expect(a.train.x.shape).toEqual([30, 28, 28, 1]);
      expect(a.test.x.shape).toEqual([20, 28, 28, 1]);
      expect(a.train.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((d) => [d, d, d]));
      expect(a.test.labels.slice(0, 4)).toEqual([0, 0, 1, 1]);
      const train = a.train.x.dataSync();
      expect(Math.min(...train)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...train)).toBeLessThanOrEqual(1);
      expect(Math.max(...train)).toBeGreaterThan(0.5);
      // a's first test digit of class 0 is digit 3 of that class: b's fourth train image.
      const px = 28 * 28;
      expect(a.test.x.dataSync().slice(0, px)).toEqual(b.train.x.dataSync().slice(3 * px, 4 * px));
    } finally {
      tf.dispose([a.train.x, a.test.x, b.train.x, b.test.x]);
    }
  });

  it('names the problem on bad sizes', () => {
    expect(() => loadMnist({ trainPerClass: 0, testPerClass: 2 })).toThrow(
      /expected trainPerClass to be a positive integer, received 0/,
    );
    expect(() => loadMnist({ trainPerClass: 900, testPerClass: 200 })).toThrow(
      /trainPerClass \+ testPerClass ≤ 863, received 900 \+ 200/,
    );
  });

  it('cuts seeded epochs into full batches', () => {
    const e0 = epochBatches(10, 4, 0, 0);
    expect(e0).toHaveLength(2);
    expect(e0.flat()).toHaveLength(8);
    expect(new Set(e0.flat()).size).toBe(8);
    expect(epochBatches(10, 4, 0, 0)).toEqual(e0);
    expect(epochBatches(10, 4, 0, 1)).not.toEqual(e0);
    expect(() => epochBatches(10, 11, 0, 0)).toThrow(/batch to be an integer in \[1, 10\], received 11/);
  });
});

// CIFAR-10 comes from the kit's cache (a 139 MB download the first time): the tests that need the
// images skip when it is not cached, instead of downloading.
const cifarCached = existsSync(join(resolveDataOptions().cacheDir, 'cifar10', 'test-pixels.u8'));
if (!cifarCached)
  console.warn(
    'example-maect: CIFAR-10 is not in the data cache — skipping the CIFAR-10 tests (run `pnpm start -- --dataset cifar10` once to fetch it)',
  );

describe('loadCifar10Split', () => {
  it('names the problem on bad sizes before loading anything', async () => {
    await expect(loadCifar10Split({ trainPerClass: 0, testPerClass: 2 })).rejects.toThrow(
      /expected trainPerClass to be an integer in \[1, 5000\], received 0/,
    );
    await expect(loadCifar10Split({ trainPerClass: 10, testPerClass: 1001 })).rejects.toThrow(
      /expected testPerClass to be an integer in \[1, 1000\], received 1001/,
    );
  });

  it.skipIf(!cifarCached)(
    'takes the first images of each class of the train and the test split, in [0, 1]',
    async () => {
      const a = await loadCifar10Split({ trainPerClass: 3, testPerClass: 2 }, { offline: true });
      try {
        expect(a.train.x.shape).toEqual([30, 32, 32, 3]);
        expect(a.test.x.shape).toEqual([20, 32, 32, 3]);
        expect(a.train.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((c) => [c, c, c]));
        // CIFAR-10's test split starts cat, ship, ship, airplane: its first airplane is image 3
        expect(a.test.labels.slice(0, 4)).toEqual([0, 0, 1, 1]);
        const px = a.train.x.dataSync();
        expect(Math.min(...px)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...px)).toBeLessThanOrEqual(1);
      } finally {
        tf.dispose([a.train.x, a.test.x]);
      }
    },
  );
});

describe('runMaectExperiment', () => {
  const tiny: MaectConfig = {
    seeds: [3],
    trainPerClass: 4,
    testPerClass: 2,
    batch: 20,
    pretrainEpochs: 1,
    headEpochs: 1,
    tuneEpochs: 1,
  };

  it('runs MAE → MAE-CT end to end, leaks no tensors and returns a well-formed report', async () => {
    const stages = new Set<string>();
    const r = await expectNoLeakedTensors(() => runMaectExperiment(tiny, (p) => stages.add(p.stage)), {
      warmup: 1,
      repeats: 1,
    });
    expect(r.name).toBe('maect');
    expect(reportProblems(r)).toEqual([]);
    expect([...stages]).toEqual([
      'load data',
      'evaluate random init',
      'MAE pre-training',
      'evaluate MAE',
      'MAE-CT stage 2 (head init)',
      'MAE-CT stage 3 (tuning)',
      'evaluate MAE-CT',
    ]);
    const [run] = r.runs;
    expect(run.seed).toBe(3);
    expect(run.config).toMatchObject({
      E1: 1,
      E2: 1,
      E3: 1,
      trainImages: 40,
      testImages: 20,
      backend: 'wasm',
    });
    expect(run.results.map((m) => m.name)).toEqual([...ENCODERS]);
    for (const m of run.results)
      for (const [k] of METRICS) {
        expect(m[k]).toBeGreaterThanOrEqual(0);
        expect(m[k]).toBeLessThanOrEqual(1);
      }
    expect(run.curves?.maeStepLoss).toHaveLength(2);
    expect(run.curves?.ct.map((s) => s.stage)).toEqual([2, 2, 3, 3]);
    for (const s of run.curves?.ct ?? []) expect(Number.isFinite(s.loss)).toBe(true);

    const [summary] = r.tables;
    expect(summary.columns).toEqual(['encoder', ...METRICS.map(([, l]) => l)]);
    expect(summary.rows.map((row) => row[0])).toEqual([...ENCODERS]);
    expect(r.figures.map((f) => f.title)).toEqual([
      'Before and after contrastive tuning',
      'MAE pre-training loss',
      'NNCLR loss during contrastive tuning',
      'Nearest-neighbour accuracy during contrastive tuning',
    ]);
    for (const f of r.figures) {
      expect(f.spec.$schema).toMatch(/vega-lite\/v5/);
      expect((f.spec.data as { values: unknown[] }).values.length).toBeGreaterThan(0);
    }
    // The report is plain data (the demo serializes it).
    expect(JSON.parse(JSON.stringify(r)).tables).toEqual(r.tables);
    expect(Object.keys(r.timing)).toEqual([
      'loadData',
      'pretrain',
      'stage2',
      'stage3',
      'evaluation',
      'total',
    ]);
    expect(r.notes?.[1]).toMatch(/^MAE-CT − MAE, points: k-NN \(k 10\) [+-]\d/);
  });
});

describe('runMaectExperiment on CIFAR-10', () => {
  it('the presets: 3 seeds in full, flips and the 32 px RGB ViT', () => {
    expect(MAECT_CIFAR10_PRESETS.full.seeds).toEqual([0, 1, 2]);
    expect(MAECT_CIFAR10_PRESETS.full.dataset).toBe('cifar10');
  });

  it.skipIf(!cifarCached)(
    'runs end to end on RGB images and names its report',
    async () => {
      const r = await expectNoLeakedTensors(
        () =>
          runMaectExperiment({
            dataset: 'cifar10',
            seeds: [1],
            trainPerClass: 2,
            testPerClass: 1,
            batch: 10,
            pretrainEpochs: 1,
            headEpochs: 1,
            tuneEpochs: 1,
          }),
        { warmup: 0, repeats: 1 },
      );
      expect(reportProblems(r)).toEqual([]);
      expect(r.name).toBe('maect-cifar10');
      expect(r.title).toMatch(/CIFAR-10/);
      expect(r.runs[0].config).toMatchObject({ dataset: 'cifar10', trainImages: 20, testImages: 10 });
      expect(r.runs[0].curves?.maeStepLoss).toHaveLength(2);
    },
    300_000,
  ); // three encoders evaluated and two tuning stages: minutes on the shared 2-core machine
});

describe('the measured results', () => {
  it('summarize the CIFAR-10 README table from results/cifar10 (3 seeds)', () => {
    const runs = recordedRuns('cifar10');
    expect(runs.map((r) => r.seed)).toEqual([0, 1, 2]);
    expect(runs.every((r) => r.config.dataset === 'cifar10' && r.config.trainImages === 3000)).toBe(true);
    const md = markdownTable(summaryTable(runs));
    expect(md).toContain(
      '| MAE | 27.8 ± 2.0 | 35.0 ± 1.2 | 27.8 ± 1.5 | 18.6 ± 2.8 | 22.5 ± 0.8 | 13.1 ± 1.0 |',
    );
    expect(md).toContain(
      '| MAE-CT | 28.3 ± 1.1 | 35.5 ± 1.3 | 28.1 ± 2.2 | 19.1 ± 2.1 | 22.9 ± 0.5 | 12.6 ± 0.4 |',
    );
    expect(gainNote(runs)).toMatch(
      /^MAE-CT − MAE, points \(mean of 3 seeds\): k-NN \(k 10\) \+0\.6, linear probe \+0\.4/,
    );
    const native = recordedRuns('cifar10-native');
    expect(native.map((r) => `${r.seed} ${r.config.backend}`)).toEqual([
      '0 tensorflow',
      '1 tensorflow',
      '2 tensorflow',
    ]);
    expect(markdownTable(summaryTable(native))).toContain(
      '| MAE-CT | 28.2 ± 0.9 | 35.7 ± 0.8 | 28.3 ± 2.3 | 19.8 ± 2.7 | 22.5 ± 1.1 | 12.6 ± 0.7 |',
    );
  });

  it('summarize the README table from results/full', () => {
    const runs = recordedRuns('full');
    expect(runs.map((r) => r.seed)).toEqual([0, 1]);
    expect(gainNote(runs)).toMatch(
      /^MAE-CT − MAE, points \(mean of 2 seeds\): k-NN \(k 10\) \+5\.7, linear probe \+4\.\d/,
    );
    const md = markdownTable(summaryTable(runs));
    expect(md).toContain(
      '| MAE-CT | 75.3 ± 1.1 | 79.8 ± 1.0 | 68.8 ± 1.6 | 41.5 ± 3.1 | 32.2 ± 1.3 | 26.4 ± 1.3 |',
    );
    expect(md).toContain(
      '| MAE | 69.6 ± 2.2 | 75.8 ± 1.8 | 63.1 ± 1.9 | 35.1 ± 1.4 | 29.6 ± 2.7 | 22.4 ± 0.2 |',
    );
    expect(md).toContain(
      '| random init | 52.1 ± 1.0 | 60.0 ± 1.0 | 46.1 ± 0.5 | 27.5 ± 5.5 | 26.8 ± 1.6 | 16.9 ± 1.8 |',
    );
  });
});
