import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { attentionCore } from './attention';

/** The variables of one pre-norm transformer block, in tfjs layout (Dense kernels `[in, out]`). */
export interface BlockWeights {
  norm1Gamma: LayerVariable;
  norm1Beta: LayerVariable;
  /** `[dim, dim]` each: the rows `[0:D]`, `[D:2D]`, `[2D:3D]` of timm's packed `attn.qkv`, transposed. */
  queryKernel: LayerVariable;
  keyKernel: LayerVariable;
  valueKernel: LayerVariable;
  queryBias: LayerVariable | null;
  keyBias: LayerVariable | null;
  valueBias: LayerVariable | null;
  projKernel: LayerVariable;
  projBias: LayerVariable;
  norm2Gamma: LayerVariable;
  norm2Beta: LayerVariable;
  /** `[dim, hidden]` */
  fc1Kernel: LayerVariable;
  fc1Bias: LayerVariable;
  /** `[hidden, dim]` */
  fc2Kernel: LayerVariable;
  fc2Bias: LayerVariable;
}

export interface BlockOptions {
  numHeads: number;
  layerNormEps: number;
}

/** LayerNorm over the last axis (biased variance, as torch `nn.LayerNorm`). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
  });
}

/** Exact GELU, `x · Φ(x) = ½x(1 + erf(x/√2))` (torch `nn.GELU()` default, not the tanh form). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/**
 * 2D `a · b` whose gradients use explicit transposes and plain matMuls: tfjs-wasm 4.22's BatchMatMul
 * runs ~10× slower with `transposeA`/`transposeB` set (measured: 1.1 vs 10 GFLOP/s), and the
 * default matMul gradient uses both flags.
 */
const matMul2d = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    // tfjs-core runs a customGrad's gradFunc outside the tape's per-input tidy (engine.ts
    // `customGrad`), so without this tidy the two transposes (one weight-sized) stayed alive until
    // the whole backward pass ended: ~50 MB per ViT-B block (bench/NOTES.md, "ViT-B on wasm").
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D),
        tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
      ]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** `x · W + b` on the last axis of a `[..., in]` tensor, through a 2D matMul. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const [inDim, outDim] = kernel.shape;
    const flat = matMul2d(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, kernel as tf.Tensor2D);
    const y = bias ? tf.add(flat, bias) : flat;
    return tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
  });
}

/**
 * Multi-head self-attention of timm's `Attention` (qkv → heads → {@link attentionCore} → proj).
 * `[batch, tokens, dim]` → `[batch, tokens, dim]`.
 */
export function selfAttention(x: tf.Tensor3D, w: BlockWeights, numHeads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n, d] = x.shape;
    const hd = d / numHeads;
    const heads = (kernel: LayerVariable, bias: LayerVariable | null) =>
      tf.transpose(
        tf.reshape(dense(x, kernel.read(), bias?.read() ?? null), [b, n, numHeads, hd]),
        [0, 2, 1, 3],
      ) as tf.Tensor4D;
    const q = heads(w.queryKernel, w.queryBias);
    const k = heads(w.keyKernel, w.keyBias);
    const v = heads(w.valueKernel, w.valueBias);
    const out = attentionCore(q, k, v, 1 / Math.sqrt(hd));
    const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b, n, d]);
    return dense(merged, w.projKernel.read(), w.projBias.read()) as tf.Tensor3D;
  });
}

/**
 * One pre-norm ViT block (Dosovitskiy et al. 2021, Eq. 2–3; timm `vision_transformer.py` `Block`):
 * `x + Attn(LN(x))`, then `x + MLP(LN(x))` with MLP = fc1 → exact GELU → fc2.
 * `[batch, tokens, dim]` → `[batch, tokens, dim]`.
 */
export function transformerBlock(x: tf.Tensor3D, w: BlockWeights, opts: BlockOptions): tf.Tensor3D {
  return tf.tidy(() => {
    const eps = opts.layerNormEps;
    const h = layerNorm(x, w.norm1Gamma.read(), w.norm1Beta.read(), eps) as tf.Tensor3D;
    const x1 = tf.add(x, selfAttention(h, w, opts.numHeads));
    const h2 = layerNorm(x1, w.norm2Gamma.read(), w.norm2Beta.read(), eps);
    const mlp = dense(
      gelu(dense(h2, w.fc1Kernel.read(), w.fc1Bias.read())),
      w.fc2Kernel.read(),
      w.fc2Bias.read(),
    );
    return tf.add(x1, mlp) as tf.Tensor3D;
  });
}
