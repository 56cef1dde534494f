import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { NnclrInputError, SupportSet } from './index';

/** Plain-JS model of the queue: rows by position, ids, pointer, filled. */
class QueueModel {
  rows: number[][];
  ids: number[];
  ptr = 0;
  filled: number;
  constructor(
    readonly size: number,
    readonly overflow: 'ring' | 'truncate',
    initRows: number[][],
    empty: boolean,
  ) {
    this.rows = initRows.map((r) => [...r]);
    this.ids = new Array(size).fill(-1);
    this.filled = empty ? 0 : size;
  }
  enqueue(batch: number[][], ids: number[]): void {
    if (this.overflow === 'truncate') {
      if (this.ptr + batch.length >= this.size) {
        for (let i = 0; i < this.size - this.ptr; i++) this.put(this.ptr + i, batch[i], ids[i]);
        this.ptr = 0;
        this.filled = this.size;
      } else {
        for (const [i, r] of batch.entries()) this.put(this.ptr + i, r, ids[i]);
        this.ptr += batch.length;
        this.filled = Math.max(this.filled, this.ptr);
      }
    } else {
      batch.forEach((r, i) => {
        this.put(this.ptr, r, ids[i]);
        this.ptr = (this.ptr + 1) % this.size;
      });
      this.filled = Math.min(this.size, this.filled + batch.length);
    }
  }
  private put(pos: number, row: number[], id: number): void {
    this.rows[pos] = [...row];
    this.ids[pos] = id;
  }
}

const rowsOf = (t: tf.Tensor2D) => t.arraySync();

