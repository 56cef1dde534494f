import { EXPERIMENTS } from '@paperstack/example-hopfield';
import {
  type RegimeResult,
  type RepertoireResult,
  runRegimeExperiment,
  runRepertoireExperiment,
} from '@paperstack/example-hopfield-analysis';
import type { Figure, Pipeline, PipelineContext, PipelineReport } from '../report/types';
import { experimentPipeline, unavailableData } from './experiment';

/** Paper §2: retrieval capacity, one-update retrieval, metastable states (examples/hopfield). */
export const hopfieldRetrievalPipeline = experimentPipeline(
  'hopfield-retrieval',
  EXPERIMENTS.retrieval.title,
  EXPERIMENTS.retrieval.run,
);

const mnistBags = unavailableData('hopfield-mnist-bags', EXPERIMENTS['mnist-bags'].run);

/**
 * Paper §4: multiple-instance learning with HopfieldPooling (examples/hopfield), the quick bit-pattern
 * and benchmark tasks; with `--full` also the real-data comparison, Ilse et al.'s MNIST-bags on real
 * MNIST digits (3 seeds). The full bit-pattern and benchmark presets (about 9 and 35 min on 2 cores)
 * run from the example's CLI (`mil --preset full`), not in the demo.
 */
export const hopfieldMilPipeline = experimentPipeline(
  'hopfield-mil',
  EXPERIMENTS.mil.title,
  async (preset, onProgress) => {
    const mil = await EXPERIMENTS.mil.run('quick', onProgress);
    if (preset !== 'full') return mil;
    const bags = await mnistBags(preset, onProgress);
    return {
      ...mil,
      summary: `${mil.summary} Real data: ${bags.summary}`,
      tables: [...mil.tables, ...bags.tables],
      figures: [...mil.figures, ...bags.figures],
      timing: { ...mil.timing, ...bags.timing },
      notes: [...(mil.notes ?? []), ...(bags.notes ?? []).map((n) => `MNIST-bags: ${n}`)],
    };
  },
);

/** Progress of the analysis experiments, reported as (message, fraction done). */
function fractionBar(ctx: PipelineContext, title: string) {
  const bar = ctx.stage(title, 100);
  return {
    onProgress: (message: string, fraction: number) => bar.tick(Math.round(100 * fraction), { at: message }),
    done: (summary?: string) => bar.done(summary),
  };
}

const spec = (title: string, s: unknown, caption?: string): Figure => ({
  title,
  spec: s as Figure['spec'],
  caption,
});

/** Paper §3: attention regimes (k patterns for 90 % of the softmax mass) during training. */
export const hopfieldRegimesPipeline: Pipeline = {
  name: 'hopfield-regimes',
  title: 'Hopfield attention regimes over training (paper §3)',
  async run(ctx): Promise<PipelineReport> {
    const p = fractionBar(ctx, 'regime analysis');
    // quick with --full too: the full preset (4 layers, 2000 steps) takes over an hour on 2 cores
    const r: RegimeResult = await runRegimeExperiment('quick', p.onProgress);
    p.done(`accuracy ${(100 * r.finalAccuracy).toFixed(1)}%`);
    return {
      name: this.name,
      title: this.title,
      summary:
        'Ramsauer et al. §3: each attention head operates in one of three regimes — global averaging (k ≈ N patterns for 90 % of the softmax mass), metastable states (averaging over a subset), or a fixed point near one pattern (k = 1). A small transformer whose attention is Hopfield layers is trained on a sequence task while k is tracked per layer and head.',
      config: r.config as unknown as Record<string, unknown>,
      tables: [
        {
          title: 'Heads at the end of training',
          columns: ['layer', 'head', 'median k', 'mean k', 'regime'],
          rows: r.final.map((f) => [f.layer, f.head, f.medianK, f.meanK, f.regime]),
        },
        {
          title: 'Model',
          columns: ['final loss', 'final accuracy'],
          rows: [[r.finalLoss, r.finalAccuracy]],
        },
      ],
      figures: [
        spec('Mean k per head over training', r.specs.kOverTraining),
        spec('Distribution of k per layer, start vs end', r.specs.kDistribution),
        spec('Training', r.specs.training),
      ],
      timing: { train: r.timings.trainMs, analysis: r.timings.analysisMs },
    };
  },
};

/** DeepRC-style immune-repertoire MIL with streaming Hopfield pooling over huge bags. */
export const hopfieldRepertoirePipeline: Pipeline = {
  name: 'hopfield-repertoire',
  title: 'Huge bags: repertoire classification with streaming Hopfield pooling (paper §4, DeepRC)',
  async run(ctx): Promise<PipelineReport> {
    const p = fractionBar(ctx, 'repertoire MIL');
    // quick with --full too: the medium and full presets take 17 min and hours on 2 cores (the
    // example's CLI runs them: `repertoire --preset medium|full`)
    const r: RepertoireResult = await runRepertoireExperiment('quick', p.onProgress);
    p.done();
    return {
      name: this.name,
      title: this.title,
      summary:
        'Simulated immune repertoires: bags of short amino-acid sequences, a motif implanted in a small fraction (witness rate) of the sequences of positive bags. A k-mer encoder feeds HopfieldPooling, chunked with an exact streaming softmax so memory does not grow with the bag; compared with mean and max pooling by test AUC.',
      config: r.config as unknown as Record<string, unknown>,
      tables: [
        {
          title: 'Mean test AUC over seeds',
          columns: ['sweep', 'pooling', 'witness rate', 'bag size', 'witnesses/bag', 'AUC', 'AUC sd', 'runs'],
          rows: r.table.map((t) => [
            t.sweep,
            t.pooling,
            t.witnessRate,
            t.bagSize,
            t.witnesses,
            t.meanAuc,
            t.sdAuc ?? '–',
            t.runs,
          ]),
        },
      ],
      figures: [
        spec('AUC vs witness rate', r.specs.aucVsWitnessRate),
        spec('AUC vs bag size', r.specs.aucVsBagSize),
      ],
      timing: { total: r.timings.totalMs },
    };
  },
};
