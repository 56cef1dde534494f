/**
 * Replacements for tfjs-backend-webgpu 4.22 kernels that generate invalid shaders, found by the
 * webgpu parity and training-path tests (test/webgpu-parity.test.ts, test/webgpu-training.test.ts).
 * Each wraps the published kernel and only changes how it is called: the inputs are reshaped (or
 * split) so that the published shader is valid, and the result reshaped back. Dawn reports an
 * invalid shader as a validation warning and the op then returns garbage, so without these the
 * affected steps train on wrong values without an error.
 */
import * as tf from '@tensorflow/tfjs-core';

type Args = Parameters<tf.KernelFunc>[0];
type WebGpuBackend = tf.KernelBackend & {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
};

/** Kernels built on `BinaryOpProgram` (tfjs-backend-webgpu's `binaryKernelFunc`, and Prelu). */
const BINARY_KERNELS = [
  tf.Add,
  tf.Atan2,
  tf.Equal,
  tf.FloorDiv,
  tf.Greater,
  tf.GreaterEqual,
  tf.Less,
  tf.LessEqual,
  tf.LogicalAnd,
  tf.LogicalOr,
  tf.Maximum,
  tf.Minimum,
  tf.Mod,
  tf.Multiply,
  tf.NotEqual,
  tf.Pow,
  tf.Prelu,
  tf.RealDiv,
  tf.SquaredDifference,
  tf.Sub,
];

let installed = false;

/** Installs the replacements on the registered `webgpu` kernels (once; no-op if not registered). */
export function installWebGpuKernelFixes(): void {
  if (installed || tf.getKernel(tf.AddN, 'webgpu') === undefined) return;
  installed = true;
  wrap(tf.AddN, chunkedAddN);
  for (const name of BINARY_KERNELS) wrap(name, broadcastOverRank5);
  wrap(tf.PadV2, padAxisByAxis);
}

function wrap(name: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(name, 'webgpu');
  if (stock === undefined) return;
  tf.unregisterKernel(name, 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc) });
}

/** Runs the registered webgpu kernel `name` (a TensorInfo out; the caller disposes it). */
function run(name: string, backend: tf.KernelBackend, inputs: Record<string, tf.TensorInfo>, attrs = {}) {
  const k = tf.getKernel(name, 'webgpu');
  if (k === undefined) throw new Error(`webgpu kernel ${name} is not registered`);
  return k.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs }) as tf.TensorInfo;
}

const reshape = (backend: tf.KernelBackend, x: tf.TensorInfo, shape: number[]) =>
  run(tf.Reshape, backend, { x }, { shape });

/**
 * `AddN` binds every input as a storage buffer of one shader (`AddNPackedProgram`): more than
 * `maxStorageBuffersPerShaderStage − 1` inputs (15 on Mesa llvmpipe, whose limit is 16) make an
 * invalid pipeline. tfjs' `Concat` splits its inputs by that limit; `AddN` does not. Sums in
 * chunks of at most that many inputs, then the partial sums the same way.
 */
function chunkedAddN(stock: tf.KernelFunc): tf.KernelFunc {
  const sum = (args: Args): tf.TensorInfo => {
    const backend = args.backend as WebGpuBackend;
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const most = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= most) return stock(args) as tf.TensorInfo;
    const partials: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += most) {
      partials.push(sum({ ...args, inputs: inputs.slice(i, i + most) as unknown as tf.NamedTensorInfoMap }));
    }
    const out = sum({ ...args, inputs: partials as unknown as tf.NamedTensorInfoMap });
    for (const p of partials) backend.disposeData(p.dataId);
    return out;
  };
  return sum as tf.KernelFunc;
}

/**
 * `BinaryOpProgram` broadcasts a 1-D operand of fewer than 128 values through workgroup memory,
 * indexing it with `coords[rank − 1]`; at rank ≥ 5 `coords` is tfjs' `vec5`/`vec6` struct, which WGSL
 * cannot index ("cannot index type 'vec5'"), e.g. a bias or batch-norm scale over a 5-D
 * `[N, D, H, W, C]` tensor (VoxelNet's 3-D convolutions). The 1-D operand runs along the last axis
 * only, so the other one is collapsed to `[rows, last]` and the result expanded back.
 */
function broadcastOverRank5(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: Args) => {
    const names = Object.keys(args.inputs);
    const [a, b] = names.map((n) => args.inputs[n] as tf.TensorInfo);
    const vector = (t: tf.TensorInfo) => t.shape.length === 1 && t.shape[0] < 128;
    const big = vector(a) && b.shape.length > 4 ? 1 : vector(b) && a.shape.length > 4 ? 0 : -1;
    if (big < 0) return stock(args);
    const backend = args.backend as tf.KernelBackend;
    const x = big === 0 ? a : b;
    const last = x.shape[x.shape.length - 1];
    const flat = reshape(backend, x, [tf.util.sizeFromShape(x.shape) / last, last]);
    const inputs = { ...args.inputs, [names[big]]: flat };
    const out = stock({ ...args, inputs }) as tf.TensorInfo;
    const result = reshape(backend, out, [...x.shape.slice(0, -1), out.shape[1]]);
    backend.disposeData(flat.dataId);
    backend.disposeData(out.dataId);
    return result;
  }) as tf.KernelFunc;
}

/**
 * `PadProgram` at rank ≥ 5 indexes tfjs' `vec5` struct (same WGSL error), e.g. the `same` padding
 * of VoxelNet's 3-D convolutions. Pads one axis at a time instead, each as a rank-3 pad of
 * `[outer, axis, inner]`.
 */
function padAxisByAxis(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: Args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.shape.length <= 4) return stock(args);
    const { paddings, constantValue } = args.attrs as unknown as {
      paddings: [number, number][];
      constantValue: number;
    };
    const backend = args.backend as tf.KernelBackend;
    const shape = [...x.shape];
    let cur = reshape(backend, x, shape);
    for (let axis = 0; axis < shape.length; axis++) {
      const [before, after] = paddings[axis];
      if (before === 0 && after === 0) continue;
      const outer = tf.util.sizeFromShape(shape.slice(0, axis));
      const inner = tf.util.sizeFromShape(shape.slice(axis + 1));
      const r3 = reshape(backend, cur, [outer, shape[axis], inner]);
      const padded = stock({
        inputs: { x: r3 },
        backend,
        attrs: {
          paddings: [
            [0, 0],
            [before, after],
            [0, 0],
          ],
          constantValue,
        },
      }) as tf.TensorInfo;
      shape[axis] += before + after;
      const next = reshape(backend, padded, shape);
      for (const t of [cur, r3, padded]) backend.disposeData(t.dataId);
      cur = next;
    }
    return cur;
  }) as tf.KernelFunc;
}
