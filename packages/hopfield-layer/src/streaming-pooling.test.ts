import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { HopfieldError, HopfieldPooling, StreamingHopfieldPooling } from './index';

/**
 * Chunked online softmax vs one softmax over the whole bag: only the summation order differs, so
 * float32 round-off is all that separates them. Tolerances: values rtol 1e-4 / atol 1e-6,
 * gradients rtol 1e-3 / atol 3e-5 (the stored-pattern LayerNorm shift is analytically 0 — softmax
 * ignores a common shift of the logits — and both layers give it as ~1e-5 round-off).
 */
const FWD = { rtol: 1e-4, atol: 1e-6 };
const GRAD = { rtol: 1e-3, atol: 3e-5 };

type PoolingArgs = ConstructorParameters<typeof HopfieldPooling>[0];

function pair(args: PoolingArgs, chunkSize: number, shapes: number[][]) {
  const plain = new HopfieldPooling({ ...args, seed: 11 });
  const stream = new StreamingHopfieldPooling({ ...args, seed: 99, chunkSize });
  // Build both, then copy the plain layer's parameters (normal-initialised) into the streaming one.
  const probes = shapes.map((s) => tf.zeros(s));
  tf.dispose([plain.apply(probes.length === 1 ? probes[0] : probes) as tf.Tensor]);
  tf.dispose([stream.apply(probes.length === 1 ? probes[0] : probes) as tf.Tensor]);
  tf.dispose(probes);
  const sd = plain.stateDict();
  stream.loadStateDict(sd);
  tf.dispose(Object.values(sd));
  // Non-trivial LayerNorm affine parameters so their gradients are exercised.
  for (const [a, b] of plain.trainableWeights.map((w, i) => [w, stream.trainableWeights[i]] as const)) {
    const r = tf.randomNormal(a.shape as number[], 0, 0.5, 'float32', 5 + a.shape.length);
    const v = a.name.includes('gamma') ? tf.add(r, 1) : r;
    a.write(v);
    b.write(v);
    tf.dispose([r, v]);
  }
  return { plain, stream };
}

function lossOf(layer: HopfieldPooling, inputs: tf.Tensor[], weights: tf.Tensor, kwargs = {}) {
  const out = layer.call(inputs.length === 1 ? inputs[0] : inputs, kwargs) as tf.Tensor;
  return tf.sum(tf.mul(out, weights));
}

function compare(
  args: PoolingArgs,
  chunkSize: number,
  shapes: number[][],
  mask?: (B: number, N: number) => tf.Tensor,
) {
  const { plain, stream } = pair(args, chunkSize, shapes);
  const inputs = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 21 + i));
  const kwargs = mask ? { storedPatternPaddingMask: mask(shapes[0][0], shapes[0][1]) } : {};
  const a = plain.call(inputs.length === 1 ? inputs[0] : inputs, kwargs) as tf.Tensor;
  const b = stream.call(inputs.length === 1 ? inputs[0] : inputs, kwargs) as tf.Tensor;
  expectClose(b, a, { ...FWD, name: 'output' });
  const w = tf.randomNormal(a.shape, 0, 1, 'float32', 31);
  const gradsOf = (layer: HopfieldPooling) => {
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const inputGrads = tf.grads((...xs: tf.Tensor[]) => lossOf(layer, xs, w, kwargs))(inputs);
    const { grads } = tf.variableGrads(() => lossOf(layer, inputs, w, kwargs) as tf.Scalar, vars);
    return { inputGrads, varGrads: vars.map((v) => grads[v.name]) };
  };
  const ga = gradsOf(plain);
  const gb = gradsOf(stream);
  ga.inputGrads.forEach((g, i) => {
    expectClose(gb.inputGrads[i], g, { ...GRAD, name: `d input ${i}` });
  });
  ga.varGrads.forEach((g, i) => {
    expectClose(gb.varGrads[i], g, { ...GRAD, name: `d ${plain.trainableWeights[i].name}` });
  });
  tf.dispose([
    a,
    b,
    w,
    ...inputs,
    ...ga.inputGrads,
    ...gb.inputGrads,
    ...ga.varGrads,
    ...gb.varGrads,
    ...Object.values(kwargs),
  ]);
  plain.dispose();
  stream.dispose();
}

