import * as tf from '@tensorflow/tfjs-core';
import type { Column } from './report';

/** Parameters handed to bench/python/torch_cases.py (tfjs layouts; the script converts). */
export interface TorchSpec {
  kind: string;
  params: Record<string, unknown>;
}

export interface BenchCase {
  /** Short id for `--filter`. */
  id: string;
  /** Row title in BENCHMARKS.md. */
  name: string;
  group: string;
  /** Builds the inputs on the active backend; returns the timed call and a cleanup. */
  make(): { run: () => void; dispose: () => void };
  torch?: TorchSpec;
  /** The tfjs cpu backend needs seconds or minutes: time it once, skip it with `--quick`. */
  slowOnCpu?: boolean;
  /** Not run on the tfjs cpu backend at all (minutes per call; the first conv case shows why). */
  skipCpu?: boolean;
  /** Columns not run, each with the reason shown in the results (e.g. a measured failure mode). */
  skipColumns?: Partial<Record<Column, string>>;
  /** Images (or other items) one call processes: the report adds items/s for the case. */
  items?: number;
}

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** Runs `f` in a tidy scope, discarding every result (cpu and wasm kernels are synchronous). */
function timed(f: () => tf.Tensor | tf.Tensor[]): () => void {
  return () => {
    tf.tidy(() => {
      f();
    });
  };
}

function holding(tensors: tf.Tensor[], run: () => void) {
  return { run, dispose: () => tf.dispose(tensors) };
}

function matMulCase(
  id: string,
  name: string,
  aShape: number[],
  bShape: number[],
  transposeA = false,
  transposeB = false,
): BenchCase {
  return {
    id,
    name,
    group: 'matmul',
    slowOnCpu: aShape.reduce((x, y) => x * y) * bShape[bShape.length - 1] > 2e8,
    make() {
      const a = rand(aShape, 1);
      const b = rand(bShape, 2);
      return holding(
        [a, b],
        timed(() => tf.matMul(a, b, transposeA, transposeB)),
      );
    },
    torch: { kind: 'matmul', params: { a: aShape, b: bShape, transposeA, transposeB } },
  };
}

/** tf.valueAndGrads of sum(conv2d(x, w)) with respect to x and w: one training step's conv work. */
function conv2dTrainCase(
  id: string,
  xShape: [number, number, number, number],
  wShape: [number, number, number, number],
  stride: 1 | 2,
  pad: 'same' | 'valid',
  skipCpu = false,
): BenchCase {
  return {
    id,
    name: `conv2d train step x[${xShape}] w[${wShape}] stride ${stride} ${pad}`,
    group: 'conv',
    slowOnCpu: true,
    skipCpu,
    make() {
      const x = rand(xShape, 3);
      const w = tf.mul(rand(wShape, 4), 0.1);
      const step = tf.valueAndGrads((xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, pad)),
      );
      return holding(
        [x, w],
        timed(() => {
          const { value, grads } = step([x, w]);
          return [value, ...grads];
        }),
      );
    },
    torch: { kind: 'conv2d_train', params: { x: xShape, w: wShape, stride, pad } },
  };
}

/** Gradients of sum(r · f(x, w)) with respect to x and w, as one training step of a layer does. */
function trainStep(f: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor, x: tf.Tensor, w: tf.Tensor): () => void {
  const step = tf.valueAndGrads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(f(xx, ww)));
  return timed(() => {
    const { value, grads } = step([x, w]);
    return [value, ...grads];
  });
}

const conv2dTransposeTrain: BenchCase = {
  id: 'conv2d-transpose-train',
  name: 'conv2dTranspose train step x[8,32,32,32] w[3,3,16,32] stride 2 same → [8,64,64,16]',
  group: 'conv',
  slowOnCpu: true,
  skipCpu: true,
  make() {
    const x = rand([8, 32, 32, 32], 5);
    const w = tf.mul(rand([3, 3, 16, 32], 6), 0.1);
    return holding(
      [x, w],
      trainStep(
        (a, b) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [8, 64, 64, 16], 2, 'same'),
        x,
        w,
      ),
    );
  },
  torch: {
    kind: 'conv2d_transpose_train',
    params: { x: [8, 32, 32, 32], w: [3, 3, 16, 32], stride: 2, pad: 'same' },
  },
};

const depthwiseTrain: BenchCase = {
  id: 'depthwise-train',
  name: 'depthwiseConv2d train step x[8,64,64,32] w[3,3,32,1] stride 1 same',
  group: 'conv',
  slowOnCpu: true,
  make() {
    const x = rand([8, 64, 64, 32], 7);
    const w = tf.mul(rand([3, 3, 32, 1], 8), 0.1);
    return holding(
      [x, w],
      trainStep((a, b) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), x, w),
    );
  },
  torch: {
    kind: 'depthwise_train',
    params: { x: [8, 64, 64, 32], w: [3, 3, 32, 1], stride: 1, pad: 'same' },
  },
};

