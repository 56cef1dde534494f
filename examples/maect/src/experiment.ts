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
import { disposeSplit, loadMnist, type MnistSplit } from './data';
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

/** What a run trains on and for how long (the recipes are fixed in the stage modules). */
export type MaectConfig = {
  /** One full MAE → MAE-CT run per seed (model init, batch order, masks, views, probes). */
  seeds: number[];
  /** Train digits per class (the first ones of each class). */
  trainPerClass: number;
  /** Test digits per class (the next ones). */
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
 * MAE → MAE-CT run sized for the demo's budget (~2.5 min on the idle 2-core machine): one seed,
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
  data: MnistSplit,
  onProgress: OnProgress = () => {},
): Promise<SeedRun> {
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
    },
    timing: {},
    results: [],
  };
  const mae = new MaskedAutoencoder({ ...MNIST_MAE, seed });
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
 * The experiment of issue #10 item 6: MAE → MAE-CT on MNIST digits, with k-NN, linear, low-shot and
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
  const data = loadMnist(config);
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
    { ...config, model: MNIST_MAE, backend: tf.getBackend() },
    {
      loadData: loadMs,
      pretrain: sum('pretrainSeconds'),
      stage2: sum('stage2Seconds'),
      stage3: sum('stage3Seconds'),
      evaluation: sum('evalSeconds'),
      total: performance.now() - t0,
    },
  );
  if (preset === 'quick') {
    const full = recordedRuns('full');
    if (full.length)
      report.notes?.push(
        `The quick preset is a short run (one seed, ${data.train.labels.length} digits); the claim is tested by the full preset — recorded in examples/maect/results/full (seeds ${full.map((r) => r.seed).join(', ')}, ${full[0].config.trainImages} digits, ${full[0].config.E1} MAE epochs). There, ${gainNote(full)}`,
      );
  }
  return { ...report, runs };
}

/** The per-seed runs `mnist-seed<N>.json` in folder `dir`, by seed (empty when there are none). */
export function readRuns(dir: string): SeedRun[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^mnist-seed\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SeedRun)
    .sort((a, b) => a.seed - b.seed);
}

/** The recorded runs of this example, `results/<name>/` (`full`, `short`). */
export function recordedRuns(name: string): SeedRun[] {
  return readRuns(fileURLToPath(new URL(`../results/${name}/`, import.meta.url)));
}
