import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Hopfield, HopfieldError, HopfieldLayer, HopfieldPooling, hopfieldRetrieve } from './index';

const STATIC = {
  storedPatternAsStatic: true,
  statePatternAsStatic: true,
  patternProjectionAsStatic: true,
  normalizeStoredPattern: false,
  normalizeStoredPatternAffine: false,
  normalizeStatePattern: false,
  normalizeStatePatternAffine: false,
  normalizePatternProjection: false,
  normalizePatternProjectionAffine: false,
  disableOutProjection: true,
};

describe('bad options', () => {
  it('throw HopfieldError naming the option, expected and received', () => {
    expect(() => new Hopfield({ inputSize: 8, numHeads: 3 })).toThrow(
      /numHeads: expected a divisor of inputSize = 8 \(or set hiddenSize\), received 3/,
    );
    expect(() => new Hopfield({ scaling: Number.NaN })).toThrow(
      /scaling: expected a finite number > 0, received NaN/,
    );
    expect(() => new Hopfield({ scaling: Number.POSITIVE_INFINITY })).toThrow(HopfieldError);
    expect(() => new Hopfield({ numHeads: 2, scaling: [1, -1] })).toThrow(/scaling\[1\]/);
    expect(() => new Hopfield({ numHeads: 2, scaling: [1, 2, 3] })).toThrow(
      /scaling: expected one value or 2/,
    );
    expect(() => new Hopfield({ updateStepsEps: 0 })).toThrow(/updateStepsEps/);
    expect(() => new Hopfield({ updateStepsMax: 0.5 })).toThrow(/updateStepsMax/);
    expect(() => new Hopfield({ dropout: 1 })).toThrow(/dropout: expected a rate in \[0, 1\), received 1/);
    expect(() => new Hopfield({ numHeads: 0 })).toThrow(/numHeads: expected an integer > 0, received 0/);
    expect(() => new Hopfield({ associationActivation: 'gelu_tanh' })).toThrow(
      /associationActivation: expected one of/,
    );
    expect(() => new Hopfield({ normalizeStatePattern: false })).toThrow(
      /normalizeStatePatternAffine: true requires normalizeStatePattern: true/,
    );
    expect(() => new Hopfield({ concatBiasPattern: true, storedPatternAsStatic: true })).toThrow(
      /concatBiasPattern/,
    );
    expect(() => new HopfieldPooling({ quantity: 0 })).toThrow(/quantity/);
    expect(() => new Hopfield({ inputSize: 8, numHeads: 2, statePatternAsStatic: true })).toThrow(
      /statePatternAsStatic/,
    );
  });
});

