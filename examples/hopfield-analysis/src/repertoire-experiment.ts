/**
 * Repertoire-style multiple-instance benchmark (paper §4, DeepRC): simulated repertoires (bags of
 * short sequences over 20 amino acids) where positive bags carry a motif in a small fraction of
 * their sequences (the witness rate). Sequence encoder: a learned 3-mer embedding summed over the
 * k-mer positions of a sequence, then tanh → instance features (a 4-letter motif shows up as two
 * 3-mers, so the encoder has to learn their conjunction against chance 3-mer hits); bag pooling: `StreamingHopfieldPooling`
 * (bounded memory over the bag) vs mean and max pooling; a linear head gives the bag logit.
 * Reported: test AUC vs witness rate and vs bag size.
 */
import {
  meanSd,
  permutation,
  rocAuc,
  round,
  uniform,
  VEGA_LITE_SCHEMA,
  type VegaLiteSpec,
  yieldToEventLoop,
} from '@paperstack/example-kit';
import { StreamingHopfieldPooling, type StreamingHopfieldPoolingArgs } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';
import type { Progress } from './regime-experiment';
import { encodeKmers, kmerPositions, simulateRepertoire } from './repertoire';

export type Pooling = 'hopfield' | 'mean' | 'max';

export interface RepertoireConfig {
  /** Witness rates of the first sweep (at `baseBagSize`). */
  witnessRates: number[];
  /** Bag sizes of the second sweep (at `baseWitnessRate`). */
  bagSizes: number[];
  baseBagSize: number;
  baseWitnessRate: number;
  /** Training bags per epoch (freshly simulated each epoch; half positive). */
  trainBags: number;
  /** Test bags (one fixed set per run; half positive). */
  testBags: number;
  epochs: number;
  /** Bags per training step. */
  batchSize: number;
  /** k of the k-mer embedding (20^k rows). */
  k: number;
  /** Instance feature size. */
  features: number;
  learningRate: number;
  /** Stored patterns per chunk of the streaming pooling. */
  chunkSize: number;
  motif: string;
  /** Adam step size of the Hopfield pooling's own weights (default `learningRate`/10). */
  hopfieldLearningRate?: number;
  /** Adam step size of the linear readout (default `learningRate`). */
  headLearningRate?: number;
  /** Options of the Hopfield pooling (merged over 1 head, hidden 8, `chunkSize`). */
  hopfield?: StreamingHopfieldPoolingArgs;
  poolings: Pooling[];
  seeds: number[];
  /** Record per-epoch gradient norms and the attention mass on witnesses (slower). */
  diagnostics?: boolean;
}

/**
 * The Hopfield pooling configuration of the presets, DeepRC-like (Widrich et al. 2020, §2: attention
 * logits from the instance embeddings and one learned query, values = the embeddings themselves):
 * stored and state patterns static (no W_K, W_Q: the logit of instance j is ξ·LN(x_j) with the learned
 * query ξ, β = 1), values the raw instance features (no W_V, no value LayerNorm, no output
 * projection). With hflayers' defaults instead (W_Q, W_K, W_V, W_O initialised at 0.02, LayerNorm on
 * the values), the bag vector is ~10⁻⁴ of the instance features, the encoder's gradient ~10⁻⁵ and the
 * attention never leaves uniform: training stalls at ln 2 (README, "Why it stalled").
 */
export const DEEPRC_POOLING: StreamingHopfieldPoolingArgs = {
  storedPatternAsStatic: true,
  statePatternAsStatic: true,
  normalizeStatePattern: false,
  normalizeStatePatternAffine: false,
  patternProjectionAsStatic: true,
  normalizePatternProjection: false,
  normalizePatternProjectionAffine: false,
  disableOutProjection: true,
};

/** The `quick` repertoire preset (see {@link REPERTOIRE_PRESETS}). */
const QUICK_REPERTOIRE: RepertoireConfig = {
  witnessRates: [0.02, 0.005],
  bagSizes: [250, 1000, 4000],
  baseBagSize: 1000,
  baseWitnessRate: 0.005,
  trainBags: 32,
  testBags: 32,
  epochs: 15,
  batchSize: 4,
  k: 3,
  features: 8,
  learningRate: 0.05,
  hopfieldLearningRate: 0.05,
  hopfield: DEEPRC_POOLING,
  chunkSize: 4096,
  motif: 'GLYW',
  poolings: ['hopfield', 'mean', 'max'],
  seeds: [1, 2, 3],
};

