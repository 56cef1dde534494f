import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import { expect, it } from 'vitest';
import type { Progress } from './progress';
import { trainWarmupModel } from './warmup';

const silent: Progress = { tick: () => {}, done: () => {} };

describeBackends('demo warm-up model', () => {
  it('learns the rule (loss falls, accuracy well above chance)', async () => {
    const r = await trainWarmupModel(60, silent);
    expect(r.lastLoss).toBeLessThan(r.firstLoss * 0.7);
    expect(r.accuracy).toBeGreaterThan(0.8);
  });
  it('leaks no tensors', async () => {
    await expectNoLeakedTensors(() => trainWarmupModel(3, silent), { repeats: 2 });
  });
});
