import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import { generateScene } from '@paperstack/voxelnet';
import { expect, it } from 'vitest';
import { TINY } from '../test/tiny';
import { LocalRefinementNetwork } from './lrn';
import { trainLrn } from './train';

const scenes = [
  generateScene({ seed: 31, beams: 24, azimuthStep: 0.5 }),
  generateScene({ seed: 32, beams: 24, azimuthStep: 0.5 }),
];

describeBackends('trainLrn', () => {
  it('reports progress every step, is seeded, and leaks no tensors', async () => {
    const run = async () => {
      const lrn = new LocalRefinementNetwork(TINY);
      const seen: number[] = [];
      const r = await trainLrn(lrn, scenes, {
        steps: 3,
        batchSize: 2,
        seed: 4,
        onProgress: (p) => seen.push(p.step),
      });
      lrn.dispose();
      return { r, seen };
    };
    const a = await run();
    expect(a.seen).toEqual([1, 2, 3]);
    expect(a.r.losses.every(Number.isFinite)).toBe(true);
    const b = await run();
    expect(b.r.losses).toEqual(a.r.losses);
    const lrn = new LocalRefinementNetwork(TINY);
    await expectNoLeakedTensors(() => trainLrn(lrn, scenes, { steps: 1, batchSize: 2 }), { repeats: 2 });
    lrn.dispose();
  });

  it('rejects bad options', async () => {
    const lrn = new LocalRefinementNetwork(TINY);
    await expect(trainLrn(lrn, scenes, { steps: 0 })).rejects.toThrow(
      /options.steps must be a positive integer/,
    );
    await expect(trainLrn(lrn, scenes, { steps: 1, batchSize: 0 })).rejects.toThrow(/options.batchSize/);
    await expect(trainLrn(lrn, [], { steps: 1 })).rejects.toThrow(/scenes must be at least one scene/);
    lrn.dispose();
  });
}, ['cpu']);
