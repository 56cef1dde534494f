import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError, shapeString } from './errors';

/** Image layout: tfjs's `[batch, height, width, channels]` (default) or PyTorch's `[batch, channels, height, width]`. */
export type DataFormat = 'channelsLast' | 'channelsFirst';

/** Options of {@link patchify}. */
export interface PatchifyOptions {
  /** Layout of the images. Default `'channelsLast'`. */
  dataFormat?: DataFormat;
}

/** Validates an image batch and returns it as channels-last `[batch, height, width, channels]`. */
export function toChannelsLast(
  imgs: tf.Tensor,
  patchSize: number,
  dataFormat: DataFormat = 'channelsLast',
  argument = 'imgs',
): tf.Tensor4D {
  if (!Number.isInteger(patchSize) || patchSize <= 0)
    throw new MaectInputError('patchSize', 'a positive integer', String(patchSize));
  if (imgs.rank !== 4) {
    const layout =
      dataFormat === 'channelsLast' ? '[batch, height, width, channels]' : '[batch, channels, height, width]';
    throw new MaectInputError(argument, `a rank-4 tensor ${layout}`, `shape ${shapeString(imgs.shape)}`);
  }
  const x = (dataFormat === 'channelsFirst' ? tf.transpose(imgs, [0, 2, 3, 1]) : imgs) as tf.Tensor4D;
  const [, h, w] = x.shape;
  if (h % patchSize !== 0 || w % patchSize !== 0) {
    if (x !== imgs) x.dispose();
    throw new MaectInputError(
      argument,
      `height and width divisible by patchSize ${patchSize}`,
      `${h}×${w} (shape ${shapeString(imgs.shape)})`,
    );
  }
  return x;
}

/**
 * Cuts images into non-overlapping `p×p` patches: `[batch, height, width, channels]` →
 * `[batch, patches, p·p·channels]`. Patch index `row·(width/p) + col`; feature index
 * `(py·p + px)·channels + c` (channel fastest) — MAE's order (facebookresearch/mae `models_mae.py`
 * `patchify`, einsum `nchpwq->nhwpqc`), which is also the flattened HWIO order of the patch-embedding
 * convolution, so a patch embedding is one matMul of these rows.
 */
export function patchify(imgs: tf.Tensor, patchSize: number, opts: PatchifyOptions = {}): tf.Tensor3D {
  return tf.tidy(() => {
    const x = toChannelsLast(imgs, patchSize, opts.dataFormat);
    const [n, h, w, c] = x.shape;
    const p = patchSize;
    const gh = h / p;
    const gw = w / p;
    const six = tf.reshape(x, [n, gh, p, gw, p, c]);
    const ordered = tf.transpose(six, [0, 1, 3, 2, 4, 5]);
    return tf.reshape(ordered, [n, gh * gw, p * p * c]);
  });
}

/** Options of {@link unpatchify}: the output layout and, where not square / inferable, the grid and channels. */
export interface UnpatchifyOptions extends PatchifyOptions {
  /** Patch-grid height (rows). Default: a square grid, `sqrt(patches)`. */
  gridHeight?: number;
  /** Channels per pixel. Default `features / p²`. */
  channels?: number;
}

/** Inverse of {@link patchify}: `[batch, patches, p·p·channels]` → images in `dataFormat`. */
export function unpatchify(x: tf.Tensor, patchSize: number, opts: UnpatchifyOptions = {}): tf.Tensor4D {
  if (!Number.isInteger(patchSize) || patchSize <= 0)
    throw new MaectInputError('patchSize', 'a positive integer', String(patchSize));
  if (x.rank !== 3)
    throw new MaectInputError(
      'x',
      'a rank-3 tensor [batch, patches, p·p·channels]',
      `shape ${shapeString(x.shape)}`,
    );
  const [n, l, f] = x.shape;
  const p = patchSize;
  const c = opts.channels ?? f / (p * p);
  if (!Number.isInteger(c) || c * p * p !== f)
    throw new MaectInputError(
      'x',
      `features = patchSize² · channels (${p}² · ${opts.channels ?? 'C'})`,
      `${f}`,
    );
  const gh = opts.gridHeight ?? Math.round(Math.sqrt(l));
  const gw = l / gh;
  if (!Number.isInteger(gw) || gh * gw !== l)
    throw new MaectInputError(
      'x',
      opts.gridHeight ? `patches divisible by gridHeight ${gh}` : 'a square number of patches',
      `${l} patches`,
    );
  return tf.tidy(() => {
    const six = tf.reshape(x, [n, gh, gw, p, p, c]);
    const img = tf.reshape(tf.transpose(six, [0, 1, 3, 2, 4, 5]), [n, gh * p, gw * p, c]);
    return (opts.dataFormat === 'channelsFirst' ? tf.transpose(img, [0, 3, 1, 2]) : img) as tf.Tensor4D;
  });
}
