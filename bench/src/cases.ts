import * as tf from '@tensorflow/tfjs-core';

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
): BenchCase {
  return {
    id,
    name: `conv2d train step x[${xShape}] w[${wShape}] stride ${stride} ${pad}`,
    group: 'conv',
    slowOnCpu: true,
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
];
