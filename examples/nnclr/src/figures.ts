/** The experiment's Vega-Lite v5 figures, data inlined (the demo renders them to SVG). */
import { type Figure, VEGA_LITE_SCHEMA } from '@paperstack/example-kit';
import type { KnnPoint, NnclrSeedResult, TrainingPoint } from './experiment';

/** What the figures are made of: the measurements of `runNnclrExperiment`. */
export interface NnclrFigureData {
  pixels: number;
  seeds: NnclrSeedResult[];
  knnCurve: KnnPoint[];
  training: TrainingPoint[];
}

const METHOD_COLORS = {
  domain: ['raw pixels', 'random encoder', 'SimCLR', 'NNCLR'],
  range: ['#7f7f7f', '#bcbd22', '#1f77b4', '#d62728'],
};

/**
 * Four figures: k-NN accuracy over training per method (thin line per seed, thick mean, raw
 * pixels as a rule), final k-NN accuracy per method (mean bar, a point per seed), the training
 * losses, and NNCLR's neighbour accuracy.
 */
export function nnclrFigures(d: NnclrFigureData): Figure[] {
  const color = { field: 'method', type: 'nominal', scale: METHOD_COLORS, title: 'features' };
  const final = d.seeds.flatMap((s) => [
    { method: 'raw pixels', seed: s.seed, accuracy: d.pixels },
    { method: 'random encoder', seed: s.seed, accuracy: s.random },
    { method: 'SimCLR', seed: s.seed, accuracy: s.simclr },
    { method: 'NNCLR', seed: s.seed, accuracy: s.nnclr },
  ]);
  const nnclrTraining = d.training.filter((t) => t.neighbourAccuracy != null);
  return [
    {
      title: 'k-NN accuracy over training',
      caption:
        'Weighted k-NN accuracy of the encoder features on the test images, every few steps; thin lines are seeds, thick lines their mean. Step 0 is the shared random initialisation; the dashed rule is raw pixels.',
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: 460,
        height: 240,
        layer: [
          {
            data: { values: d.knnCurve },
            mark: { type: 'line', opacity: 0.35, strokeWidth: 1 },
            encoding: {
              x: { field: 'step', type: 'quantitative', title: 'training step' },
              y: {
                field: 'accuracy',
                type: 'quantitative',
                title: 'k-NN accuracy (%)',
                scale: { zero: false },
              },
              color,
              detail: { field: 'seed', type: 'nominal' },
            },
          },
          {
            data: { values: d.knnCurve },
            mark: { type: 'line', strokeWidth: 2.5, point: true },
            encoding: {
              x: { field: 'step', type: 'quantitative' },
              y: { aggregate: 'mean', field: 'accuracy', type: 'quantitative' },
              color,
            },
          },
          {
            data: { values: [{ method: 'raw pixels', accuracy: d.pixels }] },
            mark: { type: 'rule', strokeDash: [4, 4] },
            encoding: { y: { field: 'accuracy', type: 'quantitative' }, color },
          },
        ],
      },
    },
    {
      title: 'Final k-NN accuracy per method',
      caption: 'Bars: mean over seeds; points: single seeds.',
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: 260,
        height: 220,
        data: { values: final },
        layer: [
          {
            mark: 'bar',
            encoding: {
              x: { field: 'method', type: 'nominal', sort: METHOD_COLORS.domain, title: null },
              y: { aggregate: 'mean', field: 'accuracy', type: 'quantitative', title: 'k-NN accuracy (%)' },
              color: { ...color, legend: null },
            },
          },
          {
            mark: { type: 'point', filled: true, color: 'black' },
            encoding: {
              x: { field: 'method', type: 'nominal', sort: METHOD_COLORS.domain },
              y: { field: 'accuracy', type: 'quantitative' },
            },
          },
        ],
      },
    },
    {
      title: 'Training loss',
      caption:
        'NT-Xent (SimCLR, 2N − 2 negatives) and InfoNCE with nearest-neighbour positives (NNCLR, N − 1 negatives) have different ranges; compare shapes, not levels.',
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: 460,
        height: 200,
        data: { values: d.training },
        mark: { type: 'line', opacity: 0.8 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'training step' },
          y: { field: 'loss', type: 'quantitative', scale: { zero: false } },
          color,
          detail: { field: 'seed', type: 'nominal' },
        },
      },
    },
    {
      title: 'NNCLR neighbour accuracy',
      caption:
        'Share of samples whose nearest neighbour in the support set (the positive NNCLR uses) has the same class; chance is 10 %.',
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: 460,
        height: 200,
        data: { values: nnclrTraining },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'training step' },
          y: {
            field: 'neighbourAccuracy',
            type: 'quantitative',
            title: 'same-class neighbours (%)',
            scale: { domain: [0, 100] },
          },
          color: { field: 'seed', type: 'nominal' },
        },
      },
    },
  ];
}
