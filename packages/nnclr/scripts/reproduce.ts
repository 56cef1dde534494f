// Reproduction at 2-core scale (issue 6, item 6): self-supervised NNCLR vs a SimCLR baseline vs
// random features on the deterministic "shapes" images, measured by k-NN accuracy of the encoder
// features, several seeds. Run from the repo root:
//   pnpm exec tsx packages/nnclr/scripts/reproduce.ts [--backend wasm|cpu] [--steps 400] [--seeds 0,1,2]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  AdamW,
  NnclrTrainer,
  ntXentLoss,
  PredictionHead,
  ProjectionHead,
  SupportSet,
  type TwoViewBatch,
  warmupCosine,
} from '../src/index';
import { Mulberry32 } from '../src/random';
import { augment, CLASSES, type Dataset, makeDataset, PIXELS } from './shapes';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const BACKEND = arg('backend', 'wasm');
const STEPS = Number(arg('steps', '400'));
const SEEDS = arg('seeds', '0,1,2').split(',').map(Number);
const OUT = arg('out', '');
const SHIFT_ONLY = arg('aug', 'full') === 'shift';
const BATCH = 128;
const QUEUE = 1024;
const TAU = 0.1;
const K = 20;

function encoder(seed: number): tfl.LayersModel {
  // tfjs treats a seed of 0 as unseeded: offset by 1.
  const init = (s: number) => tfl.initializers.heNormal({ seed: s + 1 });
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 256, inputShape: [PIXELS], kernelInitializer: init(seed), useBias: false }),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
      tfl.layers.dense({ units: 128, kernelInitializer: init(seed + 1) }),
    ],
  });
}

function batches(data: Dataset, seed: number): Iterable<TwoViewBatch> {
  const rng = new Mulberry32(seed);
  return (function* () {
    for (let s = 0; s < STEPS; s++) {
      const idx = Array.from({ length: BATCH }, () => rng.int(data.images.length));
      const v0 = new Float32Array(BATCH * PIXELS);
      const v1 = new Float32Array(BATCH * PIXELS);
      idx.forEach((j, i) => {
        v0.set(augment(data.images[j], rng, SHIFT_ONLY), i * PIXELS);
        v1.set(augment(data.images[j], rng, SHIFT_ONLY), i * PIXELS);
      });
      yield {
        view0: tf.tensor2d(v0, [BATCH, PIXELS]),
        view1: tf.tensor2d(v1, [BATCH, PIXELS]),
        ids: idx,
        labels: idx.map((j) => data.labels[j]),
      };
    }
  })();
}

/** Weighted k-NN (cosine, votes exp(s/0.07), k = 20; as MAE-CT / solo-learn) accuracy in %. */
function knnAccuracy(
  featTrain: tf.Tensor2D,
  yTrain: number[],
  featTest: tf.Tensor2D,
  yTest: number[],
): number {
  const { values, indices } = tf.tidy(() => {
    const a = tf.div(featTest, tf.norm(featTest, 'euclidean', 1, true));
    const b = tf.div(featTrain, tf.norm(featTrain, 'euclidean', 1, true));
    const top = tf.topk(tf.matMul(a, b, false, true), K);
    return { values: top.values.dataSync(), indices: top.indices.dataSync() };
  });
  let hit = 0;
  yTest.forEach((y, i) => {
    const votes = new Float64Array(CLASSES.length);
    for (let k = 0; k < K; k++) votes[yTrain[indices[i * K + k]]] += Math.exp(values[i * K + k] / 0.07);
    if (votes.indexOf(Math.max(...votes)) === y) hit++;
  });
  return (100 * hit) / yTest.length;
}

function features(model: tfl.LayersModel, data: Dataset): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.tensor2d(
      data.images.reduce(
        (acc, im, i) => {
          acc.set(im, i * PIXELS);
          return acc;
        },
        new Float32Array(data.images.length * PIXELS),
      ),
      [data.images.length, PIXELS],
    );
    return model.predict(x) as tf.Tensor2D;
  });
}

/** The labelled k-NN memory: the first LABELLED training images (balanced, 20 per class). */
const LABELLED = Number(arg('labelled', '200'));

function evaluate(model: tfl.LayersModel, all: Dataset, test: Dataset): number {
  const train = { images: all.images.slice(0, LABELLED), labels: all.labels.slice(0, LABELLED) };
  const a = features(model, train);
  const b = features(model, test);
  const acc = knnAccuracy(a, train.labels, b, test.labels);
  tf.dispose([a, b]);
  return acc;
}

function schedule(step: number): number {
  return warmupCosine(step, { peak: 2e-3, totalSteps: STEPS, warmupSteps: Math.round(STEPS / 10) });
}