/**
 * quick: ≈ 1 min on 2 cores (bags of 250–4000, 3 seeds). medium: bags of 10⁴–3·10⁴, 3 seeds (17 min).
 * full: the DeepRC-like scale (bags of 10⁴–10⁵, 3 seeds), hours on 2 cores.
 */
export const REPERTOIRE_PRESETS: Record<'quick' | 'medium' | 'full', RepertoireConfig> = {
  quick: QUICK_REPERTOIRE,
  medium: {
    ...QUICK_REPERTOIRE,
    witnessRates: [0.01, 0.002, 0.001],
    bagSizes: [10000, 30000],
    baseBagSize: 10000,
    baseWitnessRate: 0.01,
    batchSize: 2,
    chunkSize: 8192,
  },
  full: {
    ...QUICK_REPERTOIRE,
    witnessRates: [0.01, 0.001, 0.0002],
    bagSizes: [10000, 100000],
    baseBagSize: 10000,
    baseWitnessRate: 0.001,
    trainBags: 64,
    testBags: 64,
    epochs: 10,
    batchSize: 2,
    chunkSize: 8192,
  },
};

/** What one epoch of training looked like (with `diagnostics: true`). */
export interface EpochDiagnostics {
  epoch: number;
  loss: number;
  /** Mean L2 norm of the gradient per step, per parameter group. */
  gradNorm: { encoder: number; pooling: number; head: number };
  /** Hopfield pooling only: mean softmax mass on the witnesses of the test set's positive bags. */
  witnessMass?: number;
  /** The witness rate (= the witness mass of uniform attention, i.e. of mean pooling). */
  uniformMass: number;
  /** Mean test logit of positive minus negative bags, and its ratio to their pooled sd. */
  logitGap: number;
  logitSeparation: number;
}

export interface RepertoireRow {
  sweep: 'witness rate' | 'bag size';
  pooling: Pooling;
  witnessRate: number;
  bagSize: number;
  /** Implanted witnesses per positive bag. */
  witnesses: number;
  seed: number;
  auc: number;
  trainMs: number;
  /** Mean training loss (sigmoid cross-entropy) per epoch. */
  trainLoss: number[];
  diagnostics?: EpochDiagnostics[];
}

export interface RepertoireResult {
  config: RepertoireConfig;
  rows: RepertoireRow[];
  /** Mean AUC over seeds per (sweep, pooling, witness rate, bag size). */
  table: {
    sweep: string;
    pooling: Pooling;
    witnessRate: number;
    bagSize: number;
    witnesses: number;
    meanAuc: number;
    /** Sample standard deviation of the AUC over seeds (null for a single run). */
    sdAuc: number | null;
    runs: number;
  }[];
  specs: { aucVsWitnessRate: VegaLiteSpec; aucVsBagSize: VegaLiteSpec };
  timings: { totalMs: number };
}

/** One encoded bag: k-mer indices `[N · P]` and the implanted witnesses. */
interface Bag {
  tokens: Int32Array;
  witnessIndices: Int32Array;
}

interface Bags {
  get(i: number): Bag;
  labels: number[];
  witnesses: number;
  /** k-mer positions per sequence. */
  positions: number;
}

function makeBags(c: RepertoireConfig, N: number, w: number, n: number, seed: number, split: number): Bags {
  const labels = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const sim = { numSequences: N, witnessRate: w, motif: c.motif };
  const gen = (i: number): Bag => {
    const r = simulateRepertoire(seed * 1_000_003 + split * 100_003 + i, labels[i] === 1, sim);
    return { tokens: encodeKmers(r, c.k).indices, witnessIndices: r.witnessIndices };
  };
  const positions = kmerPositions(16, c.k);
  const bytes = n * N * positions * 4;
  const cache = bytes <= 256 * 2 ** 20 ? Array.from({ length: n }, (_, i) => gen(i)) : null;
  return {
    get: (i) => (cache ? cache[i] : gen(i)),
    labels,
    witnesses: Math.max(1, Math.round(w * N)),
    positions,
  };
}

/** One model: k-mer embedding → per-sequence sum, tanh → bag pooling → linear. */
class MilModel {
  readonly emb: tf.Variable;
  readonly head: tf.Variable;
  readonly bias: tf.Variable;
  readonly hopfield: StreamingHopfieldPooling | null = null;
  /** The Hopfield pooling's weights (trained with their own step size). */
  readonly poolingVars: tf.Variable[] = [];