describeBackends('SupportSet', () => {
  it('queue semantics (property): wrap-around, order, pointer and filled match a FIFO model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<'ring' | 'truncate'>('ring', 'truncate'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
        (size, blockSize, overflow, empty, batches) => {
          const dim = 2;
          const set = new SupportSet({
            size,
            dim,
            blockSize,
            overflow,
            init: empty ? 'empty' : 'random',
            storage: 'raw',
            seed: 3,
          });
          const init = set.toTensor();
          const model = new QueueModel(size, overflow, rowsOf(init), empty);
          init.dispose();
          let next = 0;
          for (const n of batches) {
            const batch = Array.from({ length: n }, () => [next, -next++]);
            const ids = batch.map((r) => r[0]);
            const z = tf.tensor2d(batch);
            set.enqueue(z, ids);
            z.dispose();
            model.enqueue(batch, ids);
          }
          const got = set.toTensor();
          expect(rowsOf(got)).toEqual(model.rows);
          got.dispose();
          expect(set.pointer).toBe(model.ptr);
          expect(set.filled).toBe(model.filled);
          expect(Array.from(set.idsAt(Array.from({ length: size }, (_, i) => i)))).toEqual(model.ids);
          set.dispose();
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });

  it('lookup (property): argmax cosine over the valid rows, in batch order, across blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer(),
        (size, blockSize, seed) => {
          const dim = 3;
          const set = new SupportSet({ size, dim, blockSize, seed });
          const q = tf.randomNormal([5, dim], 0, 1, 'float32', seed) as tf.Tensor2D;
          const { neighbours, indices } = set.lookup(q);
          const all = set.toTensor();
          const rows = rowsOf(all);
          const qs = rowsOf(q);
          qs.forEach((v, i) => {
            const cos = rows.map((r) => r.reduce((s, x, j) => s + x * v[j], 0) / Math.hypot(...r));
            expect(indices[i]).toBe(cos.indexOf(Math.max(...cos)));
          });
          expect(rowsOf(neighbours)).toEqual(Array.from(indices, (p) => rows[p]));
          tf.dispose([q, neighbours, all]);
          set.dispose();
        },
      ),
      { numRuns: 30, seed: 12 },
    );
  });

  it('normalises rows on enqueue by default; with init empty only written rows are searched', () => {
    const set = new SupportSet({ size: 8, dim: 2, init: 'empty' });
    expect(set.filled).toBe(0);
    const z = tf.tensor2d([
      [3, 4],
      [0, -2],
    ]);
    set.enqueue(z);
    expect(set.filled).toBe(2);
    const q = tf.tensor2d([[0, -1]]);
    const { neighbours, indices } = set.lookup(q, { topk: 2 });
    expect(indices[0] === 0 || indices[0] === 1).toBe(true);
    const all = set.toTensor();
    expectClose(tf.slice(all, [0, 0], [2, 2]), [0.6, 0.8, 0, -1], { rtol: 1e-6 });
    tf.dispose([z, q, neighbours, all]);
    set.dispose();
  });

  it('excludeIndices (MAE-CT exclude_self_from_queue): a sample never finds its own earlier entry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const set = new SupportSet({ size: 6, dim: 4, init: 'empty', blockSize: 4, seed });
        const z = tf.randomNormal([6, 4], 0, 1, 'float32', seed) as tf.Tensor2D;
        set.enqueue(z, [10, 11, 12, 13, 14, 15]);
        // Query with the very same embeddings: without exclusion each finds itself.
        const plain = set.lookup(z);
        expect(Array.from(plain.indices)).toEqual([0, 1, 2, 3, 4, 5]);
        const ex = set.lookup(z, { excludeIndices: [10, 11, 12, 13, 14, 15] });
        for (const [i, p] of ex.indices.entries()) expect(p).not.toBe(i);
        expect(Array.from(set.idsAt(ex.indices)).every((id, i) => id !== 10 + i)).toBe(true);
        // ids < 0 exclude nothing; a tensor is accepted too.
        const none = set.lookup(z, { excludeIndices: tf.tensor1d([-1, -1, -1, -1, -1, -1], 'int32') });
        expect(Array.from(none.indices)).toEqual([0, 1, 2, 3, 4, 5]);
        tf.dispose([z, plain.neighbours, ex.neighbours, none.neighbours]);
        set.dispose();
      }),
      { numRuns: 20, seed: 13 },
    );
  });

  it('top-k sampling: draws only among the k most similar rows, uniformly, and is seeded', () => {
    const draw = (seed: number) => {
      const set = new SupportSet({ size: 64, dim: 8, seed: 5 });
      const s = set.getState();
      s.rngState = seed;
      set.setState(s);
      const q = tf.randomNormal([200, 8], 0, 1, 'float32', 7) as tf.Tensor2D;
      const sims = set.similarities(q);
      const top = tf.topk(sims, 5).indices.arraySync() as number[][];
      const { neighbours, indices } = set.lookup(q, { topk: 5 });
      const rank = Array.from(indices, (p, i) => top[i].indexOf(p));
      tf.dispose([q, sims, neighbours]);
      set.dispose();
      return rank;
    };
    const a = draw(1);
    expect(a.every((r) => r >= 0)).toBe(true);
    const counts = [0, 1, 2, 3, 4].map((r) => a.filter((x) => x === r).length);
    expect(Math.min(...counts)).toBeGreaterThan(20); // 200 draws, 40 expected per rank
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
  });

  it('save / restore: a restored set continues exactly like the original', () => {
    const a = new SupportSet({ size: 10, dim: 3, blockSize: 4, seed: 9 });
    const z = tf.randomNormal([7, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    a.enqueue(z, [1, 2, 3, 4, 5, 6, 7], [0, 1, 0, 1, 0, 1, 0]);
    const b = new SupportSet({ size: 10, dim: 3, blockSize: 5, seed: 123 });
    b.setState(a.getState());
    for (const s of [a, b]) s.enqueue(z);
    const ra = a.lookup(z, { topk: 3 });
    const rb = b.lookup(z, { topk: 3 });
    expect(Array.from(rb.indices)).toEqual(Array.from(ra.indices));
    expect(Array.from(b.labelsAt(rb.indices))).toEqual(Array.from(a.labelsAt(ra.indices)));
    expect(b.getState()).toEqual(a.getState());
    tf.dispose([z, ra.neighbours, rb.neighbours]);
    a.dispose();
    b.dispose();
  });

  it('the same seed gives the same initial queue', () => {
    const [a, b] = [
      new SupportSet({ size: 5, dim: 2, seed: 4 }),
      new SupportSet({ size: 5, dim: 2, seed: 4 }),
    ];
    expect(a.getState().rows).toEqual(b.getState().rows);
    a.dispose();
    b.dispose();
  });

  it('an enqueue rebuilds only the blocks it writes (no whole-queue copy)', () => {
    const set = new SupportSet({ size: 4096, dim: 8, blockSize: 256 });
    const z = tf.ones([32, 8]) as tf.Tensor2D;
    set.enqueue(z); // warm up kernels
    const before = tf.memory().numBytes;
    const spy = tf.profile(() => set.enqueue(z));
    return spy.then((info) => {
      // One block of 256 × 8 floats (8 KiB) is the largest tensor created, not the 128 KiB queue.
      expect(info.peakBytes - before).toBeLessThan(3 * 256 * 8 * 4);
      expect(tf.memory().numBytes).toBe(before);
      z.dispose();
      set.dispose();
    });
  });

  it('leaks no tensors (lookup, top-k, exclusion, enqueue, similarities, rowsAt, state)', async () => {
    const set = new SupportSet({ size: 12, dim: 4, blockSize: 5 });
    const z = tf.randomNormal([3, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    await expectNoLeakedTensors(() => set.lookup(z));
    await expectNoLeakedTensors(() => set.lookup(z, { topk: 4, excludeIndices: [1, 2, 3] }));
    await expectNoLeakedTensors(() => set.enqueue(z, [1, 2, 3]));
    await expectNoLeakedTensors(() => set.similarities(z));
    await expectNoLeakedTensors(() => set.rowsAt([11, 0, 5]));
    await expectNoLeakedTensors(() => set.setState(set.getState()));
    await expectNoLeakedTensors(() => set.toTensor());
    const n = tf.memory().numTensors;
    set.dispose();
    expect(tf.memory().numTensors).toBe(n - 3);
    z.dispose();
  });
});

describeBackends('SupportSet bad input', () => {
  let set: SupportSet;
  let z: tf.Tensor2D;
  beforeAll(() => {
    set = new SupportSet({ size: 4, dim: 3, init: 'empty' });
    z = tf.zeros([2, 3]) as tf.Tensor2D;
  });
  const err = (fn: () => unknown, re: RegExp) => {
    expect(fn).toThrow(NnclrInputError);
    expect(fn).toThrow(re);
  };
  it('empty queue', () =>
    err(() => set.lookup(z), /lookup: support set must be non-empty.*received an empty queue/));
  it('dimension mismatch with the queue', () => {
    const w = tf.zeros([2, 5]) as tf.Tensor2D;
    err(() => set.enqueue(w), /enqueue: z must be shape \[batch >= 1, 3\], received shape \[2, 5\]/);
    err(() => set.lookup(w), /lookup: z must be shape \[batch >= 1, 3\], received shape \[2, 5\]/);
    w.dispose();
  });
  it('topk larger than the queue', () => {
    set.enqueue(z);
    err(() => set.lookup(z, { topk: 3 }), /options.topk must be an integer in \[0, 2\].*received 3/);
    err(() => set.lookup(z, { topk: 1.5 }), /options.topk/);
  });
  it('ids of the wrong length or type', () => {
    err(() => set.enqueue(z, [1]), /ids must be 2 values.*received 1/);
    err(() => set.lookup(z, { excludeIndices: [1, 0.5] }), /excludeIndices\[1\] must be an integer/);
  });
  it('bad options and state', () => {
    err(() => new SupportSet({ size: 0, dim: 3 }), /options.size must be an integer >= 1, received 0/);
    err(() => new SupportSet({ size: 3, dim: 2, storage: 'x' as 'raw' }), /options.storage/);
    err(() => new SupportSet({ size: 3, dim: 2, overflow: 'x' as 'ring' }), /options.overflow/);
    const s = set.getState();
    err(() => set.setState({ ...s, rows: new Float32Array(3) }), /state.rows must be 12 values, received 3/);
    err(() => set.setState({ ...s, pointer: 9 }), /state.pointer/);
    err(() => set.rowsAt([7]), /positions\[0\] must be an integer in \[0, 4\)/);
  });
  it('use after dispose', () => {
    const s = new SupportSet({ size: 2, dim: 3 });
    s.dispose();
    err(() => s.lookup(z), /a live support set/);
  });
}, ['cpu']);