async function trainNnclr(seed: number, train: Dataset) {
  const enc = encoder(seed);
  const projector = new ProjectionHead({ units: [256, 64], seed: seed + 10 });
  const predictor = new PredictionHead({ units: [256, 64], seed: seed + 20 });
  const supportSet = new SupportSet({ size: QUEUE, dim: 64, seed: seed + 30 });
  const optimizer = new AdamW({ learningRate: 0, weightDecay: 1e-4 });
  const trainer = new NnclrTrainer({
    encoder: enc,
    projector,
    predictor,
    supportSet,
    optimizer,
    loss: { temperature: TAU },
    learningRate: schedule,
  });
  const t0 = performance.now();
  const hist = await trainer.fit(batches(train, seed + 40));
  const ms = (performance.now() - t0) / hist.length;
  const tail = hist.slice(-20);
  const nnAcc = (100 * tail.reduce((s, h) => s + (h.nnAccuracy ?? 0), 0)) / tail.length;
  projector.dispose();
  predictor.dispose();
  supportSet.dispose();
  optimizer.dispose();
  return { enc, ms, loss: hist[hist.length - 1].loss, nnAcc };
}

async function trainSimclr(seed: number, train: Dataset) {
  const enc = encoder(seed);
  const projector = new ProjectionHead({ units: [256, 64], seed: seed + 10 });
  const optimizer = new AdamW({ learningRate: 0, weightDecay: 1e-4 });
  const t0 = performance.now();
  let step = 0;
  let loss = 0;
  for (const b of batches(train, seed + 40)) {
    optimizer.learningRate = schedule(step++);
    if (!projector.built) {
      tf.tidy(() => {
        projector.apply(enc.apply(tf.slice(b.view0, 0, 2)) as tf.Tensor);
      });
    }
    const vars = [...enc.trainableWeights, ...projector.trainableWeights].map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const z = (v: tf.Tensor) =>
        projector.apply(enc.apply(v, { training: true }), { training: true }) as tf.Tensor2D;
      return ntXentLoss(z(b.view0), z(b.view1), { temperature: TAU });
    }, vars);
    optimizer.applyGradients(grads);
    loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads), b.view0, b.view1]);
  }
  const ms = (performance.now() - t0) / step;
  projector.dispose();
  optimizer.dispose();
  return { enc, ms, loss };
}

async function main() {
  await tf.setBackend(BACKEND);
  await tf.ready();
  const train = makeDataset(2000, 1234);
  const test = makeDataset(1000, 5678);
  const pixels = (() => {
    const raw = tfl.sequential({
      layers: [tfl.layers.activation({ activation: 'linear', inputShape: [PIXELS] })],
    });
    const acc = evaluate(raw, train, test);
    raw.dispose();
    return acc;
  })();
  console.log(
    `backend ${tf.getBackend()}, ${STEPS} steps × batch ${BATCH}, queue ${QUEUE}, τ ${TAU}, augmentation ${SHIFT_ONLY ? 'shift only' : 'full'}; k-NN memory ${LABELLED} labelled; raw pixels k-NN ${pixels.toFixed(1)}%`,
  );
  const rows: Record<string, number>[] = [];
  for (const seed of SEEDS) {
    const rnd = encoder(seed);
    const random = evaluate(rnd, train, test);
    rnd.dispose();
    const s = await trainSimclr(seed, train);
    const simclr = evaluate(s.enc, train, test);
    s.enc.dispose();
    const n = await trainNnclr(seed, train);
    const nnclr = evaluate(n.enc, train, test);
    n.enc.dispose();
    const row = {
      seed,
      random,
      simclr,
      nnclr,
      nnclrNnAcc: n.nnAcc,
      msPerStepSimclr: s.ms,
      msPerStepNnclr: n.ms,
      lossSimclr: s.loss,
      lossNnclr: n.loss,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const mean = (k: string) => rows.reduce((a, r) => a + r[k], 0) / rows.length;
  const sd = (k: string) =>
    Math.sqrt(rows.reduce((a, r) => a + (r[k] - mean(k)) ** 2, 0) / Math.max(1, rows.length - 1));
  const fmt = (k: string) => `${mean(k).toFixed(1)} ± ${sd(k).toFixed(1)}`;
  console.log(
    `\n| features | k-NN accuracy (%, ${rows.length} seeds, mean ± sd) |\n|---|---|\n| raw pixels | ${pixels.toFixed(1)} |\n| random encoder | ${fmt('random')} |\n| SimCLR (NT-Xent) | ${fmt('simclr')} |\n| NNCLR | ${fmt('nnclr')} |`,
  );
  console.log(
    `ms/step: SimCLR ${mean('msPerStepSimclr').toFixed(1)}, NNCLR ${mean('msPerStepNnclr').toFixed(1)}; NNCLR nn-accuracy (last 20 steps) ${fmt('nnclrNnAcc')}`,
  );
  if (OUT)
    writeFileSync(
      OUT,
      JSON.stringify(
        { backend: tf.getBackend(), steps: STEPS, batch: BATCH, queue: QUEUE, tau: TAU, pixels, rows },
        null,
        2,
      ),
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
