import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  describeBackends,
  expectClose,
  expectNoLeakedTensors,
  fixtureTensor,
  loadFixture,
  useBackend,
} from './index';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

describe('loadFixture', () => {
  it('reads a shared-format fixture and validates sizes', () => {
    const fx = loadFixture('cloob_infoLOOB_loss', FIXTURES);
    expect(fx.inputs.x.shape).toEqual([6, 8]);
    expect(fx.outputs.loss.shape).toEqual([]);
    expect(fx.reference.repo).toBe('ml-jku/cloob');
  });
  it('names the file when missing', () => {
    expect(() => loadFixture('no_such_case', FIXTURES)).toThrow(/no_such_case/);
  });
});

describe('expectClose', () => {
  it('accepts values within atol + rtol·|e|', () => {
    expectClose([1.000005, 2], [1, 2], { rtol: 1e-5, atol: 0 });
  });
  it('lists the worst elements with their index', () => {
    const e = { shape: [2, 2], data: [1, 2, 3, 4] };
    expect(() => expectClose({ shape: [2, 2], data: [1, 2, 3.5, 4] }, e, { name: 'w' })).toThrow(
      /w: 1 of 4 elements differ[\s\S]*\[1,0\] actual 3.5 expected 3/,
    );
  });
  it('compares a tensor with a flat typed array by size only', async () => {
    await useBackend('cpu');
    const t = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expectClose(t, Float64Array.from([1, 2, 3, 4]));
    expect(() => expectClose(t, Float64Array.from([1, 2, 3]))).toThrow(/4 values\) != expected/);
    t.dispose();
  });
  it('rejects a shape mismatch', () => {
    expect(() =>
      expectClose({ shape: [4], data: [1, 2, 3, 4] }, { shape: [2, 2], data: [1, 2, 3, 4] }),
    ).toThrow(/shape \[4\]/);
  });
  it('fails on NaN', () => {
    expect(() => expectClose([Number.NaN], [1])).toThrow(/differ/);
  });
});

describeBackends('backends and leaks', (backend) => {
  it('runs on the requested backend', () => {
    expect(tf.getBackend()).toBe(backend);
  });
  it('computes a gradient (tfjs-layers registered them)', () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3]));
    expectClose(g, [2, 4, 6]);
  });
  it('matches a fixture within float32 tolerance', () => {
    const fx = loadFixture('cloob_infoLOOB_loss', FIXTURES);
    const x = fixtureTensor(fx.inputs.x);
    expectClose(x, fx.inputs.x, { rtol: 1e-6, atol: 1e-7 });
    x.dispose();
  });
  it('detects a leak and accepts a clean function', async () => {
    const keep: tf.Tensor[] = [];
    await expect(expectNoLeakedTensors(() => keep.push(tf.scalar(1)))).rejects.toThrow(/leaked tensors/);
    tf.dispose(keep);
    await expectNoLeakedTensors(() => tf.tidy(() => tf.add(tf.ones([3]), 1)));
  });
});
