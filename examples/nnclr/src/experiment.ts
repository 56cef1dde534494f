/**
 * NNCLR (Dwibedi et al., ICCV 2021) at 2-core scale: an MLP encoder is trained self-supervised on
 * the deterministic shape images with NNCLR (nearest-neighbour positives from a support set, paper
 * Eq. 2–3 / Algorithm 1) and with a SimCLR-style baseline (the other view is the positive; lightly's
 * NT-Xent), and its features are scored by weighted k-NN accuracy against the untrained (random)
 * encoder and raw pixels, over several seeds. The three encoders of a seed share one
 * initialisation, so the random-encoder score is each curve's step 0.
 */
import {
  type ExperimentReport,
  meanSd,
  type OnProgress,
  type Preset,
  round,
  yieldToEventLoop,
} from '@paperstack/example-kit';
import type { DataOptions } from '@paperstack/example-kit/data';
import { type Features, knnAccuracy, linearProbeAccuracy } from '@paperstack/maect';
import {
  AdamW,
  NnclrTrainer,
  ntXentLoss,
  PredictionHead,
  ProjectionHead,
  SupportSet,
  type TwoViewBatch,
  warmupCosine,
} from '@paperstack/nnclr';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Augmentation, augment, twoViewBatches } from './augment';
import { augmentColor, loadCifarDataset } from './cifar';
import { nnclrFigures } from './figures';
import { type Dataset, makeShapes, stackImages } from './shapes';

/**
 * Everything an experiment run depends on. A `type` (not an interface) so that it is a plain
 * `Record<string, unknown>` for the demo's report.
 */
export type NnclrExperimentConfig = {
  /**
   * The images: `shapes` (generated, 16×16 gray, `dataSeeds`) or `cifar10` (real: CIFAR-10 from the
   * example kit's cached loader, 16×16 RGB; the first images of each class, `dataSeeds` unused).
   */
  dataset: 'shapes' | 'cifar10';
  /** One run of each method per seed (encoder, heads, queue and batch stream all derive from it). */
  seeds: number[];
  /** Training steps per method and seed. */
  steps: number;
  /** Images per batch (two views each). */
  batchSize: number;
  /** NNCLR support-set size (FIFO queue of projections). */
  queueSize: number;
  /** Temperature τ of both losses (NNCLR InfoNCE and NT-Xent). */
  temperature: number;
  /** AdamW peak learning rate (10 % linear warm-up, then cosine to 0). */
  peakLearningRate: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** Augmentations of the two views. */
  augmentation: Augmentation;
  /** Unlabelled training images (self-supervised). */
  trainImages: number;
  /** Held-out test images for the k-NN score. */
  testImages: number;
  /** The k-NN memory and linear-probe training set: the first `labelled` training images with their labels (balanced). */
  labelled: number;
  /** Neighbours that vote in the k-NN classifier. */
  knnK: number;
  /** Evaluate the k-NN accuracy every this many steps (and at step 0 and at the end). */
  evalEvery: number;
  /** Encoder MLP widths: Linear(no bias)→BN→ReLU→Linear. */
  encoderUnits: [number, number];
  /** Projection head widths (NNCLR and SimCLR); the last is the embedding (and queue) size. */
  projectorUnits: number[];
  /** NNCLR prediction head widths; the last must equal the projector's. */
  predictorUnits: number[];
  /** Seeds of the training and test images. */
  dataSeeds: { train: number; test: number };
};

/** The `quick` preset (see {@link NNCLR_PRESETS}). */
const QUICK: NnclrExperimentConfig = {
  dataset: 'shapes',
  seeds: [0, 1],
  steps: 200,
  batchSize: 128,
  queueSize: 1024,
  temperature: 0.1,
  peakLearningRate: 2e-3,
  weightDecay: 1e-4,
  augmentation: 'full',
  trainImages: 2000,
  testImages: 1000,
  labelled: 200,
  knnK: 20,
  evalEvery: 25,
  encoderUnits: [256, 128],
  projectorUnits: [256, 64],
  predictorUnits: [256, 64],
  dataSeeds: { train: 1234, test: 5678 },
};