describeBackends('StreamingHopfieldPooling', () => {
  it('equals HopfieldPooling (values and gradients) on random bags, uneven last chunk', () => {
    compare({ inputSize: 6, hiddenSize: 8, numHeads: 2, quantity: 3 }, 7, [[2, 23, 6]]);
  });

  it('equals HopfieldPooling with a separate pattern projection and per-head β', () => {
    compare({ inputSize: 5, patternProjectionSize: 4, hiddenSize: 6, numHeads: 2, scaling: [0.5, 2] }, 4, [
      [3, 10, 5],
      [3, 10, 4],
    ]);
  });

  it('equals HopfieldPooling under a stored-pattern padding mask (a fully masked chunk)', () => {
    compare({ inputSize: 4, hiddenSize: 4, numHeads: 1, quantity: 2 }, 3, [[2, 12, 4]], (B, N) =>
      tf.tensor2d(
        Array.from({ length: B * N }, (_, i) => (i % N < 3 || i % N === 7 ? 1 : 0)),
        [B, N],
        'bool',
      ),
    );
  });

  it('chunk size ≥ bag size is the plain layer; large logits stay finite', () => {
    compare({ inputSize: 4, hiddenSize: 4, scaling: 40 }, 64, [[2, 9, 4]]);
  });

  it('trains inside a tfjs model and serializes chunkSize', async () => {
    const input = tfl.input({ shape: [20, 4] });
    const layer = new StreamingHopfieldPooling({ inputSize: 4, hiddenSize: 4, chunkSize: 6, seed: 1 });
    const out = tfl.layers.dense({ units: 1 }).apply(layer.apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const x = tf.randomNormal([8, 20, 4], 0, 1, 'float32', 2);
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 3);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    const losses = h.history.loss as number[];
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(layer.getConfig().chunkSize).toBe(6);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('leaks no tensors (forward and gradients)', async () => {
    const layer = new StreamingHopfieldPooling({ inputSize: 4, hiddenSize: 4, chunkSize: 5, seed: 1 });
    const x = tf.randomNormal([2, 13, 4], 0, 1, 'float32', 2);
    await expectNoLeakedTensors(() => layer.apply(x) as tf.Tensor);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    await expectNoLeakedTensors(() => {
      const dx = tf.grads((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))([x]);
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars);
      return [dx, value, grads];
    });
    tf.dispose(x);
    layer.dispose();
  });

  it('forward memory beyond the input does not grow with the bag (the plain layer does)', async () => {
    const args = { inputSize: 8, hiddenSize: 8, numHeads: 2, seed: 1 };
    const stream = new StreamingHopfieldPooling({ ...args, chunkSize: 256 });
    const plain = new HopfieldPooling(args);
    const extra = async (layer: HopfieldPooling, N: number) => {
      const x = tf.randomNormal([1, N, 8], 0, 1, 'float32', 3);
      const base = tf.memory().numBytes;
      const p = await tf.profile(() => {
        tf.dispose(layer.apply(x) as tf.Tensor);
      });
      tf.dispose(x);
      return p.peakBytes - base;
    };
    await extra(stream, 512); // builds the layer
    await extra(plain, 512);
    const [s1, s2] = [await extra(stream, 1024), await extra(stream, 8192)];
    const [p1, p2] = [await extra(plain, 1024), await extra(plain, 8192)];
    expect(s2).toBeLessThanOrEqual(s1 * 1.05);
    expect(p2).toBeGreaterThan(p1 * 4);
    stream.dispose();
    plain.dispose();
  });

  it('rejects bad input with a HopfieldError naming the argument', () => {
    expect(() => new StreamingHopfieldPooling({ chunkSize: 0 })).toThrow(
      /chunkSize: expected an integer > 0, received 0/,
    );
    expect(() => new StreamingHopfieldPooling({ updateStepsMax: 2 })).toThrow(
      /updateStepsMax: .*expected 0, received 2/,
    );
    expect(() => new StreamingHopfieldPooling({ dropout: 0.1 })).toThrow(
      /dropout: .*expected 0, received 0.1/,
    );
    expect(() => new StreamingHopfieldPooling({ addZeroAssociation: true })).toThrow(HopfieldError);
    const layer = new StreamingHopfieldPooling({ inputSize: 4, hiddenSize: 4, chunkSize: 3 });
    const x = tf.zeros([2, 6, 4]);
    expect(() => layer.apply(tf.zeros([6, 4]))).toThrow(/inputs: expected rank-3 tensors .*received \[6,4\]/);
    expect(() => layer.call(x, { storedPatternPaddingMask: tf.zeros([2, 5]) })).toThrow(
      /storedPatternPaddingMask: expected shape \[2,6\].*received \[2,5\]/,
    );
    expect(() => layer.call(x, { associationMask: tf.zeros([1, 6]) })).toThrow(/associationMask: /);
    expect(() => layer.call(x, { storedPatternPaddingMask: tf.ones([2, 6]) })).toThrow(
      /storedPatternPaddingMask: expected at least one unmasked stored pattern/,
    );
    expect(() => layer.call(tf.zeros([2, 6, 5]), {})).toThrow(/expected feature size 4/);
    tf.dispose(x);
    layer.dispose();
  });
});
