import type { Fixture, FixtureArray } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { type Comparison, compareExact, compareValues, type Quantity, type Tolerance } from '../compare';

/** How one fixture family is fed through its package. */
export interface FamilyRunner {
  /** 'tfjs': once per tfjs backend (float32); 'host': once, on the host (float64 code paths). */
  kind: 'tfjs' | 'host';
  /**
   * How a draw is judged (default 'normal': the suite's tolerances). 'ill-conditioned': the float32
   * reference fails the suite's tolerances itself, so the runner holds the package to a multiple of
   * that error; a string starting with 'skip:' is not compared (the reason is reported).
   */
  classify?(fx: Fixture): 'normal' | 'ill-conditioned' | `skip: ${string}`;
  run(fx: Fixture): Comparison[];
}

/** Collects the comparisons of one draw; tensors are read (not disposed) here. */
export class Checks {
  readonly list: Comparison[] = [];

  values(
    name: string,
    quantity: Quantity,
    actual: tf.Tensor | ArrayLike<number> | number,
    expected: FixtureArray | ArrayLike<number> | number,
    tol: Tolerance,
  ): void {
    let a: ArrayLike<number>;
    let shape: number[] | null = null;
    if (actual instanceof tf.Tensor) {
      a = actual.dataSync() as ArrayLike<number>;
      shape = actual.shape;
    } else a = typeof actual === 'number' ? [actual] : actual;
    let e: ArrayLike<number>;
    if (typeof expected === 'number') e = [expected];
    else if ('shape' in expected && 'data' in expected && !ArrayBuffer.isView(expected)) {
      e = (expected as FixtureArray).data;
      const es = (expected as FixtureArray).shape;
      if (shape && shape.join() !== es.join() && es.length > 0) {
        this.list.push({
          name,
          quantity,
          maxAbs: Number.POSITIVE_INFINITY,
          worstRatio: Number.POSITIVE_INFINITY,
          pass: false,
          detail: `shape [${shape}], expected [${es}]`,
        });
        return;
      }
    } else e = expected as ArrayLike<number>;
    this.list.push(compareValues(name, quantity, a, e, tol));
  }

  exact(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
    this.list.push(compareExact(name, actual, expected));
  }
}
