import { describe, expect, it } from 'vitest';
import { VOXELNET_PRESETS } from './experiment';
import { formatSummary, meanSd, seededConfig, summarise } from './seeds';

describe('seeds and spread', () => {
  it('meanSd: sample standard deviation, NaN skipped, 0 for one value', () => {
    const r = meanSd([1, 2, 3, Number.NaN]);
    expect(r.mean).toBe(2);
    expect(r.sd).toBeCloseTo(1, 12);
    expect(r.n).toBe(3);
    expect(meanSd([4]).sd).toBe(0);
  });
  it('seededConfig: seed 0 is the preset; other seeds move initialisation and scenes, never onto the held-out ones', () => {
    const q = VOXELNET_PRESETS.quick;
    expect(seededConfig(q, 0)).toEqual({ ...q, network: { seed: 0 } });
    const s2 = seededConfig(q, 2);
    expect(s2.firstSeed).toBe(200_000);
    expect(s2.network?.seed).toBe(2);
    expect(() => seededConfig(q, 10)).toThrow(/held-out/);
  });
  it('summarise and formatSummary: mean ± sd per metric in the runs’ order', () => {
    const s = summarise([
      { a: 1, b: 10 },
      { a: 3, b: 10 },
    ]);
    expect(Object.keys(s)).toEqual(['a', 'b']);
    expect(s.a).toEqual({ mean: 2, sd: +Math.SQRT2.toFixed(3), values: [1, 3] });
    expect(formatSummary(s)).toBe('a: 2.00 ± 1.41 (1.00, 3.00)\nb: 10.00 ± 0.00 (10.00, 10.00)');
  });
});