describeBackends('Hopfield layers: inputs, options and semantics', () => {
  it('seed 0 is a seed: equal seeds give equal initial weights, different seeds different ones', () => {
    const x = tf.ones([2, 5, 8]);
    // without normalization the first weight drawn (index 0) is a normal-initialized kernel
    const plain = {
      normalizeStoredPattern: false,
      normalizeStoredPatternAffine: false,
      normalizeStatePattern: false,
      normalizeStatePatternAffine: false,
      normalizePatternProjection: false,
      normalizePatternProjectionAffine: false,
    };
    const weights = (seed: number) => {
      const layers = [
        new Hopfield({ inputSize: 8, numHeads: 2, seed, ...plain }),
        new HopfieldPooling({ inputSize: 8, quantity: 3, numHeads: 2, seed, ...plain }),
        new HopfieldLayer({ inputSize: 8, quantity: 4, seed, ...plain }),
      ];
      const values = layers.flatMap((l) => {
        tf.dispose(l.apply(x) as tf.Tensor);
        return l.getWeights().map((w) => Array.from(w.dataSync()));
      });
      for (const l of layers) l.dispose();
      return values;
    };
    expect(weights(0)).toEqual(weights(0));
    expect(weights(0)).not.toEqual(weights(1));
    x.dispose();
  });

  it('bad input: rank, feature sizes, tuple length, masks', () => {
    const layer = new Hopfield({ inputSize: 8, numHeads: 2, seed: 1 });
    expect(() => layer.apply(tf.zeros([2, 8]))).toThrow(/expected rank 3/);
    const x = tf.zeros([2, 5, 8]);
    layer.apply(x);
    expect(() => layer.apply(tf.zeros([2, 5, 7]))).toThrow(
      /stored pattern: expected feature size 8, received shape \[2,5,7\]/,
    );
    expect(() => layer.apply([x, x])).toThrow(
      /inputs: expected one tensor or \[storedPattern, statePattern, patternProjection\]/,
    );
    expect(() => layer.apply([x, tf.zeros([3, 4, 8]), x])).toThrow(/inputs: expected one batch size/);
    expect(() => layer.apply([x, x, tf.zeros([2, 4, 8])])).toThrow(/pattern projection: expected 5 patterns/);
    expect(() => layer.apply(x, { storedPatternPaddingMask: tf.zeros([2, 4], 'bool') })).toThrow(
      /storedPatternPaddingMask: expected shape \[batch, numStored\] = \[2,5\], received \[2,4\]/,
    );
    expect(() => layer.apply(x, { associationMask: tf.zeros([5, 4], 'bool') })).toThrow(
      /associationMask: expected shape \[seq, numStored\] = \[5,5\]/,
    );
    expect(() => layer.apply(x, { associationMask: tf.zeros([4, 5, 5], 'bool') })).not.toThrow();
    expect(() => layer.apply(x, { storedPatternPaddingMask: tf.ones([2, 5], 'bool') })).toThrow(
      /every stored pattern is masked/,
    );
    // integer inputs are computed in float32
    const xi = tf.ones([2, 5, 8], 'int32');
    expect((layer.apply(xi) as tf.Tensor).dtype).toBe('float32');
    expect(() => new HopfieldLayer({ inputSize: 8 }).apply([x, x])).toThrow(
      /inputs: expected one tensor \(the state pattern\), received 2/,
    );
    x.dispose();
    layer.dispose();
  });

  it('loadStateDict reports missing, unexpected and mis-shaped names at once, and writes nothing then', () => {
    const layer = new Hopfield({ inputSize: 4, seed: 1 });
    const before = layer.stateDict();
    const bad = { ...before, 'association_core.out_proj.weight': tf.zeros([4, 3]), extra: tf.zeros([1]) };
    delete (bad as Record<string, tf.Tensor>)['norm_state_pattern.bias'];
    expect(() => layer.loadStateDict(bad)).toThrow(
      /missing: norm_state_pattern\.bias; unexpected: extra; association_core\.out_proj\.weight: expected shape \[4,4\], received \[4,3\]/,
    );
    const after = layer.stateDict();
    for (const k of Object.keys(before)) expectClose(after[k], before[k], { name: k });
    // non-strict: load a subset
    layer.loadStateDict({ 'norm_state_pattern.bias': { shape: [4], data: [1, 2, 3, 4] } }, { strict: false });
    expectClose(layer.stateDict()['norm_state_pattern.bias'], [1, 2, 3, 4]);
    tf.dispose([
      ...Object.values(before),
      ...Object.values(after),
      bad['association_core.out_proj.weight'],
      bad.extra,
    ]);
  });

  it('per-head scaling gives head h its own β (the reference mixes heads, see README)', () => {
    const k = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 1);
    const q = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 2);
    const layer = new Hopfield({ ...STATIC, numHeads: 2, scaling: [0.5, 3] });
    const out = layer.apply([k, q, k]) as tf.Tensor; // [2, 3, 2·4]: heads concatenated
    const assoc = layer.associationMatrix([k, q, k]);
    for (const [h, beta] of [0.5, 3].entries()) {
      const r = hopfieldRetrieve(q, k, { beta });
      expectClose(tf.slice(out, [0, 0, 4 * h], [2, 3, 4]), r.output, { name: `head ${h} output` });
      expectClose(tf.squeeze(tf.slice(assoc, [0, h, 0, 0], [2, 1, 3, 5]), [1]), r.association, {
        name: `head ${h}`,
      });
      tf.dispose([r.output, r.association]);
    }
    tf.dispose([k, q, out, assoc]);
  });

  it('addZeroAssociation and concatBiasPattern append one stored pattern each', () => {
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 3);
    const zero = new Hopfield({ ...STATIC, addZeroAssociation: true, scaling: 1 });
    const a = zero.associationMatrix(x);
    expect(a.shape).toEqual([2, 1, 5, 6]);
    // the zero pattern has logit 0 and contributes a zero value
    const manual = tf.tidy(() => {
      const logits = tf.concat([tf.matMul(x, x, false, true), tf.zeros([2, 5, 1])], -1);
      return tf.matMul(tf.slice(tf.softmax(logits), [0, 0, 0], [2, 5, 5]), x);
    });
    const out = zero.apply(x) as tf.Tensor;
    expectClose(out, manual, { name: 'zero association' });
    const bias = new Hopfield({ inputSize: 4, numHeads: 2, concatBiasPattern: true, seed: 4 });
    const b = bias.associationMatrix(x);
    expect(b.shape).toEqual([2, 2, 5, 6]);
    const sd = bias.stateDict();
    expect(sd['association_core.bias_k'].shape).toEqual([1, 1, 4]);
    expect(sd['association_core.bias_v'].shape).toEqual([1, 1, 4]);
    // a huge key bias draws all association mass onto the bias pattern
    bias.loadStateDict({ 'association_core.bias_k': tf.fill([1, 1, 4], 1e3) }, { strict: false });
    const b2 = bias.associationMatrix(x, {
      storedPatternPaddingMask: tf.tensor2d([
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
      ]),
    });
    expect(b2.shape).toEqual([2, 2, 5, 6]);
    // with the zero pattern, a fully padded bag is fine (all mass on the zero pattern, output 0)
    const allPad = tf.ones([2, 5], 'bool');
    const z = zero.apply(x, { storedPatternPaddingMask: allPad }) as tf.Tensor;
    expectClose(z, tf.zeros([2, 5, 4]), { name: 'fully padded + zero association' });
    tf.dispose([x, a, manual, out, b, b2, allPad, z, ...Object.values(sd)]);
  });

  it('batchFirst: false equals the transposed batch-first result; activation and dropout', () => {
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 5);
    const a = new Hopfield({ inputSize: 4, numHeads: 2, seed: 6 });
    const b = new Hopfield({
      inputSize: 4,
      numHeads: 2,
      seed: 6,
      batchFirst: false,
      associationActivation: 'tanh',
    });
    const ya = a.apply(x) as tf.Tensor;
    const yb = b.apply(tf.transpose(x, [1, 0, 2])) as tf.Tensor;
    expectClose(tf.transpose(yb, [1, 0, 2]), tf.tanh(ya), { name: 'batchFirst false' });
    const d = new Hopfield({ inputSize: 4, dropout: 0.5, seed: 7 });
    const inf = d.apply(x) as tf.Tensor;
    const again = d.apply(x, { training: false }) as tf.Tensor;
    expectClose(again, inf, { name: 'no dropout at inference' });
    const t1 = d.apply(x, { training: true }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(t1, inf))).dataSync()[0]).toBeGreaterThan(1e-6);
    tf.dispose([x, ya, yb, inf, again, t1]);
  });

  it('HopfieldPooling / HopfieldLayer shapes, static state, separated lookup targets', () => {
    const x = tf.randomNormal([3, 7, 6], 0, 1, 'float32', 8);
    const pool = new HopfieldPooling({ inputSize: 6, quantity: 2, numHeads: 3, outputSize: 4, seed: 1 });
    const p = pool.apply(x) as tf.Tensor;
    expect(p.shape).toEqual([3, 8]);
    expect(pool.associationMatrix(x).shape).toEqual([3, 3, 2, 7]);
    expect(pool.stateDict().pooling_weights.shape).toEqual([1, 2, 6]);
    const look = new HopfieldLayer({
      inputSize: 6,
      quantity: 5,
      lookupWeightsAsSeparated: true,
      lookupTargetsAsTrainable: false,
      seed: 2,
    });
    const l = look.apply(x) as tf.Tensor;
    expect(l.shape).toEqual([3, 7, 6]);
    expect(look.trainableWeights.map((w) => w.name.split('/').pop())).not.toContain('target_weights');
    expect(look.associationMatrix(x).shape).toEqual([3, 1, 7, 5]);
    tf.dispose([x, p, l]);
  });

  it('option paths leak no tensors', async () => {
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 9);
    const layers = [
      new Hopfield({ inputSize: 4, numHeads: 2, concatBiasPattern: true, addZeroAssociation: true, seed: 1 }),
      new Hopfield({
        inputSize: 4,
        patternProjectionAsConnected: true,
        normalizeHopfieldSpace: true,
        seed: 2,
      }),
      new Hopfield({ ...STATIC, numHeads: 2, updateStepsMax: null }),
      new Hopfield({ inputSize: 4, dropout: 0.3, seed: 3, batchFirst: false }),
    ];
    for (const layer of layers) {
      await expectNoLeakedTensors(() => layer.apply(x, { training: true }));
      await expectNoLeakedTensors(() => layer.associationMatrix(x));
    }
    const wrong = tf.zeros([2, 5, 3]);
    await expectNoLeakedTensors(() => {
      try {
        layers[0].apply(wrong);
      } catch {
        /* expected */
      }
    });
    tf.dispose([x, wrong]);
  });
});