/**
 * The presets. `full` is the measured setup of the README (400 steps of batch 128, 3 seeds);
 * `quick` fits the demo's budget (about 2 minutes on two idle cores) with the same data, model and
 * evaluation, fewer steps and seeds.
 */
export const NNCLR_PRESETS: Record<Preset, NnclrExperimentConfig> = {
  quick: QUICK,
  full: {
    ...QUICK,
    seeds: [0, 1, 2],
    steps: 400,
  },
};

const CIFAR_FULL: NnclrExperimentConfig = {
  ...QUICK,
  dataset: 'cifar10',
  seeds: [0, 1, 2],
  steps: 300,
  trainImages: 5000,
  testImages: 1000,
  labelled: 2000,
  evalEvery: 100,
};

/**
 * The real-data presets (CIFAR-10, 16×16 RGB): `full` is the README's measured run (3 seeds,
 * 300 steps of batch 128 on 5,000 training images — 7.7 epochs — k-NN memory and linear probe
 * on 2,000 of them, 1,000 test images); `quick` is the demo's (2 seeds, 100 steps, 2,000 images).
 */
export const NNCLR_CIFAR_PRESETS: Record<Preset, NnclrExperimentConfig> = {
  quick: {
    ...CIFAR_FULL,
    seeds: [0, 1],
    steps: 100,
    trainImages: 2000,
    labelled: 1000,
    testImages: 1000,
    evalEvery: 50,
  },
  full: CIFAR_FULL,
};

/** The two trained methods. */
export type NnclrMethod = 'SimCLR' | 'NNCLR';

/** One point of a k-NN accuracy curve. */
export interface KnnPoint {
  method: NnclrMethod;
  seed: number;
  step: number;
  /** k-NN accuracy in %. */
  accuracy: number;
}

/** One point of a training curve (averaged over the steps since the previous point). */
export interface TrainingPoint {
  method: NnclrMethod;
  seed: number;
  step: number;
  /** Mean training loss over the window. */
  loss: number;
  /** NNCLR only: share (%) of view-0 samples whose support-set neighbour has their class. */
  neighbourAccuracy?: number;
}

/** What one seed measured (accuracies in %). */
export interface NnclrSeedResult {
  seed: number;
  /** k-NN accuracy of the untrained encoder (shared initialisation). */
  random: number;
  /** k-NN accuracy after SimCLR-style training. */
  simclr: number;
  /** k-NN accuracy after NNCLR training. */
  nnclr: number;
  /** Linear-probe accuracy (MAE-CT protocol: BN + linear, SGD) of the untrained encoder, SimCLR and NNCLR. */
  linear: { random: number; simclr: number; nnclr: number };
  /** NNCLR neighbour accuracy (%) over the last 20 steps; chance is 10 %. */
  nnclrNeighbourAccuracy: number;
  /** SimCLR's NT-Xent loss at the last step. */
  lossSimclr: number;
  /** NNCLR's loss at the last step. */
  lossNnclr: number;
  /** Mean wall time (ms) of a SimCLR training step (evaluation excluded). */
  msPerStepSimclr: number;
  /** Mean wall time (ms) of an NNCLR training step (evaluation excluded). */
  msPerStepNnclr: number;
}

/** The experiment's report plus the raw measurements behind its tables and figures. */
export interface NnclrReport extends ExperimentReport<NnclrExperimentConfig> {
  /** The tfjs backend it ran on. */
  backend: string;
  /** k-NN accuracy (%) of raw pixels (no encoder; the same for every seed). */
  pixels: number;
  /** Linear-probe accuracy (%) of raw pixels. */
  pixelsLinear: number;
  seeds: NnclrSeedResult[];
  knnCurve: KnnPoint[];
  training: TrainingPoint[];
}

