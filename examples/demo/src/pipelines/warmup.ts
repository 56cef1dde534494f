import type { Pipeline, PipelineReport } from '../report/types';
import { trainWarmupModel } from '../warmup';

/** The backend check: a tiny MLP must train on the chosen backend before anything else runs. */
export const warmupPipeline: Pipeline = {
  name: 'warmup',
  title: 'Backend check: a tiny MLP trains',
  async run(ctx): Promise<PipelineReport> {
    const steps = 60;
    const bar = ctx.stage('warm-up MLP', steps);
    const t0 = performance.now();
    const r = await trainWarmupModel(steps, bar);
    bar.done(`loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`);
    return {
      name: 'warmup',
      title: this.title,
      summary:
        'A 2-layer MLP learns a sign rule on 256 seeded points with Adam: proves the backend trains (gradients registered, optimizer works).',
      config: { steps, points: 256, hidden: 32, optimizer: 'adam(0.03)' },
      tables: [
        {
          title: 'Result',
          columns: ['first loss', 'last loss', 'train accuracy', 'ms/step'],
          rows: [[r.firstLoss, r.lastLoss, r.accuracy, r.msPerStep]],
        },
      ],
      figures: [],
      timing: { train: performance.now() - t0 },
    };
  },
};
