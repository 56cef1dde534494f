import { existsSync } from 'node:fs';
import { reportProblems } from '@paperstack/example-kit';
import { expectNoLeakedTensors, useBackend } from '@paperstack/test-utils';
import { InvalidArgumentError } from '@paperstack/voxelnet';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PATCH_REFINEMENT_PRESETS,
  type PatchRefinementExperimentConfig,
  runPatchRefinementExperiment,
} from './run-experiment';

// A tiny but real run: 2 RPN steps, 2 LRN steps of 2 patches, 2 held-out scenes.
const TINY: PatchRefinementExperimentConfig = {
  rpnSteps: 2,
  rpnScenes: 2,
  lrnSteps: 2,
  lrnBatch: 2,
  lrnScenes: 2,
  lrnVoxel: 0.2,
  lrnSeed: 1,
  evalScenes: 2,
  showScore: 0.3,
};
const KITTI = process.env.KITTI_DIR ?? new URL('../../../../shared/data/kitti', import.meta.url).pathname;
const present = existsSync(KITTI);
if (!present)
  console.warn(
    `example-patch-refinement: real KITTI frames not found at ${KITTI} — skipping the KITTI test (set KITTI_DIR)`,
  );

describe('runPatchRefinementExperiment', () => {
  beforeAll(() => useBackend('wasm'));

  it('a tiny run returns a well-formed report (RPN vs RPN + LRN AP, figures, timing) and leaks no tensors', async () => {
    const stages = new Set<string>();
    const r = await expectNoLeakedTensors(
      () => runPatchRefinementExperiment(TINY, (p) => stages.add(p.stage)),
      {
        warmup: 1,
        repeats: 1,
      },
    );
    expect(reportProblems(r)).toEqual([]);
    expect(r.name).toBe('patch-refinement');
    expect([...stages]).toEqual(['train RPN', 'train LRN', 'evaluate RPN vs RPN + LRN', 'localisation']);
    expect(r.tables[0].rows.map((row) => `${row[0]} ${row[1]}`)).toEqual([
      'RPN alone 2D',
      'RPN alone BEV',
      'RPN alone 3D',
      'RPN + LRN 0.2 m 2D',
      'RPN + LRN 0.2 m BEV',
      'RPN + LRN 0.2 m 3D',
    ]);
    expect(r.figures.map((f) => f.title)[0]).toMatch(/RPN alone vs RPN \+ LRN/);
    expect(Object.keys(r.timing)).toEqual(
      expect.arrayContaining(['train RPN', 'train LRN', 'evaluate RPN vs RPN + LRN', 'localisation']),
    );
  });

  it('rejects a bad preset and a KITTI folder without velodyne/ before training', async () => {
    await expect(runPatchRefinementExperiment({ ...TINY, lrnSteps: 0 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(
      runPatchRefinementExperiment(TINY, () => {}, { kittiDir: '/nonexistent/kitti' }),
    ).rejects.toThrow(/kittiDir/);
  });

  it('full is the package README setup; quick is a shorter run of it', () => {
    expect(PATCH_REFINEMENT_PRESETS.full).toMatchObject({
      rpnSteps: 400,
      rpnScenes: 200,
      lrnSteps: 300,
      lrnBatch: 8,
      lrnScenes: 100,
      lrnVoxel: 0.2,
      evalScenes: 50,
    });
    expect(PATCH_REFINEMENT_PRESETS.quick.lrnVoxel).toBe(0.2);
  });

  describe.skipIf(!present)('on the real KITTI frames', () => {
    it('adds per-frame proposals and detections, the AP of both detectors and a BEV figure', async () => {
      const r = await runPatchRefinementExperiment(TINY, () => {}, { kittiDir: KITTI });
      expect(reportProblems(r)).toEqual([]);
      const frames = r.tables.find((t) => t.title.startsWith('Real KITTI frames'));
      expect(frames?.rows.map((row) => row[0])).toEqual(['000001', '000002', '000003', '000004', '000006']);
      expect(r.tables.some((t) => t.title.includes('real KITTI frames with labels (9 labelled cars)'))).toBe(
        true,
      );
      expect(r.tables.some((t) => t.title.includes('as DontCare (2 cars left)'))).toBe(true);
      expect(r.figures.some((f) => f.title.startsWith('Real KITTI frame'))).toBe(true);
      expect(r.notes?.some((n) => n.includes('2 of the 9 labelled cars lie in the RPN'))).toBe(true);
    });
  });
});
