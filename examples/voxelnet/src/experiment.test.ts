import { existsSync } from 'node:fs';
import { reportProblems } from '@paperstack/example-kit';
import { expectNoLeakedTensors, useBackend } from '@paperstack/test-utils';
import { InvalidArgumentError } from '@paperstack/voxelnet';
import { beforeAll, describe, expect, it } from 'vitest';
import { runVoxelNetExperiment, VOXELNET_PRESETS, type VoxelNetExperimentConfig } from './experiment';

// A tiny but real run: 2 training steps, 2 held-out scenes.
const TINY: VoxelNetExperimentConfig = {
  steps: 2,
  learningRate: 2e-3,
  firstSeed: 0,
  evalScenes: 2,
  showScore: 0.3,
};
const KITTI = process.env.KITTI_DIR ?? new URL('../../../../shared/data/kitti', import.meta.url).pathname;
const present = existsSync(KITTI);
if (!present)
  console.warn(
    `example-voxelnet: real KITTI frames not found at ${KITTI} — skipping the KITTI test (set KITTI_DIR)`,
  );

describe('runVoxelNetExperiment', () => {
  beforeAll(() => useBackend('wasm'));

  it('a tiny run returns a well-formed report (AP before vs after, loss curve, BEV figure, timing) and leaks no tensors', async () => {
    const stages = new Set<string>();
    const r = await expectNoLeakedTensors(() => runVoxelNetExperiment(TINY, (p) => stages.add(p.stage)), {
      warmup: 1,
      repeats: 1,
    });
    expect(reportProblems(r)).toEqual([]);
    expect(r.name).toBe('voxelnet');
    expect([...stages]).toEqual(['evaluate untrained', 'train', 'evaluate trained']);
    const ap = r.tables[0];
    expect(ap.rows.map((row) => `${row[0]} ${row[1]}`)).toEqual([
      'untrained 2D',
      'untrained BEV',
      'untrained 3D',
      'trained 2 steps 2D',
      'trained 2 steps BEV',
      'trained 2 steps 3D',
    ]);
    expect(r.figures.map((f) => f.title)[0]).toMatch(/loss/i);
    expect(Object.keys(r.timing)).toEqual(
      expect.arrayContaining(['train', 'evaluate untrained', 'evaluate trained']),
    );
  });

  it('rejects a bad preset and a KITTI folder without velodyne/ before training', async () => {
    await expect(runVoxelNetExperiment({ ...TINY, steps: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(runVoxelNetExperiment('medium' as 'quick')).rejects.toThrow(/preset/);
    await expect(runVoxelNetExperiment(TINY, () => {}, { kittiDir: '/nonexistent/kitti' })).rejects.toThrow(
      /kittiDir/,
    );
  });

  it('the presets: quick is a shorter run of the full (README) setup', () => {
    expect(VOXELNET_PRESETS.full).toMatchObject({ steps: 1500, learningRate: 2e-3, evalScenes: 100 });
    expect(VOXELNET_PRESETS.quick.steps).toBeLessThan(VOXELNET_PRESETS.full.steps);
  });

  describe.skipIf(!present)('on the real KITTI frames', () => {
    it('adds the per-frame detections, the AP over labelled frames and a BEV figure of a real frame', async () => {
      const r = await runVoxelNetExperiment(TINY, () => {}, { kittiDir: KITTI });
      expect(reportProblems(r)).toEqual([]);
      const frames = r.tables.find((t) => t.title.startsWith('Real KITTI frames'));
      expect(frames?.rows.map((row) => row[0])).toEqual(['000001', '000002', '000003', '000004', '000006']);
      expect(r.tables.some((t) => t.title.includes('real KITTI frames with labels'))).toBe(true);
      expect(r.figures.some((f) => f.title.startsWith('Real KITTI frame'))).toBe(true);
      const inRange = r.tables.find((t) => t.title.includes("outside the detector's x/y range as DontCare"));
      expect(inRange?.title).toMatch(/\(2 cars left\)/); // 9 labelled cars, 2 centred in 0…25.6 × ±12.8 m
      const matches = r.tables.find((t) => t.title.startsWith('Each labelled car'));
      expect(matches?.rows.map((row) => row[0])).toEqual(['000003', '000006']);
      const gap = r.tables.find((t) => t.title.startsWith('Domain gap'));
      expect(gap?.columns).toEqual(['quantity', 'synthetic (held-out scenes)', 'real KITTI frames']);
      expect(gap?.rows.find((row) => row[0] === 'frames')).toEqual(['frames', 2, 5]);
      expect(gap?.rows.find((row) => row[0] === 'labelled cars in range per frame')?.[2]).toBe(0.4);
      expect(r.notes?.some((n) => n.startsWith('Measured gap'))).toBe(true);
    });
  });
});
