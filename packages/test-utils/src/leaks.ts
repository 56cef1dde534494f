import * as tf from '@tensorflow/tfjs-core';

export interface LeakOptions {
  /** Calls before counting (first calls may create lazily cached tensors). Default 1. */
  warmup?: number;
  /** Calls that must leave `tf.memory().numTensors` unchanged. Default 3. */
  repeats?: number;
}

/**
 * Asserts that `fn` leaves no tensors behind: after `warmup` calls, `repeats` more calls must not
 * change `tf.memory().numTensors`. Tensors that `fn` returns are disposed after each call (the
 * caller owns them), so a function that returns a tensor and leaks nothing passes. Returns the last
 * call's result (for plain data such as a report; tensors in it are already disposed).
 */
export async function expectNoLeakedTensors<T>(fn: () => T | Promise<T>, opts: LeakOptions = {}): Promise<T> {
  const { warmup = 1, repeats = 3 } = opts;
  const call = async () => {
    const out = await fn();
    tf.dispose(collectTensors(out));
    return out;
  };
  for (let i = 0; i < warmup; i++) await call();
  const before = tf.memory().numTensors;
  let last = undefined as T;
  for (let i = 0; i < repeats; i++) last = await call();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(
      `leaked tensors: numTensors went from ${before} to ${after} over ${repeats} calls (${(after - before) / repeats} per call)`,
    );
  }
  return last;
}

function collectTensors(x: unknown, out: tf.Tensor[] = [], seen = new Set<unknown>()): tf.Tensor[] {
  if (x == null || typeof x !== 'object' || seen.has(x)) return out;
  seen.add(x);
  if (x instanceof tf.Tensor) {
    if (!x.isDisposed) out.push(x);
  } else if (Array.isArray(x)) {
    for (const v of x) collectTensors(v, out, seen);
  } else if (Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collectTensors(v, out, seen);
  }
  return out;
}
