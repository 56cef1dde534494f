import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { useBestBackend } from '../backend';
import { ONEDNN_OPS } from './kernels';
import { nativeStatus } from './status';

// A custom gradient whose gradFunc calls zerosLike on its input after the caller disposed it (as
// @paperstack/nnclr's SupportSet.lookupOnDevice does): fine on cpu and wasm, whose ZerosLike
// reads only shape and dtype; tfjs-node's stock ZerosLike reads the freed data and fails.
function gradThroughStoppedInput(): number[] {
  const stop = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.mul(x, 2),
    gradFunc: () => tf.zerosLike(x),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  const v0 = tf.tensor1d([3, 1]);
  const g = tf.grad((v: tf.Tensor) => {
    const q = tf.mul(v, 3);
    const y = stop(q) as tf.Tensor;
    q.dispose();
    return tf.sum(tf.add(y, v));
  })(v0);
  const out = Array.from(g.dataSync());
  tf.dispose([g, v0]);
  return out;
}

/** What useBestBackend reports on `tensorflow`: replaced kernels, then the ops routed to oneDNN. */
const KERNELS = ['Cast', 'ZerosLike', 'OnesLike', 'Reshape', 'Transpose', 'Sum', ...ONEDNN_OPS];

interface Binding {
  executeOp(name: string, attrs: unknown[], ids: number[], n: number): { id: number }[];
  deleteTensor(id: number): void;
  TF_ATTR_TYPE: number;
  TF_FLOAT: number;
}

/**
 * Runs `f` on the active tensorflow backend with its binding wrapped, and returns f's result and the
 * TensorFlow ops it executed, in order; the op named `fail` throws instead of running, and the one
 * named `negate` returns its output negated.
 */
function withOps<T>(
  f: () => T,
  { fail, negate }: { fail?: string; negate?: string } = {},
): { result: T; ops: string[] } {
  const b = tf.backend() as unknown as { binding: Binding };
  const binding = b.binding;
  const ops: string[] = [];
  b.binding = Object.create(binding, {
    executeOp: {
      value: (name: string, attrs: unknown[], ids: number[], n: number) => {
        ops.push(name);
        if (name === fail) throw new Error('Invalid TF_Status: 3');
        const out = binding.executeOp(name, attrs, ids, n);
        if (name !== negate) return out;
        const T = [{ name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT }];
        const negated = binding.executeOp('Neg', T, [out[0].id], 1);
        binding.deleteTensor(out[0].id);
        return negated;
      },
    },
  });
  try {
    return { result: f(), ops };
  } finally {
    b.binding = binding;
  }
}

