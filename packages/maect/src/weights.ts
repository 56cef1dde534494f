import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { BlockWeights } from './block';

/** Adds one weight to the owning layer (the layer's protected `addWeight`, exposed to helpers). */
export type AddWeight = (
  name: string,
  shape: number[],
  init: tf.Tensor,
  trainable?: boolean,
) => LayerVariable;

/** Seeded initial values, in the reference's schemes (facebookresearch/mae `models_mae.py` `initialize_weights`). */
export class Init {
  private n = 0;
  constructor(private readonly seed: number) {}
  private next(): number {
    this.n += 1;
    return this.seed * 7919 + this.n;
  }
  /** xavier_uniform of a torch Linear `[out, in]`, returned in tfjs layout `[in, out]` (`shape`). */
  xavier(shape: number[], fanIn: number, fanOut: number): tf.Tensor {
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    return tf.randomUniform(shape, -lim, lim, 'float32', this.next());
  }
  /** N(0, std²) (timm's trunc_normal_(std=.02) is effectively normal for cls/mask tokens). */
  normal(shape: number[], std: number): tf.Tensor {
    return tf.randomNormal(shape, 0, std, 'float32', this.next());
  }
  zeros(shape: number[]): tf.Tensor {
    return tf.zeros(shape);
  }
  ones(shape: number[]): tf.Tensor {
    return tf.ones(shape);
  }
}

/** Creates the variables of one block named `<prefix>norm1.gamma`, `<prefix>attn.query.kernel`, … */
export function addBlockWeights(
  add: AddWeight,
  init: Init,
  prefix: string,
  dim: number,
  hidden: number,
  qkvBias: boolean,
): BlockWeights {
  const qkv = (name: string) =>
    add(`${prefix}attn.${name}.kernel`, [dim, dim], init.xavier([dim, dim], dim, 3 * dim));
  const qkvB = (name: string) =>
    qkvBias ? add(`${prefix}attn.${name}.bias`, [dim], init.zeros([dim])) : null;
  return {
    norm1Gamma: add(`${prefix}norm1.gamma`, [dim], init.ones([dim])),
    norm1Beta: add(`${prefix}norm1.beta`, [dim], init.zeros([dim])),
    queryKernel: qkv('query'),
    keyKernel: qkv('key'),
    valueKernel: qkv('value'),
    queryBias: qkvB('query'),
    keyBias: qkvB('key'),
    valueBias: qkvB('value'),
    projKernel: add(`${prefix}attn.proj.kernel`, [dim, dim], init.xavier([dim, dim], dim, dim)),
    projBias: add(`${prefix}attn.proj.bias`, [dim], init.zeros([dim])),
    norm2Gamma: add(`${prefix}norm2.gamma`, [dim], init.ones([dim])),
    norm2Beta: add(`${prefix}norm2.beta`, [dim], init.zeros([dim])),
    fc1Kernel: add(`${prefix}mlp.fc1.kernel`, [dim, hidden], init.xavier([dim, hidden], dim, hidden)),
    fc1Bias: add(`${prefix}mlp.fc1.bias`, [hidden], init.zeros([hidden])),
    fc2Kernel: add(`${prefix}mlp.fc2.kernel`, [hidden, dim], init.xavier([hidden, dim], hidden, dim)),
    fc2Bias: add(`${prefix}mlp.fc2.bias`, [dim], init.zeros([dim])),
  };
}
