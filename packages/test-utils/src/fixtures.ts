import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

/** One tensor of a fixture file: row-major `data` of length prod(`shape`) (float64 numbers). */
export interface FixtureArray {
  shape: number[];
  data: number[];
}

/** A parity fixture (format: shared/fixtures/README.md). */
export interface Fixture {
  case: string;
  reference: { repo: string; commit: string; symbol: string };
  config: Record<string, unknown>;
  inputs: Record<string, FixtureArray>;
  params: Record<string, FixtureArray>;
  outputs: Record<string, FixtureArray>;
  grads: Record<string, FixtureArray>;
  meta: Record<string, unknown> & { grad_output?: string | null };
}

export class FixtureError extends Error {
  override name = 'FixtureError';
}

/**
 * Reads `<dir>/<name>.json` and checks that every array's length is the product of its shape.
 * `dir` is a path or a file URL, typically `new URL('../test/fixtures/', import.meta.url)`.
 */
export function loadFixture(name: string, dir: string | URL): Fixture {
  const base = dir instanceof URL ? fileURLToPath(dir) : dir;
  const path = join(base, name.endsWith('.json') ? name : `${name}.json`);
  const fx = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  for (const group of ['inputs', 'params', 'outputs', 'grads'] as const) {
    fx[group] ??= {};
    for (const [key, arr] of Object.entries(fx[group])) {
      const size = arr.shape.reduce((a, b) => a * b, 1);
      if (arr.data.length !== size) {
        throw new FixtureError(
          `${path}: ${group}.${key} has ${arr.data.length} values, shape [${arr.shape}] needs ${size}`,
        );
      }
    }
  }
  return fx;
}

/** A fixture array as a tfjs tensor (float32 unless asked). The caller disposes it. */
export function fixtureTensor(arr: FixtureArray, dtype: 'float32' | 'int32' | 'bool' = 'float32'): tf.Tensor {
  return tf.tensor(arr.data, arr.shape, dtype);
}

/** Every array of one fixture group as tensors, by name. The caller disposes them. */
export function fixtureTensors(group: Record<string, FixtureArray>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(group).map(([k, v]) => [k, fixtureTensor(v)]));
}
