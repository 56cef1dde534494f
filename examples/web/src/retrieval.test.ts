import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIGITS } from './font';
import { corrupt, glyphBitmap } from './patterns';
import { libraryRetrieve, type RetrievalStep, retrieveSteps, summarize } from './retrieval';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function run(beta: number, target = '8', noise = 0.2, mask = 0.3, maxSteps = 10) {
  const stored = DIGITS.map((ch) => glyphBitmap(ch, 4).data);
  const q = corrupt(glyphBitmap(target, 4), { noise, mask, maskMode: 'bottom', seed: 1 });
  const steps: RetrievalStep[] = [];
  for await (const s of retrieveSteps(stored, q.data, { beta, maxSteps })) steps.push(s);
  return { steps, summary: summarize(stored, steps[steps.length - 1]), stored };
}

describe('retrieveSteps', () => {
  it('retrieves the stored original of the default query; the energy never increases', async () => {
    const before = tf.memory().numTensors;
    const { steps, summary } = await run(0.1);
    expect(tf.memory().numTensors).toBe(before);
    expect(DIGITS[summary.match]).toBe('8');
    expect(summary.exact).toBe(true);
    for (let i = 1; i < steps.length; i++)
      expect(steps[i].energy).toBeLessThanOrEqual(steps[i - 1].energy + 1e-3);
    expect(steps[steps.length - 1].energy).toBeLessThan(steps[0].energy);
  });

  it('at small β the state is a mixture (metastable), not one stored pattern', async () => {
    const { summary } = await run(0.003);
    expect(summary.exact).toBe(false);
    expect(summary.weight).toBeLessThan(0.9);
  });

  it.each([0.1, 0.03, 0.003])(
    'agrees with hopfieldRetrieve iterating inside the library (β = %f)',
    async (beta) => {
      const { steps, stored } = await run(beta, '8', 0.2, 0.3, 6);
      const q = corrupt(glyphBitmap('8', 4), { noise: 0.2, mask: 0.3, maskMode: 'bottom', seed: 1 });
      const lib = await libraryRetrieve(stored, q.data, { beta, maxSteps: 6 });
      const last = steps[steps.length - 1].state;
      let diff = 0;
      for (let i = 0; i < last.length; i++) diff = Math.max(diff, Math.abs(lib.state[i] - last[i]));
      expect(diff).toBeLessThan(1e-3);
      expect(lib.updateSteps + 1).toBeLessThanOrEqual(steps.length);
    },
  );

  it('rejects an empty memory', async () => {
    await expect(retrieveSteps([], new Float32Array(4), { beta: 1, maxSteps: 1 }).next()).rejects.toThrow(
      /at least one/,
    );
  });
});
