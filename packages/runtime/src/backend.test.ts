import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, useBestBackend } from './index';

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
