import { uniform } from '@paperstack/example-kit';
import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { augment, CLASSES, makeShapes, PIXELS, renderShape, SIDE, twoViewBatches } from './index';

describe('shape images', () => {
  it('are deterministic per seed, differ between seeds, and balance the classes', () => {
    const a = makeShapes(30, 7);
    const b = makeShapes(30, 7);
    const c = makeShapes(30, 8);
    expect(a.images.length).toBe(30);
    for (let i = 0; i < 30; i++) {
      expect(a.images[i].length).toBe(PIXELS);
      expect(Array.from(a.images[i])).toEqual(Array.from(b.images[i]));
      expect(a.labels[i]).toBe(i % CLASSES.length);
      expect(a.images[i].every(Number.isFinite)).toBe(true);
    }
    expect(Array.from(c.images[0])).not.toEqual(Array.from(a.images[0]));
    expect(c.labels).toEqual(a.labels);
  });

  it('draw ink on a dim background (the shape, not only noise)', () => {
    const { images } = makeShapes(20, 1);
    for (const im of images) {
      const bright = im.filter((v) => v > 0.4).length;
      expect(bright).toBeGreaterThan(3);
      expect(bright).toBeLessThan(PIXELS / 2);
    }
  });

  it('rejects a bad class or count, naming the argument', () => {
    expect(() => renderShape(10, uniform(1))).toThrow(
      /renderShape: c must be an integer in \[0, 10\), received 10/,
    );
    expect(() => makeShapes(-1, 1)).toThrow(/makeShapes: n must be a non-negative integer, received -1/);
  });
});

describe('augmentations', () => {
  const img = makeShapes(1, 3).images[0];

  it('keep the image size and are deterministic per stream', () => {
    for (const mode of ['full', 'shift'] as const) {
      const v = augment(img, uniform(5), mode);
      expect(v.length).toBe(PIXELS);
      expect(Array.from(augment(img, uniform(5), mode))).toEqual(Array.from(v));
      expect(Array.from(augment(img, uniform(6), mode))).not.toEqual(Array.from(v));
    }
  });

  it("'shift' only translates: every pixel is a source pixel or the zero fill", () => {
    for (let s = 0; s < 10; s++) {
      const v = augment(img, uniform(s), 'shift');
      const source = new Set(Array.from(img));
      for (const x of v) expect(x === 0 || source.has(x)).toBe(true);
    }
  });

  it('rejects an image of the wrong size', () => {
    expect(() => augment(new Float32Array(10), uniform(1))).toThrow(
      `augment: img must hold ${PIXELS} pixels (${SIDE}×${SIDE}), received 10`,
    );
  });
});

describeBackends('two-view batches', () => {
  const data = makeShapes(40, 2);

  it('yield [batch, PIXELS] views with ids and labels, the same stream for a seed', () => {
    const a = [...twoViewBatches(data, { steps: 3, batchSize: 8, seed: 4 })];
    const b = [...twoViewBatches(data, { steps: 3, batchSize: 8, seed: 4 })];
    expect(a.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(a[i].view0.shape).toEqual([8, PIXELS]);
      expect(a[i].view1.shape).toEqual([8, PIXELS]);
      expect(a[i].ids?.length).toBe(8);
      expect(Array.from(a[i].labels ?? [])).toEqual(Array.from(a[i].ids ?? []).map((j) => data.labels[j]));
      expect(a[i].view0.dataSync()).toEqual(b[i].view0.dataSync());
      // Two views of the same images differ (independent augmentations).
      expect(a[i].view0.dataSync()).not.toEqual(a[i].view1.dataSync());
    }
    tf.dispose([...a, ...b].flatMap((x) => [x.view0, x.view1]));
  });

  it('leave only the tensors they hand over', async () => {
    await expectNoLeakedTensors(() => [...twoViewBatches(data, { steps: 2, batchSize: 4, seed: 1 })]);
  });
});
