/**
 * Faster wasm `BatchMatMul` / `_FusedMatMul`. The published kernels
 * (tensorflow/tfjs: tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc) use XNNPACK's fully-connected
 * operator only when neither side is transposed and neither is batched; every other product —
 * including every matMul gradient — runs in a scalar triple loop. Here:
 *
 * - transposed operands are materialized with the wasm Transpose kernel;
 * - batch dimensions that only one side has are folded into the rows of a single 2-D product;
 * - true batched products (both sides batched) run the published kernel's XNNPACK path once per
 *   batch entry, on tensors that alias the entry's slice of the operands on the wasm heap (no
 *   copies in; each result is copied into place); when the entries are too small for the per-call
 *   cost to pay off they become one depthwise convolution instead: with the batch as channels, A
 *   as a [1, M·K, 1, batch] image read with stride K and B as a K×1 filter with channel multiplier
 *   N, XNNPACK runs one small GEMM per entry;
 *
 * and the published kernel does the rest: the 2-D product on XNNPACK, bias and activation.
 * Shape checks, errors and tiny products are left to the published kernel unchanged.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type _FusedMatMulAttrs,
  type BatchMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { f32Index, heapF32, type KernelScope, stockConfig, withScope } from './kernel-utils';

/** Products below this many multiply-adds are left to the published kernel (setup costs dominate). */
let smallProduct = 1 << 15;
/** Batched products whose entries have at least this many multiply-adds loop over the entries. */
let loopEntry = 1 << 14;

/**
 * For tests: `small` 0 routes even tiny products through the new paths; `loop` 0 sends every
 * batched product through the per-entry loop, Infinity through the depthwise convolution.
 * No arguments restore the defaults.
 */
export function setSmallProductThreshold(small = 1 << 15, loop = 1 << 14): void {
  smallProduct = small;
  loopEntry = loop;
}

type Args<A> = { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: A };

interface Plan {
  m: number;
  k: number;
  n: number;
  batchA: number;
  batchB: number;
  outBatch: number[];
}

/** Shapes of a product we can speed up, or undefined to leave it to the published kernel. */
function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Plan | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const ka = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (ka !== kb) return undefined;
  let outBatch: number[];
  try {
    outBatch = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return undefined;
  }
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  // tfjs pairs batch entries modulo each side's batch size (tfjs-backend-cpu BatchMatMul does the
  // same); that is broadcasting only when one side has a single batch entry or both have the same
  // number. Other combinations keep the published kernel's behaviour.
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const sameBatch =
    util.sizeFromShape(aBatch) === util.sizeFromShape(bBatch) &&
    outBatch.every((d, i) => {
      const da = aBatch[i - (outBatch.length - aBatch.length)] ?? 1;
      const db = bBatch[i - (outBatch.length - bBatch.length)] ?? 1;
      return da === d && db === d;
    });
  if (!sameBatch && batchA !== 1 && batchB !== 1) return undefined;
  const outSize = util.sizeFromShape(outBatch);
  if (m * n * ka * outSize < smallProduct || ka === 0 || m * n * outSize === 0) return undefined;
  return { m, k: ka, n, batchA, batchB, outBatch };
}

interface Product {
  /** The published kernel's inputs: a [1, rows, K], b [1, K, N], both untransposed. */
  a: TensorInfo;
  b: TensorInfo;
  /** Turns the published kernel's [1, rows, N] result into the product. */
  finish: (out: TensorInfo) => TensorInfo;
  /** True when the rows are B's columns (the 2-D product computes the transposed result). */
  swapped: boolean;
}

/**
 * Rewrites the product as one untransposed 2-D product when at most one side is batched;
 * returns undefined for true batched products.
 */
