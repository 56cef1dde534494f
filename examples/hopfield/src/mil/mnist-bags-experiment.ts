import {
  type ExperimentReport,
  type Figure,
  type OnProgress,
  type Preset,
  rocAuc,
  round,
  type Table,
  VEGA_LITE_SCHEMA,
  yieldToEventLoop,
} from '@paperstack/example-kit';
import * as tf from '@tensorflow/tfjs-core';
import { meanStd } from '../metrics/stats';
import type { MilModelSpec, TrainSettings } from './experiment';
import { mnistBags, mnistForBags } from './mnist-bags';
import { MilModel } from './model';
import { predictMil, trainMil } from './train';

export interface MnistBagsConfig {
  /** Training set sizes (bags) to compare, each trained from scratch. */
  trainBags: number[];
  /** Test bags, drawn from the held-out half of the digits. */
  testBags: number;
  target: number;
  meanBagSize: number;
  varBagSize: number;
  /** Each seed draws its own training and test bags and initializes every model anew. */
  seeds: number[];
  /** Channels of the two 5×5 convolutions of the instance embedding. */
  convFilters: [number, number];
  embedDim: number;
  /**
   * Training length in bag visits: each size trains ⌈visits / bags⌉ epochs, so the small sets get
   * about as many updates as the large ones (`train.epochs` is ignored).
   */
  visits: number;
  train: TrainSettings;
  models: MilModelSpec[];
}

/**
 * `full`: Ilse et al.'s MNIST-bags protocol (target 9, bag size 10 ± 2, 50/100/150/200 training
 * bags, 1000 test bags) with 3 seeds and a scaled-down LeNet embedding; `quick`: one small size,
 * one seed, a few epochs (seconds; what the tests run).
 */
export function mnistBagsConfig(preset: Preset): MnistBagsConfig {
  const quick = preset === 'quick';
  const models: MilModelSpec[] = [
    { name: 'HopfieldPooling', pooling: 'hopfield', embedDim: 64, hopfield: { numHeads: 4 } },
    { name: 'attention-MIL (Ilse et al.)', pooling: 'attention', embedDim: 64 },
    { name: 'gated attention-MIL', pooling: 'gated-attention', embedDim: 64 },
    { name: 'mean pooling', pooling: 'mean', embedDim: 64 },
  ];
  return {
    trainBags: quick ? [20] : [50, 100, 150, 200],
    testBags: quick ? 50 : 1000,
    target: 9,
    meanBagSize: 10,
    varBagSize: 2,
    seeds: quick ? [0] : [0, 1, 2],
    convFilters: quick ? [4, 8] : [8, 16],
    embedDim: 64,
    visits: quick ? 40 : 2000,
    train: { epochs: 0, batchSize: quick ? 10 : 4, learningRate: 1e-3, weightDecay: 0.01, clipNorm: 1 },
    models: quick ? models.filter((m) => m.pooling === 'hopfield' || m.pooling === 'attention') : models,
  };
}

export interface MnistBagsRun {
  model: string;
  trainBags: number;
  seed: number;
  epochs: number;
  auc: number;
  accuracy: number;
  /** Positive share of the training bags. */
  trainPositive: number;
  ms: number;
}

/** Trains and tests every model × training size × seed of `config`; plain per-run results. */
export async function runMnistBags(
  config: MnistBagsConfig,
  onProgress?: OnProgress,
): Promise<MnistBagsRun[]> {
  const { images, split } = mnistForBags();
  const bagOpts = { target: config.target, meanBagSize: config.meanBagSize, varBagSize: config.varBagSize };
  const runs: MnistBagsRun[] = [];
  const total = config.seeds.length * config.trainBags.length * config.models.length;
  let step = 0;
  for (const seed of config.seeds) {
    const test = mnistBags(images, split.test, { ...bagOpts, numBags: config.testBags, seed: 1000 + seed });
    for (const n of config.trainBags) {
      const train = mnistBags(images, split.train, { ...bagOpts, numBags: n, seed: seed * 1009 + n });
      for (const spec of config.models) {
        const model = new MilModel({
          inputDim: train.dim,
          pooling: spec.pooling,
          embedDim: config.embedDim,
          hopfield: spec.hopfield,
          conv: {
            height: images.height,
            width: images.width,
            channels: images.channels,
            filters: config.convFilters,
          },
          seed,
        });
        const t0 = performance.now();
        const epochs = Math.ceil(config.visits / n);
        await trainMil(model, train, { ...config.train, epochs, seed });
        const scores = await predictMil(model, test, 50);
        model.dispose();
        const correct = Array.from(scores).filter((s, i) => (s > 0 ? 1 : 0) === test.labels[i]).length;
        const run: MnistBagsRun = {
          model: spec.name,
          trainBags: n,
          seed,
          epochs,
          auc: rocAuc(test.labels, scores),
          accuracy: correct / scores.length,
          trainPositive: train.labels.reduce((a, b) => a + b, 0) / n,
          ms: performance.now() - t0,
        };
        runs.push(run);
        onProgress?.({
          stage: 'MNIST-bags',
          step: ++step,
          total,
          info: { model: spec.name, bags: n, seed, auc: round(run.auc, 3) },
        });
        await yieldToEventLoop();
      }
    }
  }
  return runs;
}