function checkConfig(c: NnclrExperimentConfig): void {
  const where = 'runNnclrExperiment';
  const int = (name: keyof NnclrExperimentConfig, v: number, min: number, max = Infinity) => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new RangeError(`${where}: config.${name} must be an integer in [${min}, ${max}], received ${v}`);
  };
  if (!Array.isArray(c.seeds) || c.seeds.length === 0 || !c.seeds.every(Number.isInteger))
    throw new RangeError(`${where}: config.seeds must be a non-empty list of integers, received ${c.seeds}`);
  int('steps', c.steps, 1);
  int('batchSize', c.batchSize, 2);
  int('trainImages', c.trainImages, 1);
  int('testImages', c.testImages, 1);
  int('labelled', c.labelled, 1, c.trainImages);
  int('knnK', c.knnK, 1, c.labelled);
  int('evalEvery', c.evalEvery, 1);
  int('queueSize', c.queueSize, 1);
  if (c.dataset !== 'shapes' && c.dataset !== 'cifar10')
    throw new RangeError(`${where}: config.dataset must be 'shapes' or 'cifar10', received '${c.dataset}'`);
  if (c.augmentation !== 'full' && c.augmentation !== 'shift')
    throw new RangeError(
      `${where}: config.augmentation must be 'full' or 'shift', received '${c.augmentation}'`,
    );
  const p = c.projectorUnits.at(-1);
  if (p !== c.predictorUnits.at(-1))
    throw new RangeError(
      `${where}: config.predictorUnits must end in ${p} (the projector's output), received [${c.predictorUnits}]`,
    );
}

/** The encoder f: Linear (no bias) → BN → ReLU → Linear, He-normal initialised from `seed`. */
function makeEncoder(c: NnclrExperimentConfig, seed: number, inputDim: number): tfl.LayersModel {
  // tfjs treats a seed of 0 as unseeded: offset by 1.
  const init = (s: number) => tfl.initializers.heNormal({ seed: s + 1 });
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: c.encoderUnits[0],
        inputShape: [inputDim],
        kernelInitializer: init(seed),
        useBias: false,
      }),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
      tfl.layers.dense({ units: c.encoderUnits[1], kernelInitializer: init(seed + 1) }),
    ],
  });
}

/** One training step of a method on a batch (the batch's tensors stay the caller's). */
interface Learner {
  step(batch: TwoViewBatch): Promise<{ loss: number; nnAccuracy?: number }>;
  dispose(): void;
}

/** NNCLR through the package's trainer: one-directional InfoNCE with nearest-neighbour positives. */
function nnclrLearner(
  c: NnclrExperimentConfig,
  seed: number,
  encoder: tfl.LayersModel,
  lr: (s: number) => number,
) {
  const dim = c.projectorUnits.at(-1) as number;
  const projector = new ProjectionHead({ units: c.projectorUnits, seed: seed + 10 });
  const predictor = new PredictionHead({ units: c.predictorUnits, seed: seed + 20 });
  const supportSet = new SupportSet({ size: c.queueSize, dim, seed: seed + 30 });
  const optimizer = new AdamW({ learningRate: 0, weightDecay: c.weightDecay });
  const trainer = new NnclrTrainer({
    encoder,
    projector,
    predictor,
    supportSet,
    optimizer,
    loss: { temperature: c.temperature },
    learningRate: lr,
  });
  return {
    step: (b: TwoViewBatch) => trainer.trainStepAsync(b),
    dispose: () => {
      projector.dispose();
      predictor.dispose();
      supportSet.dispose();
      optimizer.dispose();
    },
  } satisfies Learner;
}

/**
 * The SimCLR-style baseline (Chen et al. 2020): the same encoder and projector, the other view as
 * the positive and the rest of the batch as negatives (lightly `NTXentLoss`), no predictor, no queue.
 */
