import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIGITS } from './font';
import { corrupt, glyphBitmap } from './patterns';
import { type RetrievalStep, retrieveSteps, summarize } from './retrieval';

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

  it('rejects an empty memory', async () => {
    await expect(retrieveSteps([], new Float32Array(4), { beta: 1, maxSteps: 1 }).next()).rejects.toThrow(
      /at least one/,
    );
  });
});
