import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError, shapeString } from './errors';
import { seededRandom } from './random';

/**
 * One draw of MAE's per-sample random masking, as host-side indices (no tensors to dispose).
 * Shapes in names: `[batch, tokens]` arrays are row-major.
 */
export interface MaskPlan {
  batch: number;
  tokens: number;
  /** Patches kept per sample: `trunc(tokens · (1 − maskRatio))`. */
  keep: number;
  /** `[batch, tokens]`: ascending argsort of the noise; the first `keep` entries are the kept patches. */
  idsShuffle: Int32Array;
  /** `[batch, tokens]`: argsort of `idsShuffle` (position of each patch in the shuffled order). */
  idsRestore: Int32Array;
  /** `[batch, tokens]`: 1 = removed, 0 = kept, in the original patch order. */
  mask: Float32Array;
}

/** Noise source of {@link randomMasking}: a seed or explicit noise. */
export interface RandomMaskingOptions {
  /** Seed of the uniform noise. Required unless `noise` is given. */
  seed?: number;
  /** Explicit uniform noise `[batch, tokens]` (row-major), e.g. PyTorch's `torch.rand` for parity. */
  noise?: ArrayLike<number>;
}

/**
 * Per-sample random masking (He et al. 2022, §3 "Masking"; facebookresearch/mae `models_mae.py`
 * `random_masking`): noise ~ U(0,1) per patch, argsort ascending (small = keep), keep the first
 * `trunc(L·(1 − r))`, and `idsRestore = argsort(idsShuffle)` restores the order.
 *
 * The indices are computed on the host; the tensors built from them ({@link selectKept},
 * {@link restoreTokens}) use one-hot matMuls instead of `gather`, so that gradients need no
 * `UnsortedSegmentSum` (missing on wasm) and flow on every backend.
 */
export function randomMasking(
  batch: number,
  tokens: number,
  maskRatio: number,
  opts: RandomMaskingOptions,
): MaskPlan {
  if (!(maskRatio > 0 && maskRatio < 1))
    throw new MaectInputError('maskRatio', 'a number in the open interval (0, 1)', String(maskRatio));
  if (!Number.isInteger(batch) || batch <= 0)
    throw new MaectInputError('batch', 'a positive integer', String(batch));
  if (!Number.isInteger(tokens) || tokens <= 0)
    throw new MaectInputError('tokens', 'a positive integer', String(tokens));
  const keep = Math.trunc(tokens * (1 - maskRatio));
  if (keep < 1)
    throw new MaectInputError(
      'maskRatio',
      `a ratio that keeps at least one of ${tokens} patches`,
      String(maskRatio),
    );
  let noise: ArrayLike<number>;
  if (opts.noise !== undefined) {
    if (opts.noise.length !== batch * tokens)
      throw new MaectInputError(
        'noise',
        `${batch * tokens} values [batch, tokens]`,
        `${opts.noise.length} values`,
      );
    noise = opts.noise;
  } else {
    if (opts.seed === undefined)
      throw new MaectInputError('opts.seed', 'a number (or opts.noise)', 'undefined');
    const rand = seededRandom(opts.seed);
    noise = Float64Array.from({ length: batch * tokens }, rand);
  }
  const idsShuffle = new Int32Array(batch * tokens);
  const idsRestore = new Int32Array(batch * tokens);
  const mask = new Float32Array(batch * tokens);
  const order = new Array<number>(tokens);
  for (let b = 0; b < batch; b++) {
    const off = b * tokens;
    for (let i = 0; i < tokens; i++) order[i] = i;
    order.sort((i, j) => noise[off + i] - noise[off + j] || i - j);
    for (let k = 0; k < tokens; k++) {
      idsShuffle[off + k] = order[k];
      idsRestore[off + order[k]] = k;
      mask[off + order[k]] = k < keep ? 0 : 1;
    }
  }
  return { batch, tokens, keep, idsShuffle, idsRestore, mask };
}

/**
 * One-hot selection: `[batch, keep, tokens]`, row `k` of sample `b` selects patch `idsShuffle[b, k]`;
 * with `transposed`, its transpose `[batch, tokens, keep]` (built directly: transposed matMuls are
 * slow on wasm).
 */
function selection(plan: MaskPlan, transposed = false): tf.Tensor3D {
  const { batch, tokens, keep, idsShuffle } = plan;
  const sel = new Float32Array(batch * keep * tokens);
  for (let b = 0; b < batch; b++)
    for (let k = 0; k < keep; k++) {
      const l = idsShuffle[b * tokens + k];
      sel[transposed ? (b * tokens + l) * keep + k : (b * keep + k) * tokens + l] = 1;
    }
  return tf.tensor3d(sel, transposed ? [batch, tokens, keep] : [batch, keep, tokens]);
}

function checkTokens(x: tf.Tensor, plan: MaskPlan, argument: string, tokens: number): void {
  if (x.rank !== 3 || x.shape[0] !== plan.batch || x.shape[1] !== tokens)
    throw new MaectInputError(
      argument,
      `shape [${plan.batch}, ${tokens}, dim] (from the mask plan)`,
      `shape ${shapeString(x.shape)}`,
    );
}

/** The kept tokens in shuffled order: `[batch, tokens, dim]` → `[batch, keep, dim]` (= `gather(x, idsKeep)`). */
export function selectKept(x: tf.Tensor, plan: MaskPlan): tf.Tensor3D {
  checkTokens(x, plan, 'x', plan.tokens);
  return tf.tidy(() => tf.matMul(selection(plan), x as tf.Tensor3D));
}

/**
 * MAE decoder input (facebookresearch/mae `models_mae.py` `forward_decoder`): kept tokens back at
 * their patch positions, `maskToken` at removed ones: `[batch, keep, dim]` → `[batch, tokens, dim]`.
 * @param maskToken `[dim]` or `[1, 1, dim]`
 */
export function restoreTokens(kept: tf.Tensor, maskToken: tf.Tensor, plan: MaskPlan): tf.Tensor3D {
  checkTokens(kept, plan, 'kept', plan.keep);
  const dim = kept.shape[2];
  if (maskToken.size !== dim)
    throw new MaectInputError('maskToken', `${dim} values`, `shape ${shapeString(maskToken.shape)}`);
  return tf.tidy(() => {
    const scattered = tf.matMul(selection(plan, true), kept as tf.Tensor3D);
    const m = tf.tensor3d(plan.mask, [plan.batch, plan.tokens, 1]);
    return tf.add(scattered, tf.mul(m, tf.reshape(maskToken, [1, 1, dim]))) as tf.Tensor3D;
  });
}

/** The plan's mask as a float32 tensor `[batch, tokens]` (1 = removed). The caller disposes it. */
export function maskTensor(plan: MaskPlan): tf.Tensor2D {
  return tf.tensor2d(plan.mask, [plan.batch, plan.tokens]);
}
