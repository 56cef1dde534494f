import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface EncoderOptions {
  /** Width of the two hidden layers. Default 128. */
  hidden?: number;
  /** Embedding dimension. Default 32. */
  embedDim?: number;
  seed?: number;
}

/** A small MLP encoder `[batch, inputDim] → [batch, embedDim]` (the modality towers). */
export function encoder(inputDim: number, opts: EncoderOptions = {}): tfl.Sequential {
  const { hidden = 128, embedDim = 32, seed = 0 } = opts;
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 101 + k });
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [inputDim],
        units: hidden,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.dense({ units: embedDim, kernelInitializer: init(3) }),
    ],
  });
}

/** L2-normalized embeddings `[batch, embedDim]` (CLIP/CLOOB normalize before the objective). */
export function embed(model: tfl.LayersModel, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const z = model.apply(x) as tf.Tensor2D;
    return tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
  });
}
