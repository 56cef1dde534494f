import { expectClose } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSmallProductThreshold } from '../src/wasm/matmul-kernels';
import { type Data, randomData, runOn, setupBackends } from './compare';

beforeAll(async () => {
  await setupBackends();
  setSmallProductThreshold(0); // every product takes the new paths, however small
});
afterAll(() => setSmallProductThreshold());

const dim = fc.integer({ min: 1, max: 9 });
/** Batch shapes that broadcast against each other: [], [b], [1,b], [a,1] with [1,b]… */
const batchPair = fc.oneof(
  fc.constant<[number[], number[]]>([[], []]),
  dim.map<[number[], number[]]>((b) => [[b], []]),
  dim.map<[number[], number[]]>((b) => [[], [b]]),
  dim.map<[number[], number[]]>((b) => [[b], [b]]),
  dim.map<[number[], number[]]>((b) => [[1, b], [b]]),
  // pairs tfjs itself mishandles (cpu and wasm alike): the tests expect the same outcome
  fc.tuple(dim, dim).map<[number[], number[]]>(([a, b]) => [
    [a, 1],
    [1, b],
  ]),
  fc.tuple(dim, dim).map<[number[], number[]]>(([a, b]) => [
    [a, b],
    [1, b],
  ]),
);

type Out = ReturnType<typeof runOn>;
/** The cpu result, or the error it throws; the wasm side must do the same. */
function both(inputs: Data[], f: Parameters<typeof runOn>[2]): { wasm: Out; cpu: Out } | undefined {
  let cpu: Out;
  try {
    cpu = runOn('cpu', inputs, f);
  } catch (err) {
    expect(() => runOn('wasm', inputs, f)).toThrow((err as Error).message);
    return undefined;
  }
  return { wasm: runOn('wasm', inputs, f), cpu };
}

const productArb = fc.record({
  m: dim,
  k: dim,
  n: dim,
  batches: batchPair,
  transposeA: fc.boolean(),
  transposeB: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
});
type P = typeof productArb extends fc.Arbitrary<infer T> ? T : never;

function operands(p: P): [Data, Data] {
  const [ba, bb] = p.batches;
  const a = randomData([...ba, ...(p.transposeA ? [p.k, p.m] : [p.m, p.k])], p.seed);
  const b = randomData([...bb, ...(p.transposeB ? [p.n, p.k] : [p.k, p.n])], p.seed + 1);
  return [a, b];
}

const tol = (k: number) => ({ rtol: 1e-5, atol: 1e-6 * Math.max(4, k) });

describe('BatchMatMul on wasm (runtime kernel)', () => {
  for (const [route, loop] of [
    ['per-entry loop', 0],
    ['depthwise convolution', Number.POSITIVE_INFINITY],
  ] as const) {
    it(`matches the cpu backend on true batched products (${route})`, () => {
      setSmallProductThreshold(0, loop);
      try {
        fc.assert(
          fc.property(productArb, (p) => {
            fc.pre(p.batches[0].length > 0 && p.batches[1].length > 0);
            const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, p.transposeA, p.transposeB);
            const r = both(operands(p), f);
            if (r === undefined) return;
            expect(r.wasm[0].shape).toEqual(r.cpu[0].shape);
            expectClose(r.wasm[0].values, r.cpu[0].values, tol(p.k));
          }),
          { numRuns: 80 },
        );
      } finally {
        setSmallProductThreshold(0);
      }
    });
  }

  it('matches the cpu backend: transposes, batches, broadcasting', () => {
    fc.assert(
      fc.property(productArb, (p) => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, p.transposeA, p.transposeB);
        const r = both(operands(p), f);
        if (r === undefined) return;
        const [w] = r.wasm;
        const [c] = r.cpu;
        expect(w.shape).toEqual(c.shape);
        expectClose(w.values, c.values, tol(p.k));
      }),
      { numRuns: 150 },
    );
  });

  it('gives the cpu backend’s gradients', () => {
    fc.assert(
      fc.property(productArb, (p) => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.grads((x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(tf.square(tf.matMul(x, y, p.transposeA, p.transposeB))),
          )([a, b]);
        const r = both(operands(p), f);
        if (r === undefined) return;
        const [wa, wb] = r.wasm;
        const [ca, cb] = r.cpu;
        expectClose(wa.values, ca.values, tol(p.k * p.n * 4));
        expectClose(wb.values, cb.values, tol(p.k * p.m * 4));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the usual error for mismatched inner dimensions', () => {
    tf.setBackend('wasm');
    const a = tf.ones([2, 3]);
    const b = tf.ones([4, 5]);
    expect(() => tf.matMul(a, b)).toThrow(/Error in matMul: inner shapes \(3\) and \(4\)/);
    tf.dispose([a, b]);
  });
});

describe('_FusedMatMul on wasm (runtime kernel)', () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  it('matches the cpu backend with bias and every activation', () => {
    fc.assert(
      fc.property(
        productArb,
        fc.constantFrom(...activations),
        fc.constantFrom('none', 'vector', 'matrix'),
        (p, activation, biasKind) => {
          // tfjs-core's fused.matMul works on rank ≤ 3 operands with one batch dimension
          fc.pre(p.batches[0].length <= 1 && p.batches[1].length <= 1);
          const [a, b] = operands(p);
          const bias = biasKind === 'vector' ? [p.n] : biasKind === 'matrix' ? [p.m, p.n] : undefined;
          const extra = [
            bias ? randomData(bias, p.seed + 2) : randomData([1], 0),
            randomData([p.n], p.seed + 3),
          ];
          const f = (x: tf.Tensor, y: tf.Tensor, bb: tf.Tensor, alpha: tf.Tensor) =>
            tf.fused.matMul({
              a: x,
              b: y,
              transposeA: p.transposeA,
              transposeB: p.transposeB,
              bias: bias ? bb : undefined,
              activation,
              preluActivationWeights: activation === 'prelu' ? alpha : undefined,
              leakyreluAlpha: 0.15,
            });
          const [w] = runOn('wasm', [a, b, ...extra], f);
          const [c] = runOn('cpu', [a, b, ...extra], f);
          expect(w.shape).toEqual(c.shape);
          expectClose(w.values, c.values, tol(p.k));
        },
      ),
      { numRuns: 150 },
    );
  });
});
