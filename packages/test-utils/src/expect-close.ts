import * as tf from '@tensorflow/tfjs-core';
import type { FixtureArray } from './fixtures';

export type Numeric = tf.Tensor | FixtureArray | ArrayLike<number> | number;

export interface CloseOptions {
  /** Relative tolerance (numpy `allclose` semantics: |a−e| ≤ atol + rtol·|e|). Default 1e-4. */
  rtol?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Name shown in the failure message. */
  name?: string;
  /** How many of the worst elements the message lists. Default 5. */
  show?: number;
}

function flatten(x: Numeric): { shape: number[]; data: ArrayLike<number> } {
  if (typeof x === 'number') return { shape: [], data: [x] };
  if (x instanceof tf.Tensor) return { shape: x.shape, data: x.dataSync() as ArrayLike<number> };
  if ('shape' in x && 'data' in x && !ArrayBuffer.isView(x)) return x as FixtureArray;
  const a = x as ArrayLike<number>;
  return { shape: [a.length], data: a };
}

function unravel(i: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, with equal shapes (a plain
 * array matches any shape of the same size). On failure the message lists the worst elements
 * by their excess over the allowed error, with their multi-index.
 */
export function expectClose(actual: Numeric, expected: Numeric, opts: CloseOptions = {}): void {
  const { rtol = 1e-4, atol = 1e-5, name = 'value', show = 5 } = opts;
  const a = flatten(actual);
  const e = flatten(expected);
  const flat = (x: Numeric) => Array.isArray(x) || ArrayBuffer.isView(x);
  const shapesComparable = !(flat(actual) || flat(expected));
  if (a.data.length !== e.data.length || (shapesComparable && a.shape.join() !== e.shape.join())) {
    throw new Error(
      `${name}: shape [${a.shape}] (${a.data.length} values) != expected [${e.shape}] (${e.data.length} values)`,
    );
  }
  const bad: { i: number; av: number; ev: number; diff: number; allowed: number }[] = [];
  let maxAbs = 0;
  for (let i = 0; i < e.data.length; i++) {
    const av = a.data[i];
    const ev = e.data[i];
    const diff = Math.abs(av - ev);
    const allowed = atol + rtol * Math.abs(ev);
    if (Number.isFinite(diff)) maxAbs = Math.max(maxAbs, diff);
    if (!(diff <= allowed) && !(av === ev)) bad.push({ i, av, ev, diff, allowed });
  }
  if (bad.length === 0) return;
  bad.sort((x, y) => (Number.isNaN(y.diff) ? 1 : y.diff - y.allowed - (x.diff - x.allowed)));
  const lines = bad
    .slice(0, show)
    .map(
      (b) =>
        `  [${unravel(b.i, e.shape.length ? e.shape : [e.data.length])}] actual ${b.av} expected ${b.ev} |diff| ${b.diff.toExponential(3)} allowed ${b.allowed.toExponential(3)}`,
    );
  throw new Error(
    `${name}: ${bad.length} of ${e.data.length} elements differ (rtol ${rtol}, atol ${atol}; max |diff| ${maxAbs.toExponential(3)}). Worst:\n${lines.join('\n')}`,
  );
}
