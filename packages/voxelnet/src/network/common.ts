// Shared pieces of the VoxelNet stages: batch norm held as layer weights, and PyTorch state-dict
// loading (layouts: Linear [out, in], Conv2d [out, in, kh, kw], Conv3d [out, in, kd, kh, kw],
// ConvTranspose2d [in, out, kh, kw]).
import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, type layers } from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '../errors';

/** A tensor as a plain array pair (the fixture format) or a tfjs tensor. */
export type StateValue = tf.Tensor | { shape: number[]; data: number[] | Float32Array };
/** PyTorch-style parameter dictionary (`state_dict()` names → values). */
export type StateDict = Record<string, StateValue>;

/** A layer input/output shape (tfjs-layers' Shape). */
export type Shape = (number | null)[];

export type Layout = 'linear' | 'conv2d' | 'conv3d' | 'deconv2d' | 'same';

/** Batch-norm parameters and running statistics of one layer (PyTorch BatchNorm names). */
export interface BatchNormVars {
  gamma: LayerVariable;
  beta: LayerVariable;
  mean: LayerVariable;
  variance: LayerVariable;
}

/** Batch norm options: PyTorch semantics (running = (1 − momentum)·running + momentum·batch). */
export interface BatchNormOptions {
  /** Default 1e-3 (second.pytorch / OpenPCDet BatchNorm eps). */
  eps?: number;
  /** Default 0.01. */
  momentum?: number;
}

type AddWeight = (
  name: string,
  shape: number[],
  dtype?: 'float32',
  init?: ReturnType<typeof initializers.zeros>,
  reg?: undefined,
  trainable?: boolean,
) => LayerVariable;

export function addBatchNorm(layer: layers.Layer, prefix: string, channels: number): BatchNormVars {
  const add = (layer as unknown as { addWeight: AddWeight }).addWeight.bind(layer);
  return {
    gamma: add(`${prefix}.weight`, [channels], 'float32', initializers.ones()),
    beta: add(`${prefix}.bias`, [channels], 'float32', initializers.zeros()),
    mean: add(`${prefix}.running_mean`, [channels], 'float32', initializers.zeros(), undefined, false),
    variance: add(`${prefix}.running_var`, [channels], 'float32', initializers.ones(), undefined, false),
  };
}

export function addKernel(
  layer: layers.Layer,
  name: string,
  shape: number[],
  seed: number,
  init: 'glorot' | 'zeros' | 'he' = 'glorot',
): LayerVariable {
  const add = (layer as unknown as { addWeight: AddWeight }).addWeight.bind(layer);
  const i =
    init === 'zeros'
      ? initializers.zeros()
      : init === 'he'
        ? initializers.heNormal({ seed })
        : initializers.glorotUniform({ seed });
  return add(name, shape, 'float32', i);
}

/**
 * Batch norm over every axis but the last. In training, batch statistics (over the rows where
 * `mask` is 1, if given — padded voxel slots do not count) normalise and update the running
 * statistics; otherwise the running statistics are used.
 */
export function batchNorm(
  x: tf.Tensor,
  bn: BatchNormVars,
  training: boolean,
  opts: BatchNormOptions,
  mask?: tf.Tensor,
): tf.Tensor {
  const { eps = 1e-3, momentum = 0.01 } = opts;
  return tf.tidy(() => {
    const gamma = bn.gamma.read();
    const beta = bn.beta.read();
    // written with elementwise ops: tf.batchNorm's gradient only handles inputs up to rank 4
    const normalize = (m: tf.Tensor, v: tf.Tensor) =>
      tf.add(tf.mul(tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, eps))), gamma), beta);
    if (!training) return normalize(bn.mean.read(), bn.variance.read());
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    // The running variance is the unbiased one (PyTorch's BatchNorm): n / (n − 1), 1 for n = 1.
    let unbiased: tf.Tensor;
    if (mask) {
      const count = tf.maximum(tf.sum(mask), 1);
      mean = tf.div(tf.sum(tf.mul(x, mask), axes), count);
      variance = tf.div(tf.sum(tf.mul(tf.square(tf.sub(x, mean)), mask), axes), count);
      // the count stays a tensor: no synchronous read in a training step (webgpu cannot do one in Node)
      unbiased = tf.mul(variance, tf.div(count, tf.maximum(tf.sub(count, 1), 1)));
    } else {
      const m = tf.moments(x, axes);
      mean = m.mean;
      variance = m.variance;
      const n = x.size / x.shape[x.shape.length - 1];
      unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
    }
    bn.mean.write(tf.add(tf.mul(bn.mean.read(), 1 - momentum), tf.mul(mean, momentum)));
    bn.variance.write(tf.add(tf.mul(bn.variance.read(), 1 - momentum), tf.mul(unbiased, momentum)));
    return normalize(mean, variance);
  });
}

function toTensor(v: StateValue): tf.Tensor {
  return v instanceof tf.Tensor ? tf.clone(v) : tf.tensor(Array.from(v.data), v.shape);
}

/** Converts a PyTorch parameter to the tfjs layout of `layout`. */
export function fromTorch(v: StateValue, layout: Layout): tf.Tensor {
  return tf.tidy(() => {
    const t = toTensor(v);
    switch (layout) {
      case 'linear':
        return tf.transpose(t, [1, 0]);
      case 'conv2d':
        return tf.transpose(t, [2, 3, 1, 0]);
      case 'conv3d':
        return tf.transpose(t, [2, 3, 4, 1, 0]);
      case 'deconv2d':
        return tf.transpose(t, [2, 3, 1, 0]);
      default:
        return t;
    }
  });
}

/**
 * Loads `dict` into `vars` (weight name → [torch name, layout]). Missing names and shape
 * mismatches are errors naming the parameter.
 */
export function loadInto(
  where: string,
  vars: { name: string; variable: LayerVariable; torch: string; layout: Layout }[],
  dict: StateDict,
  prefix = '',
): void {
  for (const { variable, torch, layout } of vars) {
    const key = prefix + torch;
    const v = dict[key];
    if (!v) throw new InvalidArgumentError(where, `stateDict['${key}']`, 'present', 'missing');
    const t = fromTorch(v, layout);
    if (t.shape.join() !== variable.shape.join()) {
      const shape = t.shape;
      t.dispose();
      throw new InvalidArgumentError(
        where,
        `stateDict['${key}']`,
        `shape [${variable.shape}] after layout conversion`,
        `[${shape}]`,
      );
    }
    variable.write(t);
    t.dispose();
  }
}
