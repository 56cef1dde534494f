import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError } from './errors';

/** Options of {@link sincosPosEmbed2dValues}. */
export interface SincosPosEmbedOptions {
  /** Prepend an all-zero row for the class token (MAE's `cls_token=True`). Default false. */
  clsToken?: boolean;
}

/**
 * Fixed 2D sine-cosine positional embedding of a `gridSize × gridSize` patch grid, as a row-major
 * `Float64Array` of shape `[tokens, embedDim]` with `tokens = gridSize²` (+1 with `clsToken`).
 *
 * MAE (He et al. 2022, §3 "MAE encoder" uses fixed sin-cos embeddings; facebookresearch/mae
 * `util/pos_embed.py` `get_2d_sincos_pos_embed`). Token `row·G + col`; the FIRST `D/2` columns encode
 * the column index and the last `D/2` the row index (the reference builds its grid with w first).
 * Each half is `[sin(p·ω_k), cos(p·ω_k)]`, `ω_k = 10000^(−k/(D/4))`, `k = 0 … D/4−1`.
 */
export function sincosPosEmbed2dValues(
  embedDim: number,
  gridSize: number,
  opts: SincosPosEmbedOptions = {},
): Float64Array {
  if (!Number.isInteger(embedDim) || embedDim <= 0 || embedDim % 4 !== 0)
    throw new MaectInputError('embedDim', 'a positive multiple of 4', String(embedDim));
  if (!Number.isInteger(gridSize) || gridSize <= 0)
    throw new MaectInputError('gridSize', 'a positive integer', String(gridSize));
  const cls = opts.clsToken ? 1 : 0;
  const quarter = embedDim / 4;
  const out = new Float64Array((gridSize * gridSize + cls) * embedDim);
  const omega = Array.from({ length: quarter }, (_, k) => 1 / 10000 ** (k / quarter));
  for (let row = 0; row < gridSize; row++) {
    for (let col = 0; col < gridSize; col++) {
      const base = (cls + row * gridSize + col) * embedDim;
      for (let k = 0; k < quarter; k++) {
        out[base + k] = Math.sin(col * omega[k]);
        out[base + quarter + k] = Math.cos(col * omega[k]);
        out[base + 2 * quarter + k] = Math.sin(row * omega[k]);
        out[base + 3 * quarter + k] = Math.cos(row * omega[k]);
      }
    }
  }
  return out;
}

/** {@link sincosPosEmbed2dValues} as a float32 tensor `[tokens, embedDim]`. The caller disposes it. */
export function sincosPosEmbed2d(
  embedDim: number,
  gridSize: number,
  opts: SincosPosEmbedOptions = {},
): tf.Tensor2D {
  const values = sincosPosEmbed2dValues(embedDim, gridSize, opts);
  return tf.tensor2d(Float32Array.from(values), [values.length / embedDim, embedDim]);
}