function asTwoD(
  s: KernelScope,
  a: TensorInfo,
  b: TensorInfo,
  tA: boolean,
  tB: boolean,
  p: Plan,
): Product | undefined {
  const { m, k, n, batchA, batchB, outBatch } = p;
  if (batchB === 1) {
    // rows of every A matrix, one after another, times B
    const a3 = s.reshape(a, tA ? [batchA, k, m] : [batchA, m, k]);
    const aRows = s.reshape(tA ? s.transpose(a3, [0, 2, 1]) : a3, [1, batchA * m, k]);
    const b2 = s.reshape(b, tB ? [n, k] : [k, n]);
    const bKN = s.reshape(tB ? s.transpose(b2, [1, 0]) : b2, [1, k, n]);
    return { a: aRows, b: bKN, finish: (out) => s.reshape(out, [...outBatch, m, n]), swapped: false };
  }
  if (batchA === 1) {
    // (A·B_i)ᵀ = B_iᵀ·Aᵀ: the columns of every B matrix as rows, times Aᵀ
    const b3 = s.reshape(b, tB ? [batchB, n, k] : [batchB, k, n]);
    const bRows = s.reshape(tB ? b3 : s.transpose(b3, [0, 2, 1]), [1, batchB * n, k]);
    const a2 = s.reshape(a, tA ? [k, m] : [m, k]);
    const aKM = s.reshape(tA ? a2 : s.transpose(a2, [1, 0]), [1, k, m]);
    return {
      a: bRows,
      b: aKM,
      finish: (out) => s.reshape(s.transpose(s.reshape(out, [batchB, n, m]), [0, 2, 1]), [...outBatch, m, n]),
      swapped: true,
    };
  }
  return undefined;
}

/** True batched product (both sides have the same batch shape). */
function batchedProduct(
  s: KernelScope,
  a: TensorInfo,
  b: TensorInfo,
  tA: boolean,
  tB: boolean,
  p: Plan,
): TensorInfo {
  return p.m * p.k * p.n >= loopEntry
    ? loopProduct(s, a, b, tA, tB, p)
    : depthwiseProduct(s, a, b, tA, tB, p);
}

/** Both operands as rank-3 `[batch, rows, cols]` views, in their stored (possibly transposed) layout. */
function operands3d(s: KernelScope, a: TensorInfo, b: TensorInfo, tA: boolean, tB: boolean, p: Plan) {
  const { m, k, n, outBatch } = p;
  const batch = util.sizeFromShape(outBatch);
  return {
    batch,
    a3: s.reshape(a, tA ? [batch, k, m] : [batch, m, k]),
    b3: s.reshape(b, tB ? [batch, n, k] : [batch, k, n]),
  };
}

