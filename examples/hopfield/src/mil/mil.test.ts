import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rocAuc } from '@paperstack/example-kit';
import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bitPatternSet } from './bit-pattern';
import { bagSize, featureStats, padBatch, standardize, subset } from './dataset';
import { formatMil, loadMilFile, MilFormatError, parseMil, writeMilFile } from './format';
import { MilModel, type Pooling } from './model';
import { syntheticCorelMil } from './synthetic';
import { bceWithLogits, predictMil, stratifiedKFold, trainMil } from './train';

const code = (bag: Float32Array, i: number, bits: number) =>
  Array.from(bag.subarray(i * bits, (i + 1) * bits)).join('');

describe('bitPatternSet (hflayers BitPatternSet)', () => {
  const ds = bitPatternSet({ numBags: 64, numInstances: 16, numSignals: 8 });
  const signals = new Set(ds.signals.map((s) => Array.from(s).join('')));

  it('has distinct non-zero signals, exactly one in each positive bag and none in negatives', () => {
    expect(signals.size).toBe(8);
    expect(signals.has('00000000')).toBe(false);
    expect(Array.from(ds.labels)).toEqual(Array.from({ length: 64 }, (_, b) => (b < 32 ? 1 : 0)));
    ds.bags.forEach((bag, b) => {
      const hits = Array.from({ length: 16 }, (_, i) => code(bag, i, 8)).filter((c) => signals.has(c));
      expect(hits.length).toBe(ds.labels[b]);
      for (let i = 0; i < 16; i++) expect(code(bag, i, 8)).not.toBe('00000000');
    });
  });

  it('is deterministic per seed and validates its options', () => {
    expect(bitPatternSet({ numBags: 64, numInstances: 16, numSignals: 8 }).bags).toEqual(ds.bags);
    expect(bitPatternSet({ numBags: 64, numInstances: 16, numSignals: 8, seedData: 1 }).bags).not.toEqual(
      ds.bags,
    );
    expect(() => bitPatternSet({ numBags: 4, numInstances: 2, numSignals: 255 })).toThrow(/2\^numBits/);
    expect(() => bitPatternSet({ numBags: 4, numInstances: 2, numSignals: 2, numSignalsPerBag: 3 })).toThrow(
      /exceeds numInstances/,
    );
    expect(() => bitPatternSet({ numBags: 4, numInstances: 2, numSignals: 2, fractionTargets: 1 })).toThrow(
      /fractionTargets/,
    );
  });
});

describe('syntheticCorelMil', () => {
  it('has the Corel shape: 200 bags, half positive, 2–13 instances, witnesses only in positives', () => {
    const ds = syntheticCorelMil({ seed: 4 });
    expect(ds.bags.length).toBe(200);
    expect(ds.dim).toBe(230);
    expect(ds.labels.reduce((a, b) => a + b, 0)).toBe(100);
    ds.bags.forEach((_, b) => {
      const n = bagSize(ds, b);
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(13);
      const witnesses = ds.instanceLabels![b].reduce((a, x) => a + x, 0);
      if (ds.labels[b] === 1) expect(witnesses).toBeGreaterThan(0);
      else expect(witnesses).toBe(0);
    });
    expect(syntheticCorelMil({ seed: 4 }).bags).toEqual(ds.bags);
    expect(() => syntheticCorelMil({ separation: 2 })).toThrow(/separation/);
  });
});

