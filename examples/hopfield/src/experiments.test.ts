import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentReport, Progress } from '@paperstack/example-kit';
import { describeBackends } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { EXPERIMENTS } from './experiments';
import { milConfig, runMilExperiment } from './mil/experiment';
import { writeMilFile } from './mil/format';
import { syntheticCorelMil } from './mil/synthetic';
import { retrievalConfig, runRetrievalExperiment } from './retrieval/experiment';

function expectPlainReport(r: ExperimentReport) {
  expect(r.tables.length).toBeGreaterThan(0);
  for (const t of r.tables) for (const row of t.rows) expect(row.length).toBe(t.columns.length);
  for (const f of r.figures) expect(f.spec.$schema).toMatch(/vega-lite\/v5/);
  expect(() => JSON.stringify(r)).not.toThrow();
  expect(Object.values(r.timing).every((ms) => ms >= 0)).toBe(true);
  expect((r.notes ?? []).some((n) => n.startsWith('warning'))).toBe(false);
}

describeBackends('experiments (tiny configurations)', () => {
  it('lists the experiments with their presets', () => {
    expect(Object.keys(EXPERIMENTS)).toEqual(['retrieval', 'mil', 'mnist-bags']);
    expect(retrievalConfig('full').capacity.dims.length).toBeGreaterThan(
      retrievalConfig('quick').capacity.dims.length,
    );
    expect(milConfig('quick').benchmark!.folds).toBe(10);
  });

  it('runRetrievalExperiment returns tables, figures and progress', async () => {
    const q = retrievalConfig('quick');
    const events: Progress[] = [];
    const before = tf.memory().numTensors;
    const r = await runRetrievalExperiment('quick', (p) => events.push(p), {
      capacity: { ...q.capacity, dims: [8, 12], counts: [2, 8, 32], queries: 16 },
      betaGrid: { ...q.betaGrid, dim: 8, counts: [2, 8], betas: [0.1, 1], queries: 8 },
      images: { ...q.images, counts: [20], betas: [2 ** -6, 2 ** -1], queries: 4, showBetas: [2 ** -1] },
    });
    expect(tf.memory().numTensors).toBe(before);
    expectPlainReport(r);
    expect(r.figures.length).toBe(5);
    expect(new Set(events.map((e) => e.stage))).toEqual(new Set(['capacity', 'beta grid', 'images']));
  });

  it('runMilExperiment runs the bit-pattern task and cross-validates a file in the classic format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mil-exp-'));
    const file = join(dir, 'tiny.svm');
    writeMilFile(file, syntheticCorelMil({ numBags: 20, dim: 10, seed: 1 }));
    const q = milConfig('quick');
    const r = await runMilExperiment('quick', undefined, {
      dataFiles: [file],
      syntheticData: false,
      config: {
        bitPattern: {
          ...q.bitPattern!,
          data: { numBags: 64, numInstances: 4, numSignals: 2 },
          trainRange: [16, 48],
          train: { ...q.bitPattern!.train, epochs: 1 },
          models: q.bitPattern!.models.slice(-2),
        },
        benchmark: { ...q.benchmark!, folds: 2, train: { ...q.benchmark!.train, epochs: 1 } },
      },
    });
    expectPlainReport(r);
    const cv = r.tables.find((t) => t.title.startsWith('MIL benchmark: 2-fold'))!;
    expect(cv.columns).toEqual(['model', 'tiny']);
    expect(cv.rows.length).toBe(q.benchmark!.models.length);
  });
}, ['wasm']);