  constructor(
    readonly c: RepertoireConfig,
    readonly pooling: Pooling,
    seed: number,
  ) {
    const F = c.features;
    const own = (init: tf.Tensor) => {
      const v = tf.variable(init);
      init.dispose();
      return v;
    };
    this.emb = own(tf.randomNormal([20 ** c.k + 1, F], 0, 0.1, 'float32', seed));
    this.head = own(tf.randomNormal([F, 1], 0, 1 / Math.sqrt(F), 'float32', seed + 1));
    this.bias = own(tf.zeros([1]));
    if (pooling === 'hopfield') {
      this.hopfield = new StreamingHopfieldPooling({
        inputSize: F,
        hiddenSize: F,
        numHeads: 1,
        chunkSize: c.chunkSize,
        seed: seed + 2,
        ...c.hopfield,
      });
      const hop = this.hopfield;
      tf.tidy(() => {
        hop.apply(tf.zeros([1, 2, F]));
      });
      for (const v of this.hopfield.trainableWeights) this.poolingVars.push(v.read() as tf.Variable);
    }
  }

  /** Instance features `[B, N, F]` from k-mer indices `[B, N, P]`. */
  instances(idx: tf.Tensor3D): tf.Tensor3D {
    const [B, N, P] = idx.shape;
    const e = tf.reshape(tf.gather(this.emb, tf.reshape(idx, [-1])), [B, N, P, this.c.features]);
    // Sum, not max, over positions: tfjs' max gradient is a broadcast Equal over the whole
    // [B, N, P, F] tensor, 10× slower than the rest of the step on wasm.
    return tf.tanh(tf.sum(e, 2)) as tf.Tensor3D;
  }

  /** Bag logits `[B]` from k-mer indices `[B, N, P]`. */
  logits(idx: tf.Tensor3D): tf.Tensor1D {
    const inst = this.instances(idx);
    let bag: tf.Tensor;
    if (this.pooling === 'mean') bag = tf.mean(inst, 1);
    else if (this.pooling === 'max') bag = tf.max(inst, 1);
    else bag = this.hopfield!.apply(inst) as tf.Tensor;
    return tf.reshape(tf.add(tf.matMul(bag, this.head), this.bias), [idx.shape[0]]) as tf.Tensor1D;
  }

  /** Softmax weights `[B, N]` of the Hopfield pooling (the plain, unchunked computation). */
  attention(idx: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(
      () =>
        tf.reshape(this.hopfield!.associationMatrix(this.instances(idx)), [idx.shape[0], -1]) as tf.Tensor2D,
    );
  }

  dispose() {
    tf.dispose([this.emb, this.head, this.bias]);
    this.hopfield?.dispose();
  }
}

function stack(bags: Bags, ids: number[], N: number): tf.Tensor3D {
  const P = bags.positions;
  const buf = new Int32Array(ids.length * N * P);
  ids.forEach((id, j) => {
    buf.set(bags.get(id).tokens, j * N * P);
  });
  return tf.tensor3d(buf, [ids.length, N, P], 'int32');
}

/** Squared L2 norm of a list of tensors, as a scalar tensor (0 for an empty list); not read here. */
function squaredNorm(ts: tf.Tensor[]): tf.Scalar {
  if (ts.length === 0) return tf.scalar(0);
  return tf.tidy(() => tf.addN(ts.map((t) => tf.sum(tf.square(t)))) as tf.Scalar);
}