/** The published kernel's XNNPACK path once per batch entry, on aliases of the operands' slices. */
function loopProduct(
  s: KernelScope,
  a: TensorInfo,
  b: TensorInfo,
  tA: boolean,
  tB: boolean,
  p: Plan,
): TensorInfo {
  const { m, k, n, outBatch } = p;
  const { batch, a3, b3 } = operands3d(s, a, b, tA, tB, p);
  const aMK = tA ? s.transpose(a3, [0, 2, 1]) : a3;
  const bKN = tB ? s.transpose(b3, [0, 2, 1]) : b3;
  const out = s.alloc([...outBatch, m, n], 'float32');
  const backend = s.backend;
  const offset = (t: TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
  const matMul = stock('BatchMatMul');
  for (let i = 0; i < batch; i++) {
    const ai = s.alias(offset(aMK) + i * m * k * 4, [1, m, k]);
    const bi = s.alias(offset(bKN) + i * k * n * 4, [1, k, n]);
    try {
      const r = matMul({
        inputs: { a: ai, b: bi },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as TensorInfo;
      // the heap may have grown during the call: take the view afterwards
      const heap = heapF32(backend);
      const from = f32Index(offset(r));
      heap.copyWithin(f32Index(offset(out)) + i * m * n, from, from + m * n);
      backend.disposeData(r.dataId);
    } finally {
      s.unalias(ai);
      s.unalias(bi);
    }
  }
  return out;
}

/** The whole batched product as one depthwise convolution (see the file comment). */
function depthwiseProduct(
  s: KernelScope,
  a: TensorInfo,
  b: TensorInfo,
  tA: boolean,
  tB: boolean,
  p: Plan,
): TensorInfo {
  const { m, k, n, outBatch } = p;
  const { batch, a3, b3 } = operands3d(s, a, b, tA, tB, p);
  const image = s.reshape(s.transpose(a3, tA ? [2, 1, 0] : [1, 2, 0]), [1, m * k, 1, batch]);
  const filter = s.reshape(s.transpose(b3, tB ? [2, 0, 1] : [1, 0, 2]), [k, 1, batch, n]);
  const out = s.run(
    'DepthwiseConv2dNative',
    { x: image, filter },
    { strides: [k, 1], pad: 'valid', dilations: [1, 1], dimRoundingMode: undefined },
  );
  return s.reshape(s.transpose(s.reshape(out, [m, batch, n]), [1, 0, 2]), [...outBatch, m, n]);
}

function product(
  s: KernelScope,
  a: TensorInfo,
  b: TensorInfo,
  tA: boolean,
  tB: boolean,
  p: Plan,
): TensorInfo {
  const two = asTwoD(s, a, b, tA, tB, p);
  if (two === undefined) return batchedProduct(s, a, b, tA, tB, p);
  return two.finish(s.run('BatchMatMul', { a: two.a, b: two.b }, { transposeA: false, transposeB: false }));
}

function stock(name: string): KernelFunc {
  return stockConfig(name)!.kernelFunc;
}

function batchMatMul(args: Args<BatchMatMulAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const p = plan(a, b, transposeA, transposeB);
  const published = !transposeA && !transposeB && p?.batchA === 1 && p.batchB === 1;
  if (p === undefined || published) return stock('BatchMatMul')(args as never) as TensorInfo;
  return withScope(backend, (s) => product(s, a, b, transposeA, transposeB, p));
}

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  leakyrelu: 'LeakyRelu',
  prelu: 'Prelu',
};

function fusedMatMul(args: Args<_FusedMatMulAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs;
  const p = plan(a, b, transposeA, transposeB);
  // the published kernel handles these itself, on XNNPACK (it rejects biases of rank > 1: we don't)
  const published =
    !transposeA &&
    !transposeB &&
    p?.batchA === 1 &&
    p.batchB === 1 &&
    (bias === undefined || bias.shape.length === 1);
  const knownActivation = activation === 'linear' || activation in ACTIVATION_KERNELS;
  if (p === undefined || published || !knownActivation)
    return stock('_FusedMatMul')(args as never) as TensorInfo;
  return withScope(backend, (s) => {
    const two = asTwoD(s, a, b, transposeA, transposeB, p);
    if (two !== undefined && !two.swapped && (bias === undefined || bias.shape.length === 1)) {
      // the published kernel's XNNPACK path fuses a per-column bias and the activation
      const out = s.run(
        '_FusedMatMul',
        { a: two.a, b: two.b, bias, preluActivationWeights },
        { transposeA: false, transposeB: false, activation, leakyreluAlpha },
      );
      return two.finish(out);
    }
    let out = two
      ? two.finish(s.run('BatchMatMul', { a: two.a, b: two.b }, { transposeA: false, transposeB: false }))
      : batchedProduct(s, a, b, transposeA, transposeB, p);
    if (bias !== undefined) out = s.run('Add', { a: out, b: bias });
    if (activation === 'linear') return out;
    if (activation === 'prelu') return s.run('Prelu', { x: out, alpha: preluActivationWeights });
    if (activation === 'leakyrelu') return s.run('LeakyRelu', { x: out }, { alpha: leakyreluAlpha ?? 0.2 });
    return s.run(ACTIVATION_KERNELS[activation], { x: out });
  });
}

const kernel = (kernelName: string, kernelFunc: unknown): KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: kernelFunc as KernelFunc,
});

/** The matMul kernels `registerWasmFastKernels` puts in place of the published ones. */
export const MATMUL_KERNELS: readonly KernelConfig[] = [
  kernel('BatchMatMul', batchMatMul),
  kernel('_FusedMatMul', fusedMatMul),
];