/**
 * Ilse et al.'s MNIST-bags benchmark on real MNIST digits (the `mnist` package's 10,000):
 * HopfieldPooling vs attention-MIL, gated attention-MIL and mean pooling over one instance
 * embedding, test AUC mean ± sample standard deviation over seeds per training-set size.
 */
export async function runMnistBagsExperiment(
  preset: Preset = 'quick',
  onProgress?: OnProgress,
  config: MnistBagsConfig = mnistBagsConfig(preset),
): Promise<ExperimentReport> {
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  const runs = await runMnistBags(config, onProgress);
  const ms = performance.now() - t0;
  const pm = (xs: number[]) => {
    const s = meanStd(xs);
    return config.seeds.length > 1 ? `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}` : s.mean.toFixed(3);
  };
  const cell = (m: string, n: number, f: (r: MnistBagsRun) => number) =>
    runs.filter((r) => r.model === m && r.trainBags === n).map(f);
  const names = config.models.map((m) => m.name);
  const sizes = config.trainBags.map((n) => `${n} bags`);
  const tables: Table[] = [
    {
      title: `MNIST-bags (target ${config.target}, bag size ${config.meanBagSize} ± ${config.varBagSize}): test AUC on ${config.testBags} bags, mean ± sd over ${config.seeds.length} seed(s); ⌈${config.visits} / bags⌉ epochs, batch ${config.train.batchSize}, AdamW lr ${config.train.learningRate}`,
      columns: ['model', ...sizes],
      rows: names.map((m) => [m, ...config.trainBags.map((n) => pm(cell(m, n, (r) => r.auc)))]),
    },
    {
      title: 'MNIST-bags: test accuracy (logit > 0)',
      columns: ['model', ...sizes],
      rows: names.map((m) => [m, ...config.trainBags.map((n) => pm(cell(m, n, (r) => r.accuracy)))]),
    },
    {
      title: 'MNIST-bags: every run',
      columns: [
        'model',
        'training bags',
        'epochs',
        'seed',
        'test AUC',
        'test accuracy',
        'positive training bags',
        's',
      ],
      rows: runs.map((r) => [
        r.model,
        r.trainBags,
        r.epochs,
        r.seed,
        round(r.auc),
        round(r.accuracy),
        round(r.trainPositive, 3),
        round(r.ms / 1000, 2),
      ]),
    },
  ];
  const figures: Figure[] = [
    {
      title: 'MNIST-bags: test AUC vs training bags',
      caption: `Ilse et al.'s Fig. 3 protocol: lines are the means over ${config.seeds.length} seed(s), points the single runs.`,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: 420,
        height: 260,
        data: {
          values: runs.map((r) => ({ model: r.model, bags: r.trainBags, seed: r.seed, auc: round(r.auc) })),
        },
        encoding: {
          x: { field: 'bags', type: 'quantitative', title: 'training bags' },
          color: { field: 'model', type: 'nominal' },
        },
        layer: [
          {
            mark: { type: 'line', point: true },
            encoding: {
              y: {
                aggregate: 'mean',
                field: 'auc',
                type: 'quantitative',
                scale: { zero: false },
                title: 'test AUC',
              },
            },
          },
          { mark: { type: 'point', opacity: 0.4 }, encoding: { y: { field: 'auc', type: 'quantitative' } } },
        ],
      },
    },
  ];
  const notes = config.trainBags.map((n) => {
    const ranked = names
      .map((m) => ({ m, auc: meanStd(cell(m, n, (r) => r.auc)).mean }))
      .sort((a, b) => b.auc - a.auc);
    return `${n} training bags: ${ranked.map((r) => `${r.m} ${r.auc.toFixed(3)}`).join(' > ')}.`;
  });
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) notes.push(`warning: ${leaked} tensors were left allocated`);
  return {
    name: 'hopfield-mnist-bags',
    title: 'MNIST-bags: HopfieldPooling vs attention-based MIL on real MNIST digits',
    summary:
      'Ramsauer et al. (ICLR 2021) §4 claim that HopfieldPooling matches or beats attention-based MIL pooling (Ilse et al., ICML 2018). This runs Ilse et al.’s MNIST-bags benchmark (a bag of about 10 real MNIST digits is positive iff it contains a 9) with one convolutional instance embedding and four poolings, test AUC over seeds for each training-set size.',
    config: config as unknown as Record<string, unknown>,
    tables,
    figures,
    timing: { mnistBags: ms },
    notes,
  };
}