async function trainAndScore(c: RepertoireConfig, pooling: Pooling, N: number, w: number, seed: number) {
  const test = makeBags(c, N, w, c.testBags, seed, 1);
  const model = new MilModel(c, pooling, seed * 7919 + 17);
  const opt = tf.train.adam(c.learningRate);
  const headOpt = tf.train.adam(c.headLearningRate ?? c.learningRate);
  const poolOpt = tf.train.adam(c.hopfieldLearningRate ?? c.learningRate / 10);
  const rand = uniform(seed + 4242);
  let trainMs = 0;
  let witnesses = 0;
  const trainLoss: number[] = [];
  const diagnostics: EpochDiagnostics[] = [];

  // Every read below is asynchronous (webgpu in Node has no synchronous reads).
  // Test logits of all batches, read at once.
  const score = async () => {
    const logits: tf.Tensor1D[] = [];
    for (let s = 0; s < c.testBags; s += c.batchSize) {
      const ids = Array.from({ length: Math.min(c.batchSize, c.testBags - s) }, (_, j) => s + j);
      const x = stack(test, ids, N);
      logits.push(tf.tidy(() => model.logits(x)));
      x.dispose();
    }
    const all = tf.concat(logits);
    const scores = Array.from(await all.data());
    tf.dispose([all, ...logits]);
    return scores;
  };
  const witnessMass = async () => {
    let mass = 0;
    let bags = 0;
    for (let i = 0; i < c.testBags; i++) {
      if (test.labels[i] !== 1) continue;
      const x = stack(test, [i], N);
      const a = model.attention(x);
      const p = await a.data();
      for (const j of test.get(i).witnessIndices) mass += p[j];
      bags++;
      tf.dispose([x, a]);
    }
    return mass / bags;
  };

  for (let epoch = 0; epoch < c.epochs; epoch++) {
    const t0 = performance.now();
    // Fresh simulated training bags every epoch (split 2 + epoch): with a fixed set of a few dozen
    // bags the 20^k-row embedding memorises each bag's chance k-mers instead of finding the motif.
    const train = makeBags(c, N, w, c.trainBags, seed, 2 + epoch);
    witnesses = train.witnesses;
    // Class-balanced steps (half positive, half negative bags; even bags are the positives): with
    // random pairs, a step of two positives or two negatives pushes every k-mer row and the bias the
    // same way, and that common-mode swing swamps the witnesses' signal (measured: README).
    const half = c.trainBags / 2;
    const pos = permutation(rand, half);
    const neg = permutation(rand, half);
    const per = Math.max(1, c.batchSize / 2);
    const order = new Int32Array(c.trainBags);
    for (let i = 0, o = 0; i < half; i += per) {
      for (let j = i; j < Math.min(i + per, half); j++) order[o++] = 2 * pos[j];
      for (let j = i; j < Math.min(i + per, half); j++) order[o++] = 2 * neg[j] + 1;
    }
    // Per step: the loss and (with diagnostics) the squared gradient norms of the three parts stay
    // on the device; they are read once per epoch and summed in step order.
    const losses: tf.Scalar[] = [];
    const sizes: number[] = [];
    const squaredNorms: tf.Scalar[] = [];
    for (let s = 0; s < order.length; s += c.batchSize) {
      const ids = Array.from(order.subarray(s, s + c.batchSize));
      const x = stack(train, ids, N);
      const y = tf.tensor1d(ids.map((i) => train.labels[i]));
      const all = [model.emb, model.head, model.bias, ...model.poolingVars];
      const { value, grads } = tf.variableGrads(
        () => tf.losses.sigmoidCrossEntropy(y, model.logits(x)) as tf.Scalar,
        all,
      );
      if (c.diagnostics) {
        const of = (vs: tf.Variable[]) => squaredNorm(vs.map((v) => grads[v.name]));
        squaredNorms.push(of([model.emb]), of(model.poolingVars), of([model.head, model.bias]));
      }
      const named = (vs: tf.Variable[]) => vs.map((v) => ({ name: v.name, tensor: grads[v.name] }));
      opt.applyGradients(named([model.emb]));
      headOpt.applyGradients(named([model.head, model.bias]));
      if (model.poolingVars.length > 0) poolOpt.applyGradients(named(model.poolingVars));
      losses.push(value);
      sizes.push(ids.length);
      tf.dispose([x, y, ...Object.values(grads)]);
    }
    const steps = losses.length;
    const read = tf.stack([...losses, ...squaredNorms]);
    const values = await read.data();
    tf.dispose([read, ...losses, ...squaredNorms]);
    let epochLoss = 0;
    const norms = { encoder: 0, pooling: 0, head: 0 };
    for (let i = 0; i < steps; i++) {
      epochLoss += values[i] * sizes[i];
      if (c.diagnostics) {
        norms.encoder += Math.sqrt(values[steps + 3 * i]);
        norms.pooling += Math.sqrt(values[steps + 3 * i + 1]);
        norms.head += Math.sqrt(values[steps + 3 * i + 2]);
      }
    }
    trainLoss.push(epochLoss / c.trainBags);
    trainMs += performance.now() - t0;
    if (c.diagnostics) {
      const scores = await score();
      const pos = scores.filter((_, i) => test.labels[i] === 1);
      const neg = scores.filter((_, i) => test.labels[i] === 0);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = (xs: number[]) => Math.sqrt(mean(xs.map((v) => (v - mean(xs)) ** 2)));
      const gap = mean(pos) - mean(neg);
      diagnostics.push({
        epoch: epoch + 1,
        loss: round(trainLoss[epoch]),
        gradNorm: {
          encoder: round(norms.encoder / steps, 3),
          pooling: round(norms.pooling / steps, 3),
          head: round(norms.head / steps, 3),
        },
        witnessMass: pooling === 'hopfield' ? round(await witnessMass(), 3) : undefined,
        uniformMass: round(test.witnesses / N, 3),
        logitGap: round(gap, 3),
        logitSeparation: round(gap / Math.sqrt((sd(pos) ** 2 + sd(neg) ** 2) / 2), 3),
      });
    }
    await yieldToEventLoop();
  }
  const scores = await score();
  opt.dispose();
  headOpt.dispose();
  poolOpt.dispose();
  model.dispose();
  return {
    auc: rocAuc(test.labels, scores),
    trainMs,
    witnesses,
    trainLoss,
    ...(c.diagnostics ? { diagnostics } : {}),
  };
}

