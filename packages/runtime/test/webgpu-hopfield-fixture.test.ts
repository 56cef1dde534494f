import { Hopfield } from '@paperstack/hopfield-layer';
import { type FixtureArray, fixtureTensor, loadFixture } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { webgpuOrWhyNot } from './webgpu';

// A package fixture on the webgpu backend: @paperstack/hopfield-layer's default self-associating
// Hopfield layer against hflayers' float64 outputs (packages/hopfield-layer/test/fixtures/
// hopfield_a_default_self.json, the same tolerances as that package's parity test), and its
// weight gradients against the cpu backend's.
const whyNot = await webgpuOrWhyNot();
if (whyNot) console.warn(`webgpu hopfield fixture SKIPPED: ${whyNot}`);

const FIXTURES = new URL('../../hopfield-layer/test/fixtures/', import.meta.url);

function expectNear(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol: number,
  atol: number,
  what: string,
) {
  expect(got.length, `${what} length`).toBe(want.length);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < want.length; i++) {
    const excess = Math.abs(got[i] - want[i]) - atol - rtol * Math.abs(want[i]);
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
      at = i;
    }
  }
  expect(worst, `${what}[${at}]: ${got[at]} vs ${want[at]}`).toBeLessThanOrEqual(0);
}

async function run(backend: 'cpu' | 'webgpu') {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const fx = loadFixture('hopfield_a_default_self', FIXTURES);
  const layer = new Hopfield({ inputSize: fx.config.input_size as number });
  const x = fixtureTensor(fx.inputs.input);
  const g = fixtureTensor(fx.inputs.upstream_grad);
  tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
  layer.loadStateDict(fx.params as Record<string, FixtureArray>);
  const out = layer.apply(x) as tf.Tensor;
  const assoc = layer.associationMatrix(x);
  const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const xv = tf.variable(x);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(layer.apply(xv) as tf.Tensor, g)) as tf.Scalar,
    [xv, ...vars],
  );
  const read = async (t: tf.Tensor) => Array.from((await t.data()) as Float32Array);
  const result = {
    fx,
    output: await read(out),
    assoc: await read(assoc),
    dInput: await read(grads[xv.name]),
    dWeights: await Promise.all(vars.map((v) => read(grads[v.name]))),
  };
  tf.dispose([x, g, out, assoc, xv, value, ...Object.values(grads)]);
  layer.dispose();
  expect(tf.memory().numTensors, `tensors left on ${backend}`).toBe(before);
  return result;
}

describe.skipIf(whyNot !== undefined)('webgpu runs @paperstack/hopfield-layer like the reference', () => {
  test('hopfield_a_default_self: output, association matrix, input and weight gradients', {
    timeout: 30_000,
  }, async () => {
    const gpu = await run('webgpu');
    const cpu = await run('cpu');
    const { fx } = gpu;
    expectNear(gpu.output, fx.outputs.output.data, 1e-4, 1e-5, 'output');
    expectNear(gpu.assoc, fx.outputs.association_matrix.data, 1e-4, 1e-5, 'association matrix');
    expectNear(gpu.dInput, fx.grads.input.data, 1e-3, 1e-4, 'd/d input');
    expect(gpu.dWeights.length).toBe(cpu.dWeights.length);
    gpu.dWeights.forEach((w, i) => {
      expectNear(w, cpu.dWeights[i], 1e-3, 1e-4, `d/d weight ${i}`);
    });
  });
});
