import { describe, expect, it } from 'vitest';
import { DemoJobsError, defaultJobs, parseJobs, runInJobs, scheduleOrder } from './jobs';
import { PIPELINES } from './pipelines/index';

const pick = (...names: string[]) =>
  names.map(
    (n) =>
      PIPELINES.find((p) => p.name === n) ?? {
        name: n,
        title: n,
        run: () => {
          throw new Error('not run here');
        },
      },
  );

describe('--jobs', () => {
  it('parses an integer from 1 to 64 and names the option otherwise', () => {
    expect(parseJobs(undefined)).toBeUndefined();
    expect(parseJobs('2')).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'two', '65'])
      expect(() => parseJobs(bad)).toThrow(
        new DemoJobsError(`demo: --jobs expects an integer from 1 to 64; received '${bad}'`),
      );
  });
  it('defaults to one job per core on one-core engines, one on GPUs and multi-threaded TensorFlow', () => {
    expect(defaultJobs('wasm', 2)).toBe(2);
    expect(defaultJobs('cpu', 8)).toBe(8);
    expect(defaultJobs('tensorflow', 2)).toBe(2);
    expect(defaultJobs('tensorflow', 16)).toBe(1);
    expect(defaultJobs('tensorflow-gpu', 2)).toBe(1);
    expect(defaultJobs('webgpu', 2)).toBe(1);
  });
  it('hands the costliest pipelines out first; every pipeline has a cost', () => {
    const first = (preset: 'quick' | 'full') =>
      scheduleOrder(PIPELINES, preset)
        .slice(0, 3)
        .map((p) => p.name);
    expect(first('quick')).toEqual(['maect-cifar10', 'maect', 'patch-refinement']);
    expect(first('full')).toEqual(['hopfield-mil', 'maect', 'dre-breast']);
    expect(PIPELINES.filter((p) => p.seconds === undefined)).toEqual([]);
  });
});

describe('runInJobs (child processes on the wasm backend)', () => {
  it('returns the reports in the order given, each line labelled with its pipeline', async () => {
    const lines: string[] = [];
    const reports = await runInJobs(pick('dre-mixture', 'warmup'), {
      jobs: 2,
      preset: 'quick',
      backend: 'wasm',
      write: (l) => lines.push(l),
    });
    expect(reports.map((r) => r.name)).toEqual(['dre-mixture', 'warmup']);
    expect((reports[1].tables[0].rows[0][2] as number) > 0.9).toBe(true);
    expect(lines.some((l) => /^\d\d:\d\d warmup +│ warm-up MLP: done/.test(l))).toBe(true);
    expect(lines.some((l) => /^\d\d:\d\d warmup +│ finished in \d+ s$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\d\d:\d\d dre-mixture │ mixture: done/.test(l))).toBe(true);
  }, 120_000);
  it('a pipeline that fails stops the run with its name and cause', async () => {
    await expect(
      runInJobs(pick('warmup', 'no-such-pipeline'), {
        jobs: 1,
        preset: 'quick',
        backend: 'wasm',
        write: () => {},
      }),
    ).rejects.toThrow(/demo: pipeline no-such-pipeline failed: Error: no pipeline named no-such-pipeline/);
  }, 60_000);
});