function simclrLearner(
  c: NnclrExperimentConfig,
  seed: number,
  encoder: tfl.LayersModel,
  lr: (s: number) => number,
) {
  const projector = new ProjectionHead({ units: c.projectorUnits, seed: seed + 10 });
  const optimizer = new AdamW({ learningRate: 0, weightDecay: c.weightDecay });
  let step = 0;
  return {
    step: async (b: TwoViewBatch) => {
      optimizer.learningRate = lr(step++);
      if (!projector.built) {
        tf.tidy(() => {
          projector.apply(encoder.apply(tf.slice(b.view0, 0, 2)) as tf.Tensor);
        });
      }
      const vars = [...encoder.trainableWeights, ...projector.trainableWeights].map(
        (w) => w.read() as tf.Variable,
      );
      const { value, grads } = tf.variableGrads(() => {
        const z = (v: tf.Tensor) =>
          projector.apply(encoder.apply(v, { training: true }), { training: true }) as tf.Tensor2D;
        return ntXentLoss(z(b.view0), z(b.view1), { temperature: c.temperature });
      }, vars);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      const loss = (await value.data())[0];
      value.dispose();
      return { loss };
    },
    dispose: () => {
      projector.dispose();
      optimizer.dispose();
    },
  } satisfies Learner;
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
/** Mean ± sample standard deviation, one decimal. */
const pm = (xs: number[]) => {
  const { mean, sd } = meanSd(xs);
  return `${mean.toFixed(1)} ± ${sd.toFixed(1)}`;
};

/**
 * Runs the experiment for a preset (or a full configuration) and returns its report: the k-NN
 * accuracy table (mean ± sd over seeds and per seed), the per-run table, and Vega-Lite figures of
 * k-NN accuracy over training per method, the final accuracies, the losses and NNCLR's neighbour
 * accuracy, all with their data inlined. Uses the current tfjs backend; leaves no tensors behind.
 */
export async function runNnclrExperiment(
  preset: Preset | NnclrExperimentConfig,
  onProgress: OnProgress = () => {},
  data: DataOptions = {},
): Promise<NnclrReport> {
  const c = typeof preset === 'string' ? NNCLR_PRESETS[preset] : preset;
  if (c == null)
    throw new RangeError(`runNnclrExperiment: preset must be 'quick' or 'full', received '${preset}'`);
  checkConfig(c);
  const timing: Record<string, number> = {};
  const t0 = performance.now();
  onProgress({ stage: 'data', step: 0, total: 1 });
  await yieldToEventLoop();
  const { train, test } =
    c.dataset === 'cifar10'
      ? await loadCifarDataset(c.trainImages, c.testImages, data)
      : {
          train: makeShapes(c.trainImages, c.dataSeeds.train),
          test: makeShapes(c.testImages, c.dataSeeds.test),
        };
  const dim = train.images[0].length;
  const view = c.dataset === 'cifar10' ? augmentColor : augment;
  const memory: Dataset = {
    images: train.images.slice(0, c.labelled),
    labels: train.labels.slice(0, c.labelled),
  };
  const xMemory = tf.tensor2d(stackImages(memory.images), [c.labelled, dim]);
  const xTest = tf.tensor2d(stackImages(test.images), [c.testImages, dim]);
  timing.data = performance.now() - t0;
  onProgress({ stage: 'data', step: 1, total: 1 });
  const knn = { k: c.knnK };
  /** k-NN accuracy in % (MAE-CT's weighted vote, T = 0.07) of test features against the labelled memory. */
  const knnPercent = async (memoryFeatures: tf.Tensor2D, testFeatures: tf.Tensor2D) => {
    const rows = async (t: tf.Tensor2D): Promise<Features> => ({
      data: (await t.data()) as Float32Array,
      n: t.shape[0],
      dim: t.shape[1],
    });
    const [a, b] = await Promise.all([rows(memoryFeatures), rows(testFeatures)]);
    return 100 * knnAccuracy(a, memory.labels, b, test.labels, knn);
  };
  /** Linear-probe accuracy in % (maect's `linearProbeAccuracy`: BN + linear, SGD, 50 epochs). */
  const linearPercent = async (memoryFeatures: tf.Tensor2D, testFeatures: tf.Tensor2D) => {
    const rows = async (t: tf.Tensor2D): Promise<Features> => ({
      data: (await t.data()) as Float32Array,
      n: t.shape[0],
      dim: t.shape[1],
    });
    const [a, b] = await Promise.all([rows(memoryFeatures), rows(testFeatures)]);
    return 100 * linearProbeAccuracy(a, memory.labels, b, test.labels, { seed: 0 });
  };
  let evalMs = 0;
  const evaluate = async (
    encoder: tfl.LayersModel,
    linear = false,
  ): Promise<{ knn: number; linear: number }> => {
    const te = performance.now();
    const a = encoder.predict(xMemory) as tf.Tensor2D;
    const b = encoder.predict(xTest) as tf.Tensor2D;
    try {
      return { knn: await knnPercent(a, b), linear: linear ? await linearPercent(a, b) : Number.NaN };
    } finally {
      tf.dispose([a, b]);
      evalMs += performance.now() - te;
    }
  };
  const seeds: NnclrSeedResult[] = [];
  const knnCurve: KnnPoint[] = [];
  const training: TrainingPoint[] = [];
  const every = Math.max(1, Math.floor(c.steps / 100));
  const lr = (step: number) =>
    warmupCosine(step, {
      peak: c.peakLearningRate,
      totalSteps: c.steps,
      warmupSteps: Math.round(c.steps / 10),
    });
  const trainMs: Record<NnclrMethod, number> = { SimCLR: 0, NNCLR: 0 };
  let pixels = Number.NaN;
  let pixelsLinear = Number.NaN;
  try {
    pixels = await knnPercent(xMemory, xTest);
    pixelsLinear = await linearPercent(xMemory, xTest);
    const run = async (method: NnclrMethod, seed: number) => {
      const encoder = makeEncoder(c, seed, dim);
      const learner = (method === 'NNCLR' ? nnclrLearner : simclrLearner)(c, seed, encoder, lr);
      const stage = `${method}, seed ${seed}`;
      const start = await evaluate(encoder, true);
      const curve: KnnPoint[] = [{ method, seed, step: 0, accuracy: start.knn }];
      let linear = Number.NaN;
      const window: { loss: number; nnAccuracy?: number }[] = [];
      const nnTail: number[] = [];
      let loss = Number.NaN;
      let stepMs = 0;
      let step = 0;
      try {
        // Batches depend on the seed only, so both methods see the same views.
        for (const b of twoViewBatches(train, {
          steps: c.steps,
          batchSize: c.batchSize,
          seed: seed + 40,
          augmentation: c.augmentation,
          view,
        })) {
          const ts = performance.now();
          let info: { loss: number; nnAccuracy?: number };
          try {
            info = await learner.step(b);
          } finally {
            tf.dispose([b.view0, b.view1]);
          }
          stepMs += performance.now() - ts;
          step++;
          loss = info.loss;
          window.push(info);
          if (info.nnAccuracy != null) nnTail.push(100 * info.nnAccuracy);
          if (nnTail.length > 20) nnTail.shift();
          if (step % every === 0 || step === c.steps) {
            const nn = window.filter((w) => w.nnAccuracy != null).map((w) => 100 * (w.nnAccuracy as number));
            training.push({
              method,
              seed,
              step,
              loss: mean(window.map((w) => w.loss)),
              ...(nn.length ? { neighbourAccuracy: mean(nn) } : {}),
            });
            window.length = 0;
          }
          if (step % c.evalEvery === 0 || step === c.steps) {
            const e = await evaluate(encoder, step === c.steps);
            curve.push({ method, seed, step, accuracy: e.knn });
            if (step === c.steps) linear = e.linear;
          }
          onProgress({
            stage,
            step,
            total: c.steps,
            info: { loss: round(loss, 3), kNN: `${(curve.at(-1) as KnnPoint).accuracy.toFixed(1)}%` },
          });
          await yieldToEventLoop();
        }
      } finally {
        learner.dispose();
        encoder.dispose();
      }
      trainMs[method] += stepMs;
      knnCurve.push(...curve);
      return {
        random: curve[0].accuracy,
        randomLinear: start.linear,
        linear,
        accuracy: (curve.at(-1) as KnnPoint).accuracy,
        loss,
        msPerStep: stepMs / c.steps,
        neighbourAccuracy: nnTail.length ? mean(nnTail) : Number.NaN,
      };
    };
    for (const seed of c.seeds) {
      const s = await run('SimCLR', seed);
      const n = await run('NNCLR', seed);
      seeds.push({
        seed,
        random: s.random,
        simclr: s.accuracy,
        nnclr: n.accuracy,
        linear: { random: s.randomLinear, simclr: s.linear, nnclr: n.linear },
        nnclrNeighbourAccuracy: n.neighbourAccuracy,
        lossSimclr: s.loss,
        lossNnclr: n.loss,
        msPerStepSimclr: s.msPerStep,
        msPerStepNnclr: n.msPerStep,
      });
    }
  } finally {
    tf.dispose([xMemory, xTest]);
  }
  timing.trainSimclr = trainMs.SimCLR;
  timing.trainNnclr = trainMs.NNCLR;
  timing.evaluation = evalMs;
  timing.total = performance.now() - t0;
  return nnclrReport(c, tf.getBackend(), pixels, pixelsLinear, seeds, knnCurve, training, timing);
}

/**
 * The report of measured runs; `runNnclrExperiment` ends with it, and the CLI's `--merge` rebuilds
 * one report from the reports of several processes (one per seed).
 */
export function nnclrReport(
  c: NnclrExperimentConfig,
  backend: string,
  pixels: number,
  pixelsLinear: number,
  seeds: NnclrSeedResult[],
  knnCurve: KnnPoint[],
  training: TrainingPoint[],
  timing: Record<string, number>,
): NnclrReport {
  const col = (k: 'random' | 'simclr' | 'nnclr') => seeds.map((s) => s[k]);
  const gain = (k: 'simclr' | 'nnclr') => seeds.map((s) => s[k] - s.random);
  const signed = (xs: number[]) => xs.map((x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`).join(', ');
  const n = seeds.length;
  const nnclrVsSimclr = seeds.map((s) => s.nnclr - s.simclr);
  const linearDiff = seeds.map((s) => s.linear.nnclr - s.linear.simclr);
  return {
    name: 'nnclr',
    title:
      c.dataset === 'cifar10'
        ? 'NNCLR vs SimCLR vs random features on CIFAR-10 (k-NN and linear-probe accuracy)'
        : 'NNCLR vs SimCLR vs random features (k-NN accuracy on shape images)',
    summary: `Dwibedi et al., NNCLR (ICCV 2021): using the nearest neighbour of a sample’s embedding in a support set of past embeddings as its positive, instead of its other augmented view (SimCLR), gives better self-supervised representations and depends less on augmentations. Here an MLP encoder is trained on ${c.dataset === 'cifar10' ? `${c.trainImages} CIFAR-10 training images (real photos, 16×16 RGB, SimCLR-style crop/flip/colour-jitter/grayscale views)` : 'deterministic 16×16 shape images (10 classes)'} with NNCLR (@paperstack/nnclr: support set, one-directional InfoNCE, projector and predictor) and with a SimCLR-style NT-Xent baseline from the same initialisation and the same batches, and its features are scored by weighted k-NN accuracy (k = ${c.knnK}, cosine, exp(s/0.07) votes, ${c.labelled} labelled images) and a linear probe against the untrained encoder and raw pixels.`,
    config: c,
    tables: [
      {
        title: `k-NN accuracy (%) on ${c.testImages} test images, mean ± sd over ${n} seed${n > 1 ? 's' : ''}`,
        columns: ['features', 'mean ± sd', ...seeds.map((s) => `seed ${s.seed}`)],
        rows: [
          ['raw pixels', pixels.toFixed(1), ...seeds.map(() => pixels.toFixed(1))],
          ['random (untrained) encoder', pm(col('random')), ...col('random').map((x) => x.toFixed(1))],
          ['SimCLR (NT-Xent, no neighbour)', pm(col('simclr')), ...col('simclr').map((x) => x.toFixed(1))],
          ['NNCLR', pm(col('nnclr')), ...col('nnclr').map((x) => x.toFixed(1))],
        ],
      },
      {
        title: 'Per run',
        columns: [
          'method',
          'seed',
          'k-NN accuracy (%)',
          'final loss',
          'neighbour accuracy, last 20 steps (%)',
          'ms/step',
        ],
        rows: seeds.flatMap((s) => [
          ['SimCLR', s.seed, round(s.simclr), round(s.lossSimclr), '', round(s.msPerStepSimclr, 3)],
          [
            'NNCLR',
            s.seed,
            round(s.nnclr),
            round(s.lossNnclr),
            round(s.nnclrNeighbourAccuracy, 3),
            round(s.msPerStepNnclr, 3),
          ],
        ]),
      },
      {
        title: `Linear-probe accuracy (%) on ${c.testImages} test images (BN + linear layer on ${c.labelled} labelled images, SGD 50 epochs), mean ± sd over ${n} seed${n > 1 ? 's' : ''}`,
        columns: ['features', 'mean ± sd', ...seeds.map((s) => `seed ${s.seed}`)],
        rows: [
          ['raw pixels', pixelsLinear.toFixed(1), ...seeds.map(() => pixelsLinear.toFixed(1))],
          ...(['random', 'simclr', 'nnclr'] as const).map((k) => [
            {
              random: 'random (untrained) encoder',
              simclr: 'SimCLR (NT-Xent, no neighbour)',
              nnclr: 'NNCLR',
            }[k],
            pm(seeds.map((s) => s.linear[k])),
            ...seeds.map((s) => s.linear[k].toFixed(1)),
          ]),
        ],
      },
    ],
    figures: nnclrFigures({ pixels, seeds, knnCurve, training }),
    timing,
    notes: [
      `SimCLR − random encoder: ${pm(gain('simclr'))} points of k-NN accuracy (per seed ${signed(gain('simclr'))}).`,
      `NNCLR − random encoder: ${pm(gain('nnclr'))} points (per seed ${signed(gain('nnclr'))}).`,
      `NNCLR − SimCLR: ${pm(nnclrVsSimclr)} points (per seed ${signed(nnclrVsSimclr)}).`,
      `Linear probe, NNCLR − SimCLR: ${pm(linearDiff)} points (per seed ${signed(linearDiff)}).`,
      `NNCLR’s support-set neighbour had the sample’s class for ${pm(seeds.map((s) => s.nnclrNeighbourAccuracy))} % of samples over the last 20 steps (chance: 10 %).`,
      `${c.steps} steps of batch ${c.batchSize} (${((c.steps * c.batchSize) / c.trainImages).toFixed(1)} epochs of ${c.trainImages} ${c.dataset === 'cifar10' ? 'CIFAR-10' : 'shape'} images), ${c.augmentation === 'full' ? 'full augmentations' : c.dataset === 'cifar10' ? 'crop and flip only' : 'translation only'}, on the ${backend} backend.`,
    ],
    backend,
    pixels,
    pixelsLinear,
    seeds,
    knnCurve,
    training,
  };
}
