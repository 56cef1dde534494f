import {
  describeBackends,
  expectClose,
  expectNoLeakedTensors,
  fixtureTensor,
  loadFixture,
} from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  associationMatrix,
  HopfieldError,
  hopfieldCore,
  hopfieldEnergy,
  hopfieldRetrieve,
  hopfieldUpdate,
  lse,
} from './index';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
// float32 vs float64 reference: forward rtol 1e-4 / atol 1e-5, gradients rtol 1e-3 / atol 1e-4.
const FWD = { rtol: 1e-4, atol: 1e-5 };
const GRAD = { rtol: 1e-3, atol: 1e-4 };

describeBackends('functional core', () => {
  it('all-static retrieval equals hopfield_d_static_cloob (values + gradients)', () => {
    const fx = loadFixture('hopfield_d_static_cloob', FIXTURES);
    const stored = fixtureTensor(fx.inputs.stored_pattern);
    const state = fixtureTensor(fx.inputs.state_pattern);
    const proj = fixtureTensor(fx.inputs.pattern_projection);
    const g = fixtureTensor(fx.inputs.upstream_grad);
    const r = hopfieldRetrieve(state, stored, { beta: 2, projection: proj });
    expectClose(r.output, fx.outputs.output, { ...FWD, name: 'output' });
    expectClose(tf.expandDims(r.association, 1), fx.outputs.association_matrix, {
      ...FWD,
      name: 'association',
    });
    const grads = tf.grads((k: tf.Tensor, q: tf.Tensor, v: tf.Tensor) =>
      tf.sum(tf.mul(hopfieldRetrieve(q, k, { beta: 2, projection: v }).output, g)),
    )([stored, state, proj]);
    expectClose(grads[0], fx.grads.stored_pattern, { ...GRAD, name: 'd stored' });
    expectClose(grads[1], fx.grads.state_pattern, { ...GRAD, name: 'd state' });
    expectClose(grads[2], fx.grads.pattern_projection, { ...GRAD, name: 'd projection' });
    tf.dispose([stored, state, proj, g, r.output, r.association, ...grads]);
  });

  it('CLOOB retrieval (cloob_hopfield_retrieval): hopfieldUpdate + L2 normalisation, with gradients', () => {
    const fx = loadFixture('cloob_hopfield_retrieval', FIXTURES);
    const x = fixtureTensor(fx.inputs.image_features);
    const y = fixtureTensor(fx.inputs.text_features);
    const g = fixtureTensor(fx.inputs.upstream_grad);
    const beta = fx.config.scale_hopfield as number;
    const f = (img: tf.Tensor, txt: tf.Tensor) => {
      const norm = (t: tf.Tensor) => tf.div(t, tf.norm(t, 'euclidean', -1, true));
      // patterns_ab = hopfield(state = a, stored = b)
      return tf.stack([
        norm(hopfieldUpdate(img, img, beta)),
        norm(hopfieldUpdate(txt, txt, beta)),
        norm(hopfieldUpdate(txt, img, beta)),
        norm(hopfieldUpdate(img, txt, beta)),
      ]);
    };
    const out = f(x, y);
    expectClose(out, fx.outputs.output, { ...FWD, name: 'output' });
    const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), g)))([x, y]);
    expectClose(gx, fx.grads.image_features, { ...GRAD, name: 'd image' });
    expectClose(gy, fx.grads.text_features, { ...GRAD, name: 'd text' });
    tf.dispose([x, y, g, out, gx, gy]);
  });

  it('per-head stopping rule: heads stop independently, inactive heads keep ξ', () => {
    // Head 0 has a fixed point at once (one-hot-like), head 1 keeps moving for a few steps.
    const q = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 1);
    const k = tf.randomNormal([2, 2, 5, 4], 0, 1, 'float32', 2);
    const r = hopfieldCore(q, k, k, { scaling: [1e-4, 3], updateStepsMax: null, updateStepsEps: 1e-3 });
    // β = 1e-4 makes ξ almost uniform at once: the change after one step is below eps.
    expect(r.updateSteps[0]).toBe(1);
    expect(r.updateSteps[1]).toBeGreaterThan(1);
    expect(r.associationComputations).toBe(2 + r.updateSteps[0] + r.updateSteps[1]);
    // Bounded: exactly updateStepsMax steps when eps is tiny.
    const r2 = hopfieldCore(q, k, k, { scaling: 1, updateStepsMax: [2, 3], updateStepsEps: 1e-30 });
    expect(r2.updateSteps).toEqual([2, 3]);
    // The result equals the manual iteration for head 1.
    const manual = tf.tidy(() => {
      const kh = tf.slice(k, [0, 1, 0, 0], [2, 1, 5, 4]);
      let xi = tf.softmax(tf.matMul(tf.slice(q, [0, 1, 0, 0], [2, 1, 3, 4]), kh, false, true));
      for (let t = 0; t < 3; t++) xi = tf.softmax(tf.matMul(tf.matMul(xi, kh), kh, false, true));
      return xi;
    });
    expectClose(tf.slice(r2.association, [0, 1, 0, 0], [2, 1, 3, 5]), manual, { ...FWD, name: 'head 1' });
    tf.dispose([q, k, r.output, r.association, r2.output, r2.association, manual]);
  });

  it('is stable for large β and long memories (no NaN/Inf)', () => {
    // Unit-norm random patterns are well separated in 16 dims: each is a fixed point for large β.
    const raw = tf.randomNormal([2048, 16], 0, 1, 'float32', 3);
    const x = tf.div(raw, tf.norm(raw, 'euclidean', -1, true));
    raw.dispose();
    const q = tf.slice(x, [0, 0], [4, 16]);
    const r = hopfieldRetrieve(q, x, { beta: 1e4, updateStepsMax: 3 });
    expect(Array.from(r.output.dataSync()).every(Number.isFinite)).toBe(true);
    // Stored patterns are fixed points for large β (exponential capacity, Thm 3/4).
    expectClose(r.output, q, { rtol: 1e-4, atol: 1e-4, name: 'retrieved' });
    const e = hopfieldEnergy(q, x, { beta: 1e4 });
    expect(Array.from(e.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, q, r.output, r.association, e]);
  });

  it('energy matches the formula and never increases under the update (CCCP, Thm 1)', () => {
    const x = tf.randomNormal([7, 5], 0, 1, 'float32', 4);
    let xi = tf.randomNormal([3, 5], 0, 1, 'float32', 5);
    const beta = 0.7;
    const e0 = hopfieldEnergy(xi, x, { beta });
    // direct formula for the first pattern
    const xs = x.arraySync() as number[][];
    const v = (xi.arraySync() as number[][])[0];
    const dots = xs.map((r) => r.reduce((s, a, i) => s + a * v[i], 0));
    const lseV = Math.log(dots.reduce((s, z) => s + Math.exp(beta * z), 0)) / beta;
    const m = Math.max(...xs.map((r) => Math.hypot(...r)));
    const want = -lseV + 0.5 * v.reduce((s, a) => s + a * a, 0) + Math.log(7) / beta + 0.5 * m * m;
    expectClose(e0.dataSync()[0], want, { rtol: 1e-5, atol: 1e-5, name: 'energy' });
    let prev = Array.from(e0.dataSync());
    for (let t = 0; t < 5; t++) {
      const next = hopfieldUpdate(xi, x, beta);
      xi.dispose();
      xi = next;
      const e = hopfieldEnergy(xi, x, { beta });
      const cur = Array.from(e.dataSync());
      for (let i = 0; i < cur.length; i++) expect(cur[i]).toBeLessThanOrEqual(prev[i] + 1e-5);
      prev = cur;
      e.dispose();
    }
    const l = lse(tf.tensor([1000, 1000]), 2);
    expectClose(l, 1000 + Math.log(2) / 2, { rtol: 1e-6, atol: 1e-4, name: 'lse' });
    tf.dispose([x, xi, e0, l]);
  });

  it('masks: padding and association masks ignore patterns; fully-masked rows throw', () => {
    const x = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 6);
    const pad = tf.tensor2d(
      [
        [0, 0, 1, 1],
        [1, 0, 0, 0],
      ],
      [2, 4],
      'bool',
    );
    const a = associationMatrix(x, x, { beta: 1, storedPatternPaddingMask: pad });
    const ad = a.arraySync() as number[][][];
    expect(ad[0][0][2]).toBe(0);
    expect(ad[0][3][3]).toBe(0);
    expect(ad[1][2][0]).toBe(0);
    expectClose(tf.sum(a, -1), tf.ones([2, 4]), { ...FWD, name: 'row sums' });
    const causal = tf.tensor2d(
      [
        [0, 1, 1, 1],
        [0, 0, 1, 1],
        [0, 0, 0, 1],
        [0, 0, 0, 0],
      ],
      [4, 4],
      'bool',
    );
    const c = associationMatrix(x, x, { beta: 1, associationMask: causal }).arraySync() as number[][][];
    expect(c[1][0].slice(1)).toEqual([0, 0, 0]);
    const all = tf.ones([2, 4], 'bool');
    expect(() => associationMatrix(x, x, { beta: 1, storedPatternPaddingMask: all })).toThrow(HopfieldError);
    expect(() => associationMatrix(x, x, { beta: 1, storedPatternPaddingMask: tf.zeros([2, 3]) })).toThrow(
      /storedPatternPaddingMask: expected shape \[2,4\], received \[2,3\]/,
    );
    expect(() => associationMatrix(x, x, { beta: 1, associationMask: tf.zeros([3, 4], 'bool') })).toThrow(
      /associationMask: expected shape \[4,4\]/,
    );
    tf.dispose([x, pad, a, causal, all]);
  });

  it('bad input: rank, sizes, β', () => {
    const x = tf.zeros([4, 3]);
    const y = tf.zeros([4, 5]);
    expect(() => hopfieldUpdate(x, y, 1)).toThrow(/stored: expected feature size 3/);
    expect(() => hopfieldUpdate(tf.zeros([3]), x, 1)).toThrow(/state: expected \[seq, dim\]/);
    expect(() => hopfieldUpdate(x, x, Number.NaN)).toThrow(
      /beta: expected a finite number > 0, received NaN/,
    );
    expect(() => hopfieldUpdate(x, x, Number.POSITIVE_INFINITY)).toThrow(/beta/);
    expect(() => hopfieldUpdate(x, x, 0)).toThrow(/beta/);
    const q = tf.zeros([1, 2, 3, 4]);
    expect(() => hopfieldCore(q, q, q, { scaling: [1, 2, 3] })).toThrow(/scaling: expected one value or 2/);
    expect(() => hopfieldCore(q, q, q, { updateStepsEps: 0 })).toThrow(/updateStepsEps/);
    expect(() => hopfieldCore(q, q, q, { updateStepsMax: 1.5 })).toThrow(/updateStepsMax/);
    expect(() => hopfieldCore(q, tf.zeros([1, 2, 3, 5]), q)).toThrow(
      /stored: expected shape \[1, 2, numStored, 4\]/,
    );
    expect(() => hopfieldEnergy(x, y, { beta: 1 })).toThrow(/stored/);
    tf.dispose([x, y, q]);
  });

  it('leaks no tensors', async () => {
    const x = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 7);
    const pad = tf.tensor2d(
      [
        [0, 0, 1, 1],
        [1, 0, 0, 0],
      ],
      [2, 4],
      'bool',
    );
    await expectNoLeakedTensors(() =>
      hopfieldRetrieve(x, x, { beta: 2, updateStepsMax: null, storedPatternPaddingMask: pad }),
    );
    await expectNoLeakedTensors(() => hopfieldUpdate(x, x, 2));
    await expectNoLeakedTensors(() => associationMatrix(x, x, { beta: 2 }));
    await expectNoLeakedTensors(() => hopfieldEnergy(x, x, { beta: 2 }));
    await expectNoLeakedTensors(() =>
      tf.grad((s: tf.Tensor) => tf.sum(hopfieldRetrieve(s, x, { beta: 2, updateStepsMax: 2 }).output))(x),
    );
    const allMasked = tf.ones([2, 4], 'bool');
    await expectNoLeakedTensors(() => {
      try {
        hopfieldRetrieve(x, x, { beta: 1, storedPatternPaddingMask: allMasked });
      } catch {
        /* expected */
      }
    });
    const q = tf.zeros([1, 2, 3, 4]);
    await expectNoLeakedTensors(() => hopfieldCore(q, q, q, { addZeroAssociation: true, updateStepsMax: 2 }));
    tf.dispose([x, pad, q, allMasked]);
  });
});
