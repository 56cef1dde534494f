// The paths for backends without synchronous reads (webgpu in Node), forced on cpu and wasm:
// same values and gradients as the synchronous paths, and no dataSync/arraySync on the way.
// The same paths on a real webgpu adapter: packages/runtime/test/webgpu-training.test.ts.
import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it, vi } from 'vitest';
import { canReadSync, deviceChecks } from './device';
import {
  associationMatrix,
  HopfieldPooling,
  hopfieldCore,
  hopfieldRetrieve,
  hopfieldRetrieveAsync,
  StreamingHopfieldPooling,
} from './index';

const CLOSE = { rtol: 1e-5, atol: 1e-6 };

/** Runs `f` as on webgpu: device-side checks on, and any synchronous read throws. */
function withoutSyncReads<T>(f: () => T): T {
  deviceChecks.forceNoSyncRead = true;
  const spy = vi.spyOn(tf.engine(), 'readSync').mockImplementation(() => {
    throw new Error('synchronous read');
  });
  try {
    return f();
  } finally {
    spy.mockRestore();
    deviceChecks.forceNoSyncRead = null;
  }
}

afterEach(() => {
  deviceChecks.forceNoSyncRead = null;
});

describeBackends('without synchronous reads', () => {
  it('canReadSync: false on webgpu only (and when forced)', () => {
    expect(canReadSync()).toBe(true);
    deviceChecks.forceNoSyncRead = true;
    expect(canReadSync()).toBe(false);
  });

  it('hopfieldCore: the device-side stopping test gives the same output and gradients', () => {
    // Head 0 (β small) stops on the eps rule after one step, head 1 runs to its bound.
    const q = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 1);
    const k = tf.randomNormal([2, 2, 5, 4], 0, 1, 'float32', 2);
    const v = tf.randomNormal([2, 2, 5, 3], 0, 1, 'float32', 3);
    const g = tf.randomNormal([2, 2, 3, 3], 0, 1, 'float32', 4);
    const opts = { scaling: [1e-4, 3], updateStepsMax: [4, 3], updateStepsEps: 1e-3 };
    const run = () => {
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(hopfieldCore(a, b, c, opts).output, g));
      const r = hopfieldCore(q, k, v, opts);
      return { r, grads: tf.grads(f)([q, k, v]) };
    };
    const sync = run();
    expect(sync.r.updateSteps).toEqual([1, 3]);
    const dev = withoutSyncReads(run);
    // Steps computed up to the bound; head 0 kept its ξ after the eps rule froze it.
    expect(dev.r.updateSteps).toEqual([4, 3]);
    expectClose(dev.r.association, sync.r.association, { ...CLOSE, name: 'association' });
    expectClose(dev.r.output, sync.r.output, { ...CLOSE, name: 'output' });
    for (let i = 0; i < 3; i++) expectClose(dev.grads[i], sync.grads[i], { ...CLOSE, name: `grad ${i}` });
    tf.dispose([q, k, v, g, sync.r.output, sync.r.association, dev.r.output, dev.r.association]);
    tf.dispose([...sync.grads, ...dev.grads]);
  });

  it('hopfieldCore: unbounded steps throw; a fully masked row is NaN instead of an error', () => {
    const x = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 6);
    const all = tf.tensor2d([1, 1, 1, 1, 0, 1, 0, 1], [2, 4], 'bool');
    withoutSyncReads(() => {
      expect(() => hopfieldRetrieve(x, x, { beta: 1, updateStepsMax: null })).toThrow(
        /updateStepsMax: expected a finite number of steps .*hopfieldRetrieveAsync/,
      );
      const a = associationMatrix(x, x, { beta: 1, storedPatternPaddingMask: all });
      deviceChecks.forceNoSyncRead = null;
      vi.restoreAllMocks();
      const rows = a.arraySync() as number[][][];
      expect(rows[0].flat().every(Number.isNaN)).toBe(true);
      expect(rows[1].flat().some(Number.isNaN)).toBe(false);
      a.dispose();
    });
    tf.dispose([x, all]);
  });

  it('hopfieldRetrieveAsync equals hopfieldRetrieve (bounded, unbounded, masked, projected)', async () => {
    const raw = tf.randomNormal([2, 6, 5], 0, 1, 'float32', 7);
    const x = tf.mul(raw, 0.7);
    const proj = tf.randomNormal([2, 6, 3], 0, 1, 'float32', 8);
    const pad = tf.tensor2d([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1], [2, 6], 'bool');
    const cases = [
      { beta: 1.5, updateStepsMax: 0 },
      { beta: 1.5, updateStepsMax: 2 },
      { beta: 2, updateStepsMax: null, updateStepsEps: 1e-5 },
      { beta: 2, updateStepsMax: null, projection: proj, storedPatternPaddingMask: pad },
    ];
    for (const opts of cases) {
      const want = hopfieldRetrieve(x, x, opts);
      expect(want.updateSteps).toBe(opts.updateStepsMax ?? want.updateSteps);
      const got = await hopfieldRetrieveAsync(x, x, opts);
      expect(got.updateSteps).toBe(want.updateSteps);
      expectClose(got.output, want.output, { ...CLOSE, name: 'output' });
      expectClose(got.association, want.association, { ...CLOSE, name: 'association' });
      tf.dispose([want.output, want.association, got.output, got.association]);
    }
    // rank 2
    const x2 = tf.squeeze(tf.slice(x, [0, 0, 0], [1, 6, 5]), [0]);
    const want = hopfieldRetrieve(x2, x2, { beta: 3, updateStepsMax: null });
    const got = await hopfieldRetrieveAsync(x2, x2, { beta: 3, updateStepsMax: null });
    expect(got.updateSteps).toBe(want.updateSteps);
    expectClose(got.output, want.output, { ...CLOSE, name: 'rank-2 output' });
    tf.dispose([want.output, want.association, got.output, got.association]);
    await expectNoLeakedTensors(() =>
      hopfieldRetrieveAsync(x, x, { beta: 2, updateStepsMax: null, storedPatternPaddingMask: pad }),
    );
    await expectNoLeakedTensors(() => hopfieldRetrieveAsync(x2, x2, { beta: 2, updateStepsMax: 2 }));
    tf.dispose([raw, x, x2, proj, pad]);
  });

  it('HopfieldPooling with a padding mask and update steps trains without a synchronous read', () => {
    const pool = new HopfieldPooling({
      inputSize: 6,
      hiddenSize: 4,
      numHeads: 2,
      updateStepsMax: 3,
      seed: 5,
    });
    const stream = new StreamingHopfieldPooling({ inputSize: 6, numHeads: 2, chunkSize: 3, seed: 5 });
    const x = tf.randomNormal([3, 7, 6], 0, 1, 'float32', 9);
    const mask = tf.tensor2d(
      Array.from({ length: 21 }, (_, i) => (i % 7 >= 5 - (i % 2) ? 1 : 0)),
      [3, 7],
      'bool',
    );
    const loss = (layer: HopfieldPooling) => () =>
      tf.mean(
        tf.square(layer.apply(x, { storedPatternPaddingMask: mask, training: true }) as tf.Tensor),
      ) as tf.Scalar;
    for (const layer of [pool, stream]) {
      layer.apply(x, { storedPatternPaddingMask: mask }); // build
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const want = tf.variableGrads(loss(layer), vars);
      const got = withoutSyncReads(() => tf.variableGrads(loss(layer), vars));
      expectClose(got.value, want.value, { ...CLOSE, name: `${layer.getClassName()} loss` });
      for (const name of Object.keys(want.grads)) {
        expectClose(got.grads[name], want.grads[name], { ...CLOSE, name: `${layer.getClassName()} ${name}` });
      }
      tf.dispose([want.value, got.value, ...Object.values(want.grads), ...Object.values(got.grads)]);
      layer.dispose();
    }
    tf.dispose([x, mask]);
  });
});