describe.runIf(nativeStatus('cpu').ready)('native backend fixes', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('ZerosLike and OnesLike of a disposed tensor: shape and dtype only, as on cpu', async () => {
    await useBestBackend({ backend: 'cpu', log: false });
    expect(gradThroughStoppedInput()).toEqual([1, 1]);
    const choice = await useBestBackend({ backend: 'tensorflow', log: false });
    expect(choice.kernels).toEqual(KERNELS);
    const before = tf.memory().numTensors;
    expect(gradThroughStoppedInput()).toEqual([1, 1]);
    expect(tf.memory().numTensors).toBe(before);
    const z = tf.tidy(() => [tf.zerosLike(tf.ones([2, 3], 'int32')), tf.onesLike(tf.zeros([2], 'bool'))]);
    expect(z.map((t) => [t.dtype, t.shape, Array.from(t.dataSync())])).toEqual([
      ['int32', [2, 3], [0, 0, 0, 0, 0, 0]],
      ['bool', [2], [1, 1]],
    ]);
    tf.dispose(z);
    // registering again changes nothing
    expect((await useBestBackend({ backend: 'tensorflow', log: false })).kernels).toEqual(KERNELS);
  });

  it('Cast to the same dtype shares the input (no TensorFlow op); other casts convert', async () => {
    await useBestBackend({ backend: 'tensorflow', log: false });
    const ids = () => tf.backend().numDataIds();
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const before = ids();
    const same = tf.cast(x, 'float32');
    expect(ids()).toBe(before);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
    const ints = tf.cast(same, 'int32');
    expect([ints.dtype, Array.from(ints.dataSync())]).toEqual(['int32', [1, -2, 3]]);
    const bools = tf.cast(tf.tensor1d([0, 2], 'int32'), 'bool');
    expect(Array.from(bools.dataSync())).toEqual([0, 1]);
    tf.dispose([same, ints, bools]);
  });

  it('Reshape, Transpose and Sum with cached shape/permutation/axes handles match the cpu backend', async () => {
    const cases = () =>
      tf.tidy(() => {
        const x = tf.tensor3d(
          Array.from({ length: 24 }, (_, i) => i * 0.5 - 3),
          [2, 3, 4],
        );
        const n = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
        const [dx] = tf.grads((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.transpose(tf.reshape(a, [6, 4]), [1, 0]), 2)),
        )([x]);
        return [
          tf.reshape(x, [4, 6]),
          tf.reshape(x, [-1]),
          tf.reshape(tf.tensor1d([1, 0, 1], 'bool'), [3, 1]),
          tf.transpose(x, [2, 0, 1]),
          tf.transpose(n),
          tf.sum(x),
          tf.sum(x, [0, 2], true),
          tf.sum(x, -1),
          tf.sum(n, 1),
          dx,
        ].map((t) => [t.dtype, t.shape, Array.from(t.dataSync())]);
      });
    await useBestBackend({ backend: 'cpu', log: false });
    const want = cases();
    await useBestBackend({ backend: 'tensorflow', log: false });
    const before = tf.memory().numTensors;
    expect(cases()).toEqual(want);
    // more distinct shapes than the cache keeps: it starts again and stays right
    for (let i = 1; i <= 1100; i++) {
      const s = tf.tidy(() => tf.sum(tf.reshape(tf.ones([i]), [1, i, 1])).dataSync()[0]);
      if (s !== i) expect(s).toBe(i);
    }
    expect(cases()).toEqual(want);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("BatchMatMul through oneDNN's batched kernel: TensorFlow's BatchMatMulV2 within float32 rounding, gradients as on cpu, no leaks", async () => {
    await useBestBackend({ backend: 'tensorflow', log: false });
    const b = tf.backend() as unknown as {
      binding: { TF_ATTR_TYPE: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
      executeSingleOutput(op: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
    };
    // TensorFlow's own op, as tfjs-node's stock kernel runs it
    const stockMatMul = (x: tf.Tensor, y: tf.Tensor, ta: boolean, tb: boolean) =>
      b.executeSingleOutput(
        'BatchMatMulV2',
        [
          { name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT },
          { name: 'adj_x', type: b.binding.TF_ATTR_BOOL, value: ta },
          { name: 'adj_y', type: b.binding.TF_ATTR_BOOL, value: tb },
        ],
        [x, y],
      );
    // [batch dims of a], [batch dims of b], m, k, n, whether oneDNN pays (≥ 2²⁰ multiply-adds, and
    // not few large matrices): 2-D, batched, broadcast both ways, rank 4, odd sizes
    const shapes: [number[], number[], number, number, number, boolean][] = [
      [[], [], 7, 5, 3, false],
      [[], [], 1030, 33, 31, true],
      [[16], [16], 65, 16, 65, true],
      [[4], [4], 65, 16, 65, false],
      [[3], [], 129, 65, 130, true],
      [[], [3], 129, 65, 130, true],
      [[2, 3], [2, 3], 65, 49, 66, true],
      [[2, 1], [1, 3], 65, 49, 66, true],
      [[1], [5], 1, 33, 1, false],
      [[2], [2], 257, 255, 257, false],
    ];
    // the first routed product also runs TensorFlow's op, to check the twin
    tf.tidy(() => {
      tf.matMul(tf.ones([1024, 32]), tf.ones([32, 32]));
    });
    let seed = 1;
    for (const [ba, bb, m, k, n, oneDnn] of shapes)
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const x = tf.randomNormal([...ba, ...(ta ? [k, m] : [m, k])], 0, 1, 'float32', seed++);
        const y = tf.randomNormal([...bb, ...(tb ? [n, k] : [k, n])], 0, 1, 'float32', seed++);
        const { result: got, ops } = withOps(() => tf.matMul(x, y, ta, tb));
        expect(ops).toEqual([oneDnn ? '_MklBatchMatMulV2' : 'BatchMatMulV2']);
        const want = stockMatMul(x, y, ta, tb);
        expect(got.shape).toEqual(want.shape);
        // float32 rounding: the two kernels may sum the k products in another order (entries are
        // sums of k ≤ 255 products of N(0, 1) numbers, so |value| ≲ 80 and one ulp ≲ 1e-5)
        const [g, w] = [got.dataSync(), want.dataSync()];
        let worst = 0;
        for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i] - w[i]));
        expect(worst).toBeLessThan(2e-4);
        tf.dispose([x, y, got, want]);
      }
    // gradients of a batched product against the cpu backend (tfjs-core's BatchMatMul gradient does
    // not reduce broadcast batch dimensions); int32 and empty products keep the stock kernel
    const cases = () =>
      tf.tidy(() => {
        const x = tf.tensor3d(
          Array.from({ length: 24 }, (_, i) => Math.sin(i)),
          [2, 3, 4],
        );
        const w = tf.tensor3d(
          Array.from({ length: 16 }, (_, i) => Math.cos(i)),
          [2, 4, 2],
        );
        const [dx, dw] = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, c))))([x, w]);
        const ints = tf.matMul(
          tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'),
          tf.tensor2d([5, 6], [2, 1], 'int32'),
        );
        const empty = tf.matMul(tf.zeros([0, 3]), tf.ones([3, 2]));
        return [dx, dw, ints, empty].map((t) => [t.dtype, t.shape, Array.from(t.dataSync())]);
      });
    await useBestBackend({ backend: 'cpu', log: false });
    const want = cases();
    await useBestBackend({ backend: 'tensorflow', log: false });
    const got = cases();
    expect(got.slice(2)).toEqual(want.slice(2));
    for (const i of [0, 1]) {
      expect(got[i].slice(0, 2)).toEqual(want[i].slice(0, 2));
      (got[i][2] as number[]).forEach((v, j) => {
        expect(v).toBeCloseTo((want[i][2] as number[])[j], 4);
      });
    }
    const x = tf.randomNormal([8, 17, 16]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.grad((a: tf.Tensor) => tf.sum(tf.matMul(a, a, false, true)))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  // before the convolution test: the depthwise filter gradient's twin must not have been checked yet
  it("a oneDNN twin whose first result differs from TensorFlow's op is dropped with a warning; the result is TensorFlow's", async () => {
    await useBestBackend({ backend: 'tensorflow', log: false });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // filter gradient of a depthwise convolution with ones: each tap sums the 4 × 4 input
    const dw = () =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((w: tf.Tensor) =>
              tf.sum(tf.depthwiseConv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')),
            )(tf.ones([1, 1, 2, 1]))
            .dataSync(),
        ),
      );
    const twin = '_MklNativeDepthwiseConv2dNativeBackpropFilter';
    try {
      const before = tf.memory().numTensors;
      const first = withOps(dw, { negate: twin });
      expect(first.result).toEqual([16, 16]);
      expect(first.ops).toContain(twin);
      expect(first.ops).toContain('DepthwiseConv2dNativeBackpropFilter');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(
        /oneDNN _MklNativeDepthwiseConv2dNativeBackpropFilter differed from DepthwiseConv2dNativeBackpropFilter by 2\.00e\+0 of the largest value on its first call/,
      );
      const later = withOps(dw, { negate: twin });
      expect(later.result).toEqual([16, 16]);
      expect(later.ops).not.toContain(twin);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      warn.mockRestore();
    }
  });

  it("convolutions through oneDNN's kernels: values and gradients as on cpu, single-channel input gradients on TensorFlow's op, no leaks", async () => {
    const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
    // each case: a loss of (input, filter) whose value and both gradients are compared
    const cases: [string, number[], number[], (x: tf.Tensor, w: tf.Tensor) => tf.Tensor][] = [
      [
        'conv2d',
        [2, 9, 8, 3],
        [3, 3, 3, 4],
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
      ],
      [
        'conv2d stride 2 valid',
        [2, 9, 8, 3],
        [3, 3, 3, 5],
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'),
      ],
      [
        'conv2d one channel',
        [2, 6, 6, 1],
        [3, 3, 1, 2],
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
      ],
      [
        'conv2dTranspose',
        [2, 4, 5, 4],
        [3, 3, 3, 4],
        (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 10, 3], 2, 'same'),
      ],
      [
        'depthwise',
        [2, 7, 6, 3],
        [3, 3, 3, 2],
        (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
      ],
      [
        'conv3d',
        [1, 4, 6, 5, 2],
        [3, 3, 3, 2, 3],
        (x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same'),
      ],
      [
        'conv3d stride 2',
        [1, 4, 6, 5, 2],
        [3, 3, 3, 2, 3],
        (x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 2, 'same'),
      ],
    ];
    const run = () =>
      cases.map(([, xs, ws, f], i) =>
        tf.tidy(() => {
          const [x, w] = [seeded(xs, 2 * i + 1), seeded(ws, 2 * i + 2)];
          const loss = (a: tf.Tensor, c: tf.Tensor) => {
            const y = f(a, c);
            return tf.sum(tf.mul(y, tf.sin(y)));
          };
          const { value, grads } = tf.valueAndGrads(loss)([x, w]);
          return [value, ...grads].map((t) => Array.from(t.dataSync()));
        }),
      );
    await useBestBackend({ backend: 'cpu', log: false });
    const want = run();
    await useBestBackend({ backend: 'tensorflow', log: false });
    run(); // first calls: each twin checked against TensorFlow's op
    const { result: got, ops } = withOps(run);
    got.forEach((parts, i) => {
      parts.forEach((values, j) => {
        const scale = Math.max(...want[i][j].map(Math.abs));
        const worst = Math.max(...values.map((v, k) => Math.abs(v - want[i][j][k])));
        // float32 rounding over sums of a few hundred terms (the cpu backend sums in another order)
        expect(worst / scale, `${cases[i][0]}, part ${j}`).toBeLessThan(1e-4);
      });
    });
    for (const op of [
      'Conv2D',
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'DepthwiseConv2dNative',
      'Conv3D',
    ])
      expect(ops).toContain(`_MklNative${op}`);
    // the single-channel case's input gradient (the only one with one input channel) stays on TensorFlow's op
    expect(ops).toContain('Conv2DBackpropInput');
    expect(ops.filter((o) => o === 'Conv2DBackpropInput')).toHaveLength(1);
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs with oneDNN off: the single-channel conv2d input gradient is right (it is not with oneDNN on)', async () => {
    const grad = () =>
      Array.from(
        tf
          .tidy(() =>
            tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 1, 1]), 1, 'same')))(
              tf.ones([1, 4, 4, 1]),
            ),
          )
          .dataSync(),
      );
    await useBestBackend({ backend: 'tensorflow', log: false });
    // TensorFlow read it when the library loaded; useBestBackend set it unless the caller had
    expect(process.env.TF_ENABLE_ONEDNN_OPTS).toBe('0');
    if (availableParallelism() <= 2) expect(process.env.TF_NUM_INTRAOP_THREADS).toBe('1');
    // each input pixel receives one count per output window covering it
    const want = [4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4];
    for (let i = 0; i < 10; i++) expect(grad()).toEqual(want);
  });

  it('PAPERSTACK_ONEDNN=0 turns the oneDNN routing off, and setting the backend up again without it back on', async () => {
    const off = await useBestBackend({ backend: 'tensorflow', log: false, env: { PAPERSTACK_ONEDNN: '0' } });
    const product = () =>
      withOps(() =>
        tf.tidy(() => {
          tf.matMul(tf.ones([4, 64, 64]), tf.ones([4, 64, 64]));
        }),
      ).ops.filter((o) => o.includes('BatchMatMul'));
    expect(off.kernels).toEqual(KERNELS.slice(0, 6));
    expect(product()).toEqual(['BatchMatMulV2']);
    const on = await useBestBackend({ backend: 'tensorflow', log: false, env: {} });
    expect(on.kernels).toEqual(KERNELS);
    product(); // a first call also runs TensorFlow's op to check the twin (when no earlier test did)
    expect(product()).toEqual(['_MklBatchMatMulV2']);
  });

  // last: it turns one twin off for the rest of the process
  it("a oneDNN twin that throws is dropped with a warning; the op runs as TensorFlow's own from then on", async () => {
    await useBestBackend({ backend: 'tensorflow', log: false });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const conv = () =>
      tf.tidy(() =>
        Array.from(
          tf
            .conv3d(
              tf.ones([1, 3, 3, 3, 2]) as tf.Tensor5D,
              tf.ones([3, 3, 3, 2, 2]) as tf.Tensor5D,
              1,
              'valid',
            )
            .dataSync(),
        ),
      );
    try {
      expect(withOps(conv, { fail: '_MklNativeConv3D' })).toEqual({
        result: [54, 54],
        ops: ['_MklNativeConv3D', 'Conv3D'],
      });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(
        /oneDNN _MklNativeConv3D failed \(Invalid TF_Status: 3\); Conv3D runs as TensorFlow's own op from now on/,
      );
      expect(withOps(conv, { fail: '_MklNativeConv3D' })).toEqual({ result: [54, 54], ops: ['Conv3D'] });
    } finally {
      warn.mockRestore();
    }
  });
});