describeBackends('Hopfield as multi-head attention', () => {
  it('with the input LayerNorms off equals softmax(QKᵀ/√d)V·Wₒ with [query; key; value] packed rows', () => {
    const off = {
      normalizeStoredPattern: false,
      normalizeStoredPatternAffine: false,
      normalizeStatePattern: false,
      normalizeStatePatternAffine: false,
      normalizePatternProjection: false,
      normalizePatternProjectionAffine: false,
    };
    const D = 8;
    const H = 2;
    const layer = new Hopfield({ inputSize: D, numHeads: H, ...off, seed: 11 });
    const x = tf.randomNormal([2, 5, D], 0, 1, 'float32', 12);
    const qkv = tf.randomNormal([3 * D, D], 0, 0.5, 'float32', 13);
    const bias = tf.randomNormal([3 * D], 0, 0.1, 'float32', 14);
    const wo = tf.randomNormal([D, D], 0, 0.5, 'float32', 15);
    const bo = tf.randomNormal([D], 0, 0.1, 'float32', 16);
    layer.loadStateDict({
      'association_core.in_proj_weight': qkv,
      'association_core.in_proj_bias': bias,
      'association_core.out_proj.weight': wo,
      'association_core.out_proj.bias': bo,
    });
    const manual = tf.tidy(() => {
      const [wq, wk, wv] = tf.split(qkv, 3, 0);
      const [bq, bk, bv] = tf.split(bias, 3);
      const proj = (w: tf.Tensor, b: tf.Tensor) =>
        tf.transpose(
          tf.reshape(tf.add(tf.matMul(tf.reshape(x, [10, D]), w, false, true), b), [2, 5, H, D / H]),
          [0, 2, 1, 3],
        );
      const q = proj(wq, bq);
      const k = proj(wk, bk);
      const v = proj(wv, bv);
      const a = tf.softmax(
        tf.div(tf.matMul(tf.reshape(q, [4, 5, 4]), tf.reshape(k, [4, 5, 4]), false, true), 2),
      );
      const o = tf.reshape(
        tf.transpose(tf.reshape(tf.matMul(a, tf.reshape(v, [4, 5, 4])), [2, H, 5, 4]), [0, 2, 1, 3]),
        [10, D],
      );
      return tf.reshape(tf.add(tf.matMul(o, wo, false, true), bo), [2, 5, D]);
    });
    expectClose(layer.apply(x) as tf.Tensor, manual, { name: 'attention' });
    tf.dispose([x, qkv, bias, wo, bo, manual]);
    layer.dispose();
  });
});

describeBackends('dispose', () => {
  it('works after building through loadStateDict / associationMatrix, and frees the weights', () => {
    const before = tf.memory().numTensors;
    const a = new Hopfield({ inputSize: 4, seed: 1 });
    tf.dispose(Object.values(a.stateDict()));
    const x = tf.zeros([1, 3, 4]);
    tf.dispose([a.apply(x) as tf.Tensor]);
    a.dispose();
    const b = new HopfieldPooling({ inputSize: 4 });
    b.associationMatrix(x).dispose();
    b.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
