import type { ExperimentReport, OnProgress } from '@paperstack/example-kit';
import { DataUnavailableError } from '@paperstack/example-kit/data';
import type { Figure, Pipeline, PipelineContext, PipelineReport, Preset } from '../report/types';

type Bars = ReturnType<PipelineContext['stage']>;

/**
 * Progress bars for an experiment that reports `(stage, step, total)`: one bar per stage, closed
 * when the next stage starts.
 */
export function stageProgress(ctx: PipelineContext) {
  let current: { name: string; bar: Bars } | undefined;
  const close = () => current?.bar.done();
  return {
    report(stage: string, step: number, total: number, info?: Record<string, number | string>) {
      if (current?.name !== stage) {
        close();
        current = { name: stage, bar: ctx.stage(stage, total) };
      }
      current.bar.tick(step, info);
    },
    close,
  };
}

/**
 * A pipeline around an example's `run(preset, onProgress, context?)` that already returns a report;
 * `context` forwards the user's `--kitti` folder to the examples that take one.
 */
export function experimentPipeline(
  name: string,
  title: string,
  run: (
    preset: Preset,
    onProgress: OnProgress,
    context: { kittiDir?: string },
  ) => Promise<ExperimentReport<object>>,
): Pipeline {
  return {
    name,
    title,
    async run(ctx): Promise<PipelineReport> {
      const bars = stageProgress(ctx);
      const r = await run(ctx.preset, (p) => bars.report(p.stage, p.step, p.total, p.info), {
        kittiDir: ctx.kittiDir,
      });
      bars.close();
      return {
        ...r,
        name,
        title,
        config: r.config as Record<string, unknown>,
        figures: r.figures as unknown as Figure[],
      };
    },
  };
}

/**
 * Wraps an experiment on downloaded data: when the data cannot be had (`DataUnavailableError` of
 * the example kit: offline and not cached), the pipeline reports that in its notes instead of
 * stopping the demo.
 */
export function unavailableData(
  name: string,
  run: (preset: Preset, onProgress: OnProgress) => Promise<ExperimentReport<object>>,
): (preset: Preset, onProgress: OnProgress) => Promise<ExperimentReport<object>> {
  return async (preset, onProgress) => {
    try {
      return await run(preset, onProgress);
    } catch (err) {
      if (!(err instanceof DataUnavailableError)) throw err;
      return {
        name,
        title: name,
        summary: 'This experiment needs a real data set that could not be had.',
        config: { preset },
        tables: [],
        figures: [],
        timing: {},
        notes: [`Not run: ${err.message}`],
      };
    }
  };
}
