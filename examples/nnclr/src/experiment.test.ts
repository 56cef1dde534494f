import { reportProblems } from '@paperstack/example-kit';
import { describeBackends, expectNoLeakedTensors } from '@paperstack/test-utils';
import { expect, it } from 'vitest';
import {
  NNCLR_PRESETS,
  type NnclrExperimentConfig,
  nnclrFigures,
  resultsJson,
  runNnclrExperiment,
} from './index';

/** A configuration that runs in about a second: the pipeline end to end, not a measurement. */
const TINY: NnclrExperimentConfig = {
  ...NNCLR_PRESETS.quick,
  seeds: [0, 1],
  steps: 4,
  batchSize: 8,
  queueSize: 16,
  trainImages: 60,
  testImages: 30,
  labelled: 30,
  knnK: 5,
  evalEvery: 2,
  encoderUnits: [32, 16],
  projectorUnits: [32, 8],
  predictorUnits: [32, 8],
};

describeBackends('runNnclrExperiment (tiny configuration)', () => {
  it('completes and returns a well-formed report with tables, figures and per-seed results', async () => {
    const stages = new Set<string>();
    const r = await runNnclrExperiment(TINY, (p) => stages.add(p.stage));
    expect([...stages]).toEqual([
      'data',
      'SimCLR, seed 0',
      'NNCLR, seed 0',
      'SimCLR, seed 1',
      'NNCLR, seed 1',
    ]);
    expect(r.name).toBe('nnclr');
    expect(r.config).toEqual(TINY);
    expect(r.seeds.map((s) => s.seed)).toEqual([0, 1]);
    for (const s of r.seeds) {
      for (const v of [s.random, s.simclr, s.nnclr, s.nnclrNeighbourAccuracy])
        expect(v >= 0 && v <= 100).toBe(true);
      expect(Number.isFinite(s.lossSimclr) && Number.isFinite(s.lossNnclr)).toBe(true);
    }
    // The k-NN curve: step 0 (the shared initialisation), every evalEvery steps, the last step.
    const steps = r.knnCurve.filter((p) => p.method === 'NNCLR' && p.seed === 0).map((p) => p.step);
    expect(steps).toEqual([0, 2, 4]);
    const first = (m: string) =>
      r.knnCurve.find((p) => p.method === m && p.seed === 0 && p.step === 0)?.accuracy;
    expect(first('SimCLR')).toBe(first('NNCLR'));
    expect(r.tables[0].rows.map((row) => row[0])).toEqual([
      'raw pixels',
      'random (untrained) encoder',
      'SimCLR (NT-Xent, no neighbour)',
      'NNCLR',
    ]);
    expect(r.tables[0].columns).toEqual(['features', 'mean ± sd', 'seed 0', 'seed 1']);
    expect(r.tables[1].rows.length).toBe(4);
    expect(r.figures.length).toBe(4);
    expect(reportProblems(r)).toEqual([]);
    expect(Object.keys(r.timing)).toEqual(['data', 'trainSimclr', 'trainNnclr', 'evaluation', 'total']);
    expect(r.notes?.length).toBeGreaterThan(0);
    // The results file leaves the figures out; they rebuild from what it keeps.
    const saved = JSON.parse(resultsJson(r));
    expect(saved.figures).toBeUndefined();
    expect({ ...saved, figures: nnclrFigures(saved) }).toEqual(r);
  });

  it('leaks no tensors', async () => {
    await expectNoLeakedTensors(() => runNnclrExperiment({ ...TINY, seeds: [3], steps: 2 }), {
      warmup: 1,
      repeats: 1,
    });
  });

  it('rejects a bad configuration, naming the field', async () => {
    await expect(runNnclrExperiment({ ...TINY, knnK: 40 })).rejects.toThrow(
      /config.knnK must be an integer in \[1, 30\], received 40/,
    );
    await expect(runNnclrExperiment({ ...TINY, predictorUnits: [32, 4] })).rejects.toThrow(
      /config.predictorUnits must end in 8/,
    );
    await expect(runNnclrExperiment('medium' as 'quick')).rejects.toThrow(/preset must be 'quick' or 'full'/);
  });
});
