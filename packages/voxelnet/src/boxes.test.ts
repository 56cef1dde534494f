import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { generateAnchors } from './anchors';
import { decodeBoxes, decodeBoxesTensor, encodeBoxes } from './box-coder';
import { bevIoU } from './geometry/rotated-iou';
import { assignTargets } from './target-assigner';
import { Random } from './util/random';

describe('anchors', () => {
  it('paper car anchors: 200 × 176 × 2 = 70,400, cell centres, rotations 0 and π/2', () => {
    const a = generateAnchors();
    expect(a.length / 7).toBe(70400);
    expect(Array.from(a.subarray(0, 7)).map((v) => +v.toFixed(5))).toEqual([
      0.2, -39.8, -1, 3.9, 1.6, 1.56, 0,
    ]);
    expect(a[13]).toBeCloseTo(Math.PI / 2, 6);
    // last cell: x = 70.4 − 0.2, y = 40 − 0.2
    expect(a[a.length - 7]).toBeCloseTo(70.2, 4);
    expect(a[a.length - 6]).toBeCloseTo(39.8, 4);
    expect(() => generateAnchors({ featureMapSize: [0, 3] })).toThrow(/featureMapSize/);
  });
});

describe('box coder (VoxelNet Eq. 1)', () => {
  const anchors = [10, 2, -1, 3.9, 1.6, 1.56, 0];
  const gt = [11, 1.5, -0.8, 4.2, 1.7, 1.5, 0.3];
  it('encodes the paper residuals', () => {
    const d = Math.hypot(3.9, 1.6);
    const e = encodeBoxes(anchors, gt);
    expectClose(
      e,
      [1 / d, -0.5 / d, 0.2 / 1.56, Math.log(4.2 / 3.9), Math.log(1.7 / 1.6), Math.log(1.5 / 1.56), 0.3],
      {
        atol: 1e-6,
      },
    );
  });
  it('decode inverts encode on random boxes', () => {
    const rng = new Random(1);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 100; i++) {
      a.push(
        rng.uniform(0, 70),
        rng.uniform(-40, 40),
        -1,
        3.9,
        1.6,
        1.56,
        rng.next() < 0.5 ? 0 : Math.PI / 2,
      );
      b.push(
        rng.uniform(0, 70),
        rng.uniform(-40, 40),
        rng.uniform(-2, 0),
        rng.uniform(3, 5),
        rng.uniform(1.4, 2),
        rng.uniform(1.3, 1.8),
        rng.uniform(-3, 3),
      );
    }
    expectClose(decodeBoxes(a, encodeBoxes(a, b)), b, { atol: 1e-4, rtol: 1e-5 });
  });
  it('rejects boxes with non-positive size', () => {
    expect(() => encodeBoxes(anchors, [0, 0, 0, 4, 0, 1.5, 0])).toThrow(/boxes\[0\] size must be positive/);
    expect(() => encodeBoxes(anchors, [0, 0, 0])).toThrow(/boxes must be a flat 1×7 array/);
  });
});

describeBackends('decodeBoxesTensor', () => {
  it('matches decodeBoxes and leaks nothing', async () => {
    const anchors = [10, 2, -1, 3.9, 1.6, 1.56, 0, 5, 5, -1, 3.9, 1.6, 1.56, Math.PI / 2];
    const deltas = [0.1, -0.2, 0.3, 0.05, -0.1, 0.02, 0.3, 0, 0, 0, 0, 0, 0, 0];
    const a = tf.tensor2d(anchors, [2, 7]);
    const d = tf.tensor2d(deltas, [2, 7]);
    const out = decodeBoxesTensor(a, d);
    expectClose(await out.data(), decodeBoxes(anchors, deltas), { atol: 1e-5 });
    out.dispose();
    await expectNoLeakedTensors(() => decodeBoxesTensor(a, d));
    tf.dispose([a, d]);
  });
});

describe('target assignment (VoxelNet §3.1)', () => {
  const anchors = generateAnchors({ pointCloudRange: [0, -8, -3, 16, 8, 1], featureMapSize: [20, 20] });
  it('positives above 0.6 or best match, negatives below 0.45, the rest ignored', () => {
    const gt = [8.2, 0.4, -0.9, 3.9, 1.6, 1.56, 0.1, 3.1, -5.3, -1, 4.5, 1.8, 1.6, Math.PI / 2 + 0.2];
    const t = assignTargets(anchors, gt);
    const iou = bevIoU(anchors, gt);
    const n = anchors.length / 7;
    for (let i = 0; i < n; i++) {
      const best = Math.max(iou[i * 2], iou[i * 2 + 1]);
      if (best > 0.6) expect(t.labels[i]).toBe(1);
      else if (t.labels[i] === 0) expect(best).toBeLessThan(0.45);
    }
    for (let j = 0; j < 2; j++) {
      let bestI = 0;
      for (let i = 0; i < n; i++) if (iou[i * 2 + j] > iou[bestI * 2 + j]) bestI = i;
      expect(t.labels[bestI]).toBe(1);
      expect(t.matched[bestI]).toBe(j);
    }
    expect(t.numPositive).toBe(Array.from(t.labels).filter((l) => l === 1).length);
    expect(t.numNegative).toBe(Array.from(t.labels).filter((l) => l === 0).length);
    expect(t.numPositive).toBeGreaterThanOrEqual(2);
    // regression targets decode back to the matched box (heading modulo π)
    for (let i = 0; i < n; i++) {
      if (t.labels[i] !== 1) continue;
      const dec = decodeBoxes(anchors.subarray(i * 7, i * 7 + 7), t.regression.subarray(i * 7, i * 7 + 7));
      const g = gt.slice(t.matched[i] * 7, t.matched[i] * 7 + 7);
      expectClose(dec.subarray(0, 6), g.slice(0, 6), { atol: 1e-4 });
      const dh = Math.abs(((dec[6] - g[6]) % Math.PI) + Math.PI) % Math.PI;
      expect(Math.min(dh, Math.PI - dh)).toBeLessThan(1e-4);
      expect(Math.abs(t.regression[i * 7 + 6])).toBeLessThanOrEqual(Math.PI / 2 + 1e-6);
    }
  });
  it('no ground truth: every anchor negative', () => {
    const t = assignTargets(anchors, []);
    expect(t.numPositive).toBe(0);
    expect(t.numNegative).toBe(anchors.length / 7);
  });
  it('rejects ground truth with non-positive size', () => {
    expect(() => assignTargets(anchors, [1, 1, 1, 0, 1, 1, 0])).toThrow(/gtBoxes\[0\] size must be positive/);
  });
});