/**
 * Runs the witness-rate sweep (at `baseBagSize`) and the bag-size sweep (at `baseWitnessRate`) for
 * every pooling and seed. Returns plain data: config, per-run rows, the mean table and Vega-Lite specs.
 */
export async function runRepertoireExperiment(
  preset: 'quick' | 'medium' | 'full' | RepertoireConfig = 'quick',
  onProgress?: Progress,
): Promise<RepertoireResult> {
  const c = typeof preset === 'string' ? REPERTOIRE_PRESETS[preset] : preset;
  if (c == null)
    throw new Error(
      `runRepertoireExperiment: preset expected 'quick' | 'full' or a config, received ${String(preset)}`,
    );
  const t0 = performance.now();
  const jobs: { sweep: RepertoireRow['sweep']; N: number; w: number }[] = [
    ...c.witnessRates.map((w) => ({ sweep: 'witness rate' as const, N: c.baseBagSize, w })),
    ...c.bagSizes.map((N) => ({ sweep: 'bag size' as const, N, w: c.baseWitnessRate })),
  ];
  const total = jobs.length * c.poolings.length * c.seeds.length;
  const rows: RepertoireRow[] = [];
  const done = new Map<string, RepertoireRow>();
  for (const job of jobs) {
    for (const pooling of c.poolings) {
      for (const seed of c.seeds) {
        const key = `${pooling}/${job.N}/${job.w}/${seed}`;
        const prev = done.get(key);
        const r = prev
          ? {
              auc: prev.auc,
              trainMs: prev.trainMs,
              witnesses: prev.witnesses,
              trainLoss: prev.trainLoss,
              diagnostics: prev.diagnostics,
            }
          : await trainAndScore(c, pooling, job.N, job.w, seed);
        const row: RepertoireRow = {
          sweep: job.sweep,
          pooling,
          witnessRate: job.w,
          bagSize: job.N,
          witnesses: r.witnesses,
          seed,
          auc: r.auc,
          trainMs: r.trainMs,
          trainLoss: r.trainLoss,
          ...(r.diagnostics ? { diagnostics: r.diagnostics } : {}),
        };
        done.set(key, row);
        rows.push(row);
        onProgress?.(
          `${pooling} pooling, bag ${job.N}, witness rate ${job.w} (${r.witnesses} witnesses), seed ${seed}: AUC ${r.auc.toFixed(3)}`,
          rows.length / total,
        );
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const groups = new Map<string, RepertoireRow[]>();
  for (const r of rows) {
    const key = `${r.sweep}|${r.pooling}|${r.witnessRate}|${r.bagSize}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const table = [...groups.values()].map((g) => ({
    sweep: g[0].sweep,
    pooling: g[0].pooling,
    witnessRate: g[0].witnessRate,
    bagSize: g[0].bagSize,
    witnesses: g[0].witnesses,
    meanAuc: mean(g.map((r) => r.auc)),
    sdAuc: g.length > 1 ? meanSd(g.map((r) => r.auc)).sd : null,
    runs: g.length,
  }));
  const chart = (sweep: string, field: string, title: string) => ({
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: table.filter((t) => t.sweep === sweep) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field, type: 'quantitative', scale: { type: 'log' } },
      y: {
        field: 'meanAuc',
        type: 'quantitative',
        title: 'test AUC (mean over seeds)',
        scale: { domain: [0, 1] },
      },
      color: { field: 'pooling', type: 'nominal' },
      tooltip: [
        { field: 'pooling' },
        { field: field },
        { field: 'witnesses' },
        { field: 'meanAuc' },
        { field: 'sdAuc' },
      ],
    },
  });
  return {
    config: c,
    rows,
    table,
    specs: {
      aucVsWitnessRate: chart(
        'witness rate',
        'witnessRate',
        `Test AUC vs witness rate (bags of ${c.baseBagSize})`,
      ),
      aucVsBagSize: chart('bag size', 'bagSize', `Test AUC vs bag size (witness rate ${c.baseWitnessRate})`),
    },
    timings: { totalMs: performance.now() - t0 },
  };
}