const embeddingTrain: BenchCase = {
  id: 'embedding-train',
  name: 'embedding train step: gather table[10000,128] at ids[32,128], gradient of the table',
  group: 'embedding',
  slowOnCpu: true,
  // the cpu backend's UnsortedSegmentSum masks all rows once per segment: 10,000 passes here
  skipCpu: true,
  make() {
    const table = rand([10000, 128], 9);
    const ids = tf.randomUniformInt([32, 128], 0, 10000, 10);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)));
    return holding(
      [table, ids],
      timed(() => grad(table)),
    );
  },
  torch: { kind: 'embedding_train', params: { vocab: 10000, dim: 128, ids: [32, 128] } },
};

const segmentSum: BenchCase = {
  id: 'segment-sum',
  name: 'unsortedSegmentSum x[4096,128] into 1000 segments',
  group: 'embedding',
  slowOnCpu: true,
  skipCpu: true, // 1,000 masked passes on the cpu backend: minutes under load
  make() {
    const x = rand([4096, 128], 11);
    const ids = tf.randomUniformInt([4096], 0, 1000, 12);
    return holding(
      [x, ids],
      timed(() => tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 1000)),
    );
  },
  torch: { kind: 'segment_sum', params: { n: 4096, dim: 128, segments: 1000 } },
};

/**
 * Plain multi-head attention, forward and backward (gradients for x and the four projections):
 * batch 32, 128 tokens, 256 dims, 8 heads — the reference for hflayers-sized models.
 */
const attentionTrain: BenchCase = {
  id: 'attention-train',
  name: 'multi-head attention fwd+bwd (batch 32, 128 tokens, 256 dims, 8 heads)',
  group: 'attention',
  slowOnCpu: true,
  make() {
    const [b, t, d, h] = [32, 128, 256, 8];
    const hd = d / h;
    const x = rand([b, t, d], 13);
    const ws = [14, 15, 16, 17].map((s) => tf.mul(rand([d, d], s), 1 / Math.sqrt(d)));
    const split = (z: tf.Tensor) => tf.transpose(tf.reshape(z, [b, t, h, hd]), [0, 2, 1, 3]);
    // projections on [b·t, d] rows, as tf.layers.dense does (tfjs-core's matMul gradient does
    // not reduce a batch that only one operand has, so a [b,t,d]·[d,d] product cannot be trained)
    const f = (xx: tf.Tensor, wq: tf.Tensor, wk: tf.Tensor, wv: tf.Tensor, wo: tf.Tensor) => {
      const rows = tf.reshape(xx, [b * t, d]);
      const q = split(tf.matMul(rows, wq));
      const k = split(tf.matMul(rows, wk));
      const v = split(tf.matMul(rows, wv));
      const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)));
      const o = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [b * t, d]);
      return tf.sum(tf.square(tf.matMul(o, wo)));
    };
    const step = tf.valueAndGrads(f as (...xs: tf.Tensor[]) => tf.Scalar);
    return holding(
      [x, ...ws],
      timed(() => {
        const { value, grads } = step([x, ...ws]);
        return [value, ...grads];
      }),
    );
  },
  torch: { kind: 'attention_train', params: { batch: 32, tokens: 128, dim: 256, heads: 8 } },
};

export const CASES: BenchCase[] = [
  matMulCase('matmul', 'matMul [4096,256]·[256,256]', [4096, 256], [256, 256]),
  matMulCase('matmul-tb', 'matMul [4096,256]·[256,256]ᵀ (transposeB)', [4096, 256], [256, 256], false, true),
  matMulCase('matmul-ta', 'matMul [256,4096]ᵀ·[256,256] (transposeA)', [256, 4096], [256, 256], true, false),
  matMulCase(
    'matmul-dw',
    'matMul [4096,256]ᵀ·[4096,256] (transposeA, weight grad)',
    [4096, 256],
    [4096, 256],
    true,
  ),
  matMulCase('matmul-batched', 'matMul batched [256,128,32]·[256,32,128]', [256, 128, 32], [256, 32, 128]),
  matMulCase('matmul-1024', 'matMul [1024,1024]·[1024,1024]', [1024, 1024], [1024, 1024]),
  conv2dTrainCase('conv2d-train', [8, 64, 64, 32], [3, 3, 32, 32], 1, 'same'),
  conv2dTrainCase('conv2d-s2-train', [8, 64, 64, 32], [3, 3, 32, 64], 2, 'same', true),
  conv2dTransposeTrain,
  depthwiseTrain,
  embeddingTrain,
  segmentSum,
  attentionTrain,
];
