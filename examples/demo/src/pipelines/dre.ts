import { runMixtureBenchmark, runSaturationExperiment } from '@paperstack/example-dre';
import { runIwaExperiment } from '@paperstack/example-dre-ensembling';
import type { Figure, Pipeline, PipelineReport, Preset } from '../report/types';
import { stageProgress } from './experiment';

type Run = (
  preset: Preset,
  onProgress: (p: { stage: string; done: number; total: number; info?: string }) => void,
) => Promise<{
  config: unknown;
  tables: PipelineReport['tables'];
  figures: unknown[];
  timing: Record<string, number>;
  notes?: string[];
}>;

/** A pipeline around the DRE examples' `run(preset, onProgress)` (no name/title/summary of their own). */
function drePipeline(name: string, title: string, summary: string, run: Run): Pipeline {
  return {
    name,
    title,
    async run(ctx): Promise<PipelineReport> {
      const bars = stageProgress(ctx);
      const r = await run(ctx.preset, (p) =>
        bars.report(p.stage, p.done, p.total, p.info ? { at: p.info } : undefined),
      );
      bars.close();
      return {
        name,
        title,
        summary,
        config: r.config as Record<string, unknown>,
        tables: r.tables,
        figures: r.figures as Figure[],
        timing: r.timing,
        notes: r.notes,
      };
    },
  };
}

export const dreSaturationPipeline = drePipeline(
  'dre-saturation',
  'Kernel DRE: saturation of Tikhonov vs iterated regularization',
  'Gruber et al. (ICML 2024): the error of Tikhonov-regularized KuLSIF stops improving with the sample size at a rate that iterated Tikhonov (t > 1) beats. Error vs n on a problem with a known smooth ratio, for t = 1, 2, 5, 10, with fitted log-log slopes.',
  runSaturationExperiment as unknown as Run,
);

export const dreMixturePipeline = drePipeline(
  'dre-mixture',
  'Kernel DRE: Gaussian-mixture benchmark (4 losses × plain/iterated)',
  "The paper's Gaussian-mixture protocol (known ratio, normalized MSE) for KuLSIF and the exponential, logistic and square Bregman losses, each with plain and iterated regularization, against a constant predictor.",
  runMixtureBenchmark as unknown as Run,
);

export const iwaPipeline = drePipeline(
  'dre-iwa',
  'IWA: importance-weighted aggregation under domain shift',
  'Dinu et al. (ICLR 2023) with weights from @paperstack/kernel-dre: a family of classifiers (HopfieldLayer-based and MLPs) trained under covariate shift is aggregated by importance-weighted least squares; target accuracy vs the best single model, uniform averaging and source-only.',
  runIwaExperiment as unknown as Run,
);
