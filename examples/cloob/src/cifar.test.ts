import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataOptions } from '@paperstack/example-kit/data';
import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  CAPTION_TEMPLATES,
  CLOOB_SETTINGS,
  classEmbeddings,
  hashedBagOfWords,
  loadCifarPairs,
  runCloobCifarExperiment,
  ZERO_SHOT_TEMPLATES,
} from './index';

/** CIFAR-10 is 139 MB: the tests that need it run where the example kit's cache holds it. */
const cached = existsSync(join(resolveDataOptions().cacheDir, 'cifar10', 'test-pixels.u8'));

describeBackends('classEmbeddings (prompt ensemble)', () => {
  it('averages each class’s normalized prompt embeddings and re-normalizes', () => {
    const prompts = tf.tensor2d([
      [1, 0],
      [0, 1],
      [-1, 0],
      [-1, 0],
    ]);
    const out = classEmbeddings(prompts, 2, 2);
    const v = out.arraySync();
    expect(v[0][0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(v[0][1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(v[1]).toEqual([-1, 0]);
    expect(classEmbeddings(prompts, 4, 1)).toBe(prompts);
    tf.dispose([prompts, out]);
  });
});

describe('prompt templates', () => {
  it('keeps the zero-shot templates out of the caption templates', () => {
    for (const t of ZERO_SHOT_TEMPLATES) expect(CAPTION_TEMPLATES).not.toContain(t);
  });
});

describe.skipIf(!cached)('loadCifarPairs (cached CIFAR-10)', () => {
  it('pairs balanced images with seeded captions and an ensemble of class prompts', async () => {
    const a = await loadCifarPairs({ trainPairs: 50, testPairs: 20, seed: 1 });
    const b = await loadCifarPairs({ trainPairs: 50, testPairs: 20, seed: 1 });
    const c = await loadCifarPairs({ trainPairs: 50, testPairs: 20, seed: 2 });
    expect(a.train.labels.length).toBe(50);
    expect(a.test.labels.length).toBe(20);
    expect(a.train.imageDim).toBe(768);
    expect(a.train.images).toEqual(c.train.images); // the images do not depend on the seed
    expect(a.train.texts).toEqual(b.train.texts);
    expect(a.train.texts).not.toEqual(c.train.texts);
    expect(a.train.promptsPerClass).toBe(ZERO_SHOT_TEMPLATES.length);
    expect(a.train.prompts.length).toBe(10 * ZERO_SHOT_TEMPLATES.length * a.train.textDim);
    expect(Array.from(a.train.prompts.subarray(0, a.train.textDim))).toEqual(
      Array.from(hashedBagOfWords(ZERO_SHOT_TEMPLATES[0].replace('{}', 'airplane'), a.train.textDim)),
    );
    const counts = new Array(10).fill(0);
    for (const l of a.train.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(5));
    await expect(loadCifarPairs({ trainPairs: 55, testPairs: 20 })).rejects.toThrow(
      /trainPairs to be a positive multiple of 10, received 55/,
    );
  });
});

describeBackends('runCloobCifarExperiment (tiny configuration)', () => {
  it.skipIf(!cached)('reports zero-shot accuracy per setting and seed and leaks no tensors', async () => {
    const r = await expectNoLeakedTensors(() =>
      runCloobCifarExperiment({
        seeds: [0, 1],
        steps: 3,
        batchSize: 8,
        learningRate: 1e-3,
        trainPairs: 40,
        testPairs: 20,
        hidden: 16,
        embedDim: 8,
        settings: [CLOOB_SETTINGS[0], CLOOB_SETTINGS[2]],
      }),
    );
    expect(r.runs.map((x) => [x.setting, x.seed])).toEqual([
      [CLOOB_SETTINGS[0].label, 0],
      [CLOOB_SETTINGS[2].label, 0],
      [CLOOB_SETTINGS[0].label, 1],
      [CLOOB_SETTINGS[2].label, 1],
    ]);
    for (const x of r.runs) expect(x.zeroShotAccuracy >= 0 && x.zeroShotAccuracy <= 1).toBe(true);
    // CLOOB keeps 1/τ fixed; CLIP learns it.
    expect(r.runs[1].invTau).toBeCloseTo(30, 4);
    expect(r.tables[0].rows.map((row) => row[0])).toEqual([CLOOB_SETTINGS[0].label, CLOOB_SETTINGS[2].label]);
    expect(r.figures.length).toBe(2);
    await expect(runCloobCifarExperiment('medium' as 'quick')).rejects.toThrow(
      /preset must be 'quick' or 'full'/,
    );
  });
});