describe('classic MIL format', () => {
  it('parses ids, ±1/0 labels, sparse 1-based features, comments and non-adjacent bags', () => {
    const text = [
      '# comment',
      '1:b1:-1 1:0.5 3:2',
      '2:b2:1 2:-1.5e-1',
      '',
      '3:b1:1 3:4 1:1', // any index order; bag b1 becomes positive
      '4:b2:0',
    ].join('\n');
    const ds = parseMil(text, { name: 'hand' });
    expect(ds.dim).toBe(3);
    expect(ds.bagIds).toEqual(['b1', 'b2']);
    expect(Array.from(ds.labels)).toEqual([1, 1]);
    expect(Array.from(ds.bags[0])).toEqual([0.5, 0, 2, 1, 0, 4]);
    expect(Array.from(ds.bags[1])).toEqual([0, -0.15, 0, 0, 0, 0].map((x) => Math.fround(x)));
    expect(ds.instanceIds).toEqual([
      ['1', '3'],
      ['2', '4'],
    ]);
    expect(Array.from(ds.instanceLabels![1])).toEqual([1, 0]);
    expect(parseMil('1:a:-1 1:1\n2:b:-1 2:1', { dim: 5 }).dim).toBe(5);
    expect(Array.from(parseMil('1:a:-1 1:1\n2:b:0 2:1').labels)).toEqual([0, 0]);
  });

  it('round-trips a dataset through text and through a file', () => {
    const ds = syntheticCorelMil({ numBags: 20, dim: 17, seed: 9 });
    const back = parseMil(formatMil(ds), { name: ds.name, dim: ds.dim });
    expect(back.bags).toEqual(ds.bags);
    expect(back.labels).toEqual(ds.labels);
    expect(back.bagIds).toEqual(ds.bagIds);
    expect(back.instanceLabels).toEqual(ds.instanceLabels);
    expect(back.instanceIds).toEqual(ds.instanceIds);
    const dir = mkdtempSync(join(tmpdir(), 'mil-format-'));
    writeMilFile(join(dir, 'fox.svm'), ds);
    const loaded = loadMilFile(join(dir, 'fox.svm'), { dim: ds.dim });
    expect(loaded.name).toBe('fox');
    expect(loaded.bags).toEqual(ds.bags);
  });

  it('names the line and the problem in malformed files', () => {
    const bad: [string, RegExp][] = [
      ['1:2 1:0.5', /line 1: expected '<instance_id>:<bag_id>:<label>'/],
      ['1::1 1:0.5', /line 1: expected '<instance_id>:<bag_id>:<label>'/],
      ['# x\n1:1:2 1:0.5', /line 2: label must be 1, 0 or -1, received '2'/],
      ['1:1:1 1=0.5', /line 1: expected '<feature>:<value>', received '1=0.5'/],
      ['1:1:1 0:0.5', /line 1: feature index must be an integer ≥ 1, received '0'/],
      ['1:1:1 1.5:0.5', /feature index must be an integer ≥ 1/],
      ['1:1:1 1:abc', /line 1: feature 1: value must be a finite number, received 'abc'/],
      ['1:1:1 1:', /value must be a finite number/],
      ['1:1:1 1:1 1:2', /line 1: feature 1 appears twice/],
      ['', /no instances/],
      ['# only\n\n', /no instances/],
      ['1:1:1\n2:2:-1', /no features/],
    ];
    for (const [text, msg] of bad) {
      expect(() => parseMil(text, { source: 'x.svm' })).toThrow(MilFormatError);
      expect(() => parseMil(text, { source: 'x.svm' })).toThrow(msg);
    }
    expect(() => parseMil('1:1:1 7:1', { dim: 5 })).toThrow(/feature index 7 exceeds dim 5/);
    expect(() => loadMilFile('/nonexistent/elephant.svm')).toThrow(/cannot read \/nonexistent\/elephant.svm/);
    const dir = mkdtempSync(join(tmpdir(), 'mil-bad-'));
    writeFileSync(join(dir, 'tiger.svm'), '1:1:1 1:1\n2:1:1 x\n');
    expect(() => loadMilFile(join(dir, 'tiger.svm'))).toThrow(/tiger.svm, line 2/);
  });
});

describe('folds and batches', () => {
  it('stratifiedKFold partitions the bags and keeps the class ratio', () => {
    const labels = Array.from({ length: 53 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const folds = stratifiedKFold(labels, 10, 0);
    const all = folds.flatMap((f) => Array.from(f)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 53 }, (_, i) => i));
    for (const f of folds) {
      const pos = Array.from(f).filter((i) => labels[i] === 1).length;
      expect(pos).toBeGreaterThanOrEqual(1);
      expect(pos).toBeLessThanOrEqual(2);
    }
    expect(stratifiedKFold(labels, 10, 0)).toEqual(folds);
    expect(() => stratifiedKFold(labels, 1, 0)).toThrow(/k must be/);
  });
});

