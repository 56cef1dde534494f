import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  useBestBackend,
} from './index';

describe('useBestBackend', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('skips the absent tfjs-node packages and picks wasm, saying why', async () => {
    const lines: string[] = [];
    const choice = await useBestBackend({ env: {}, log: (l) => lines.push(l) });
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts.map((a) => a.candidate)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
    expect(choice.attempts[0].detail).toMatch(/@tensorflow\/tfjs-node-gpu not installed/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^paperstack: backend wasm \(wasm, best available\); skipped: /);
    expect(choice.kernels).toEqual(
      expect.arrayContaining([
        'Conv2DBackpropFilter',
        'DepthwiseConv2dNativeBackpropFilter',
        'DepthwiseConv2dNativeBackpropInput',
        'UnsortedSegmentSum',
        'BatchMatMul',
        '_FusedMatMul',
        'Conv2DBackpropInput',
        'GatherV2',
      ]),
    );
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('registers nothing for other backends, and nothing twice', async () => {
    const cpu = await useBestBackend({ backend: 'cpu', log: false });
    expect(cpu.kernels).toEqual([]);
    const report = registerWasmTrainingKernels();
    expect(report.registered).toEqual([]);
    expect(report.skipped.map((s) => s.reason)).toEqual(new Array(4).fill('already registered'));
  });

  it('can put the published wasm kernels back', async () => {
    restoreStockWasmKernels();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    await useBestBackend({ backend: 'wasm', log: false });
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 1], 'int32'))))(tf.ones([3]));
    expect(Array.from(g.dataSync())).toEqual([0, 2, 0]);
  });

  it('obeys PAPERSTACK_BACKEND', async () => {
    const choice = await useBestBackend({ env: { PAPERSTACK_BACKEND: 'cpu' }, log: false });
    expect(choice).toMatchObject({ backend: 'cpu', candidate: 'cpu' });
    expect(choice.reason).toMatch(/forced/);
  });

  it('leaves gradients usable', async () => {
    await useBestBackend({ backend: 'wasm', log: false });
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor([3]));
    expect(Array.from(g.dataSync())).toEqual([6]);
  });

  it('fails clearly when a forced backend is missing', async () => {
    await expect(useBestBackend({ backend: 'tensorflow', log: false })).rejects.toThrow(
      BackendUnavailableError,
    );
    await expect(useBestBackend({ backend: 'tensorflow', log: false })).rejects.toThrow(
      /tfjs-node-gpu not installed; @tensorflow\/tfjs-node not installed/,
    );
  });

  it('names the argument and the expected values on a bad request', async () => {
    await expect(useBestBackend({ env: { PAPERSTACK_BACKEND: 'gpu' }, log: false })).rejects.toThrow(
      "env PAPERSTACK_BACKEND: expected one of tensorflow | tensorflow-gpu | wasm | cpu, received 'gpu'",
    );
  });
});
