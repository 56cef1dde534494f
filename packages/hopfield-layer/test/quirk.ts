import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient PyTorch 1.13 (CPU) computes for `k.masked_select(mask)` in the reference's update step
 * `q ← bmm(xi.masked_select(m), k.masked_select(m))`: `k` there is a transposed view (memory order
 * `[S, B·H, d]`), and the backward writes the selected gradient values, taken in logical order, into the
 * masked positions in *memory* order. The fixtures with update steps (b, f) carry this scrambled
 * gradient for every parameter upstream of the stored patterns; finite differences confirm that
 * our unscrambled gradient is the true derivative (test below). Which heads are active does not
 * change the rule (checked in torch for all-active, even and odd head subsets).
 *
 * With `add_zero_association` the reference appends the zero pattern by `torch.cat` after the
 * transpose, so its `k` is contiguous and the backward is the true one: no scrambling there
 * (fixture extra_zero_assoc_updates).
 */
export function torchMaskedSelectBackward(
  dy: tf.Tensor3D,
  activeHeads: boolean[],
  _batch: number,
  heads: number,
  stored: { addZeroAssociation: boolean },
) {
  if (stored.addZeroAssociation) return tf.clone(dy);
  const [BH, S, d] = dy.shape;
  const g = dy.arraySync();
  const rows = [...Array(BH).keys()].filter((i) => activeHeads[i % heads]);
  const src = rows.flatMap((i) => g[i].flat());
  const out = Array.from({ length: BH }, () => Array.from({ length: S }, () => new Array<number>(d).fill(0)));
  let p = 0;
  for (let s = 0; s < S; s++) for (const i of rows) for (let c = 0; c < d; c++) out[i][s][c] = src[p++];
  return tf.tensor3d(out);
}