describeBackends('MIL models', (backend) => {
  it('padBatch pads to the largest bag and masks the padding; standardize uses given stats', () => {
    const ds = parseMil('1:a:1 1:1 2:2\n2:a:1 1:3\n3:b:-1 2:5');
    const { x, mask } = padBatch(ds, [1, 0]);
    expect(x.shape).toEqual([2, 2, 2]);
    expect(Array.from(x.dataSync())).toEqual([0, 5, 0, 0, 1, 2, 3, 0]);
    expect(Array.from(mask.dataSync())).toEqual([0, 1, 0, 0]);
    tf.dispose([x, mask]);
    const stats = featureStats(ds);
    expect(Array.from(stats.mean)).toEqual([4 / 3, 7 / 3].map(Math.fround));
    const z = standardize(subset(ds, [1]), stats);
    expect(z.bags[0][1]).toBeCloseTo((5 - 7 / 3) / stats.std[1], 5);
  });
  it('bceWithLogits matches the textbook formula', () => {
    const l = bceWithLogits(tf.tensor1d([2, -1, 0]), tf.tensor1d([1, 0, 1]));
    const want = (-Math.log(1 / (1 + Math.exp(-2))) - Math.log(1 - 1 / (1 + Math.exp(1))) + Math.log(2)) / 3;
    expect(l.dataSync()[0]).toBeCloseTo(want, 5);
    l.dispose();
  });

  it.each(['hopfield', 'attention', 'gated-attention', 'mean'] as Pooling[])(
    '%s: padding does not change a bag’s logit; training leaks no tensors',
    async (pooling) => {
      const ds = syntheticCorelMil({ numBags: 8, dim: 6, seed: 1 });
      const model = new MilModel({ inputDim: 6, pooling, embedDim: 8, seed: 0, hopfield: { numHeads: 2 } });
      const alone = await predictMil(model, subset(ds, [0]));
      const together = await predictMil(model, ds); // bag 0 padded to the largest bag
      expect(together[0]).toBeCloseTo(alone[0], 5);
      model.dispose();
      await expectNoLeakedTensors(
        async () => {
          const m = new MilModel({ inputDim: 6, pooling, embedDim: 8, seed: 0, hopfield: { numHeads: 2 } });
          await trainMil(m, ds, { epochs: 1, batchSize: 4 });
          await predictMil(m, ds);
          m.dispose();
        },
        { repeats: 2 },
      );
    },
  );

  it.runIf(backend === 'wasm')(
    'a short HopfieldPooling training run beats chance on held-out bags',
    async () => {
      const ds = syntheticCorelMil({ numBags: 120, dim: 20, separation: 0.8, witnessRate: 0.3, seed: 5 });
      const folds = stratifiedKFold(ds.labels, 4, 0);
      const inTest = new Set(folds[0]);
      const trainIdx = Array.from({ length: 120 }, (_, i) => i).filter((i) => !inTest.has(i));
      const stats = featureStats(subset(ds, trainIdx));
      const train = standardize(subset(ds, trainIdx), stats);
      const test = standardize(subset(ds, folds[0]), stats);
      const model = new MilModel({
        inputDim: 20,
        pooling: 'hopfield',
        embedDim: 16,
        seed: 0,
        hopfield: { numHeads: 2 },
      });
      const losses = await trainMil(model, train, { epochs: 15, batchSize: 16, learningRate: 3e-3, seed: 0 });
      expect(losses.at(-1)!).toBeLessThan(losses[0]);
      const auc = rocAuc(test.labels, await predictMil(model, test));
      model.dispose();
      expect(auc).toBeGreaterThan(0.7); // chance: 0.5
    },
  );
});
