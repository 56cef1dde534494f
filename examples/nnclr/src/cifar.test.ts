import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { uniform } from '@paperstack/example-kit';
import { resolveDataOptions } from '@paperstack/example-kit/data';
import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { augmentColor, CIFAR_DIM, loadCifarDataset, NNCLR_CIFAR_PRESETS, runNnclrExperiment } from './index';

/** CIFAR-10 is 139 MB: the tests that need it run where the example kit's cache holds it. */
const cached = existsSync(join(resolveDataOptions().cacheDir, 'cifar10', 'test-pixels.u8'));

describe('augmentColor', () => {
  const img = Float32Array.from({ length: CIFAR_DIM }, (_, i) => ((i * 37) % 101) / 100);

  it('is fixed by the seed, stays in [0, 1] and differs between draws', () => {
    const a = augmentColor(img, uniform(3));
    expect(augmentColor(img, uniform(3))).toEqual(a);
    expect(augmentColor(img, uniform(4))).not.toEqual(a);
    expect(a.length).toBe(CIFAR_DIM);
    for (const v of a) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('with shift only, moves or mirrors pixels without changing their colours', () => {
    const colours = new Set<string>();
    for (let p = 0; p < CIFAR_DIM; p += 3) colours.add(`${img[p]},${img[p + 1]},${img[p + 2]}`);
    const v = augmentColor(img, uniform(5), 'shift');
    for (let p = 0; p < CIFAR_DIM; p += 3) expect(colours.has(`${v[p]},${v[p + 1]},${v[p + 2]}`)).toBe(true);
  });

  it('names a wrong image size', () => {
    expect(() => augmentColor(new Float32Array(10), uniform(0))).toThrow(
      /img must hold 768 values \(16×16×3\), received 10/,
    );
  });
});

describe.skipIf(!cached)('CIFAR-10 data (cached)', () => {
  it('interleaves the classes and downsamples to 16×16 RGB in [0, 1]', async () => {
    const { train, test } = await loadCifarDataset(40, 20);
    expect(train.labels.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(train.images).toHaveLength(40);
    expect(test.images).toHaveLength(20);
    for (const im of train.images) {
      expect(im.length).toBe(CIFAR_DIM);
      for (const v of im) expect(v >= 0 && v <= 1).toBe(true);
    }
    await expect(loadCifarDataset(15, 10)).rejects.toThrow(
      /trainImages to be a positive multiple of 10, received 15/,
    );
  });
});

describeBackends('runNnclrExperiment on CIFAR-10 (tiny configuration)', () => {
  it.skipIf(!cached)('runs end to end with k-NN and linear-probe tables and leaks no tensors', async () => {
    const r = await expectNoLeakedTensors(() =>
      runNnclrExperiment({
        ...NNCLR_CIFAR_PRESETS.quick,
        seeds: [0],
        steps: 3,
        batchSize: 8,
        queueSize: 16,
        trainImages: 40,
        testImages: 20,
        labelled: 40,
        knnK: 5,
        evalEvery: 3,
        encoderUnits: [16, 8],
        projectorUnits: [16, 8],
        predictorUnits: [16, 8],
      }),
    );
    expect(r.title).toMatch(/CIFAR-10/);
    expect(r.tables.map((t) => t.title)).toEqual([
      expect.stringMatching(/^k-NN accuracy/),
      'Per run',
      expect.stringMatching(/^Linear-probe accuracy/),
    ]);
    for (const k of ['random', 'simclr', 'nnclr'] as const)
      expect(r.seeds[0].linear[k]).toBeGreaterThanOrEqual(0);
    expect(r.pixelsLinear).toBeGreaterThanOrEqual(0);
  });
});
