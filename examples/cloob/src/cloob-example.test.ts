import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  compareObjectives,
  DatasetFormatError,
  diagnose,
  effectiveRank,
  hashedBagOfWords,
  loadPairedFolder,
  syntheticPairs,
  trainEncoders,
} from './index';

describe('synthetic paired data', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = syntheticPairs({ seed: 3, size: 50 });
    const b = syntheticPairs({ seed: 3, size: 50 });
    const c = syntheticPairs({ seed: 4, size: 50 });
    expect(a.images).toEqual(b.images);
    expect(a.images).not.toEqual(c.images);
    expect(a.prompts).toEqual(c.prompts); // same world: same class prompts
    expect(a.images.length).toBe(50 * 64);
    expect(new Set(a.labels).size).toBe(10);
  });
});

describe('loadPairedFolder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloob-folder-'));
  const png = (rgb: [number, number, number]) => {
    const img = new PNG({ width: 4, height: 4 });
    for (let p = 0; p < 16; p++) img.data.set([...rgb, 255], p * 4);
    return PNG.sync.write(img);
  };
  writeFileSync(join(dir, 'red.png'), png([255, 0, 0]));
  writeFileSync(join(dir, 'blue.png'), png([0, 0, 255]));
  writeFileSync(
    join(dir, 'pairs.tsv'),
    'image\tcaption\tlabel\nred.png\ta red square\tred\nblue.png\ta blue square\tblue\n',
  );

  it('reads images, hashes captions and builds class prompts', () => {
    const d = loadPairedFolder(dir, { imageSize: 2, textDim: 64 });
    expect(d.classNames).toEqual(['red', 'blue']);
    expect(Array.from(d.labels)).toEqual([0, 1]);
    expect(Array.from(d.images.subarray(0, 3))).toEqual([1, 0, 0]);
    expect(Array.from(d.images.subarray(12, 15))).toEqual([0, 0, 1]);
    expect(d.texts.subarray(0, 64)).toEqual(hashedBagOfWords('a red square', 64));
    expect(d.prompts.subarray(0, 64)).toEqual(hashedBagOfWords('a photo of a red', 64));
  });

  it('names the line and the problem in malformed files', () => {
    const bad = mkdtempSync(join(tmpdir(), 'cloob-bad-'));
    writeFileSync(join(bad, 'pairs.tsv'), 'x.png\tonly two\n');
    expect(() => loadPairedFolder(bad)).toThrow(DatasetFormatError);
    expect(() => loadPairedFolder(bad)).toThrow(/line 1: expected 3 tab-separated columns .* received 2/);
    writeFileSync(join(bad, 'pairs.tsv'), 'missing.png\tcap\tlab\n');
    expect(() => loadPairedFolder(bad)).toThrow(/line 1: image .*missing.png/);
    expect(() => loadPairedFolder(join(bad, 'nope'))).toThrow(/cannot read .*pairs.tsv/);
  });
});

describeBackends('CLIP and CLOOB training', () => {
  const train = syntheticPairs({ seed: 0, size: 512 });
  const test = syntheticPairs({ seed: 1, size: 256 });

  it.each(['clip', 'cloob'] as const)('%s: loss falls and zero-shot accuracy beats chance', (objective) => {
    const models = trainEncoders(train, { objective, steps: 60, batchSize: 64, seed: 0 });
    const first = models.losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = models.losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(first - 0.05);
    const d = diagnose(models, test);
    expect(d.zeroShotAccuracy).toBeGreaterThan(0.25); // chance: 0.10
    models.dispose();
  });

  it('learns 1/τ when asked, within the reference clamp', () => {
    const models = trainEncoders(train, {
      objective: 'clip',
      steps: 20,
      batchSize: 64,
      invTau: 10,
      learnableInvTau: true,
    });
    expect(models.invTau).not.toBeCloseTo(10, 3);
    expect(models.invTau).toBeLessThanOrEqual(100);
    models.dispose();
  });

  it('counts the directions a point cloud uses', () => {
    const iso = tf.randomNormal([4000, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const line = tf.matMul(tf.randomNormal([4000, 1], 0, 1, 'float32', 2), tf.ones([1, 4])) as tf.Tensor2D;
    expect(effectiveRank(iso)).toBeGreaterThan(3.9);
    expect(effectiveRank(line)).toBeLessThan(1.01);
    tf.dispose([iso, line]);
  });

  it('leaks no tensors in training, diagnostics and the comparison', async () => {
    await expectNoLeakedTensors(
      () => trainEncoders(train, { objective: 'cloob', steps: 2, batchSize: 32 }).dispose(),
      {
        repeats: 2,
      },
    );
    const models = trainEncoders(train, { objective: 'clip', steps: 1, batchSize: 32 });
    await expectNoLeakedTensors(() => diagnose(models, test));
    models.dispose();
    const data = () => ({ train, test });
    await expectNoLeakedTensors(() => compareObjectives({ seeds: [0], steps: 1, batchSize: 32, data }), {
      repeats: 1,
    });
  });
});
