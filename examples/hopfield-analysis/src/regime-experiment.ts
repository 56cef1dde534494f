/**
 * Paper §3 (Fig. 2–3) at small scale: a transformer whose self-attention is `Hopfield` layers is
 * trained on a sequence task, and the distribution of k (patterns needed for 90% of the softmax
 * mass, per head) is tracked per layer during training with `analyzeRegimesAsync`.
 *
 * Task ("previous token"): the target at position i is the token at position i−1 (cyclically).
 * Solving it needs each position to retrieve one specific other position — a fixed point near a
 * single stored pattern in the paper's terms — while the untrained model (tiny projections, so
 * near-uniform softmax) starts in global averaging. Which layer and head move where is measured.
 */

import { randInt, uniform, VEGA_LITE_SCHEMA, type VegaLiteSpec } from '@paperstack/example-kit';
import { analyzeRegimesAsync, Hopfield, type Regime } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';

export type RegimeTask = 'previous-token' | 'duplicate' | 'pointer-chase';

export interface RegimeConfig {
  /**
   * 'previous-token': the target at i is the token at i−1 (one specific position to retrieve).
   * 'duplicate': the target at i is 1 when token i occurs elsewhere in the sequence, else 0
   * (averaging over the positions holding the same token, a subset of the patterns).
   * 'pointer-chase': tokens are positions (`vocab` = `seqLen`); the target at i is x[x[x[i]]] — the
   * token at the position that the token at position x[i] points to: two retrievals in sequence
   * (x[i] is known locally; x[x[i]] needs one lookup, x[x[x[i]]] a second), so at least two layers
   * must each find one specific position. Default 'previous-token'.
   */
  task?: RegimeTask;
  steps: number;
  evalEvery: number;
  seqLen: number;
  vocab: number;
  dModel: number;
  numHeads: number;
  numLayers: number;
  batchSize: number;
  evalBatch: number;
  learningRate: number;
  seed: number;
}

export const REGIME_PRESETS: Record<'quick' | 'full', RegimeConfig> = {
  quick: {
    steps: 240,
    evalEvery: 20,
    seqLen: 16,
    vocab: 8,
    dModel: 32,
    numHeads: 2,
    numLayers: 2,
    batchSize: 32,
    evalBatch: 64,
    learningRate: 3e-3,
    seed: 1,
  },
  full: {
    steps: 2000,
    evalEvery: 100,
    seqLen: 32,
    vocab: 16,
    dModel: 64,
    numHeads: 4,
    numLayers: 4,
    batchSize: 32,
    evalBatch: 128,
    learningRate: 1e-3,
    seed: 1,
  },
};

/** One (evaluation step, layer, head): the k statistics of that head on the evaluation batch. */
export interface RegimeRow {
  step: number;
  layer: number;
  head: number;
  meanK: number;
  medianK: number;
  regime: Regime;
  loss: number;
  accuracy: number;
}

export interface KHistogramRow {
  phase: 'start' | 'end';
  layer: number;
  k: number;
  /** Fraction of the layer's (head, query) rows with this k. */
  fraction: number;
}

export interface RegimeResult {
  config: RegimeConfig;
  rows: RegimeRow[];
  histograms: KHistogramRow[];
  final: { layer: number; head: number; medianK: number; meanK: number; regime: Regime }[];
  finalLoss: number;
  finalAccuracy: number;
  specs: { kOverTraining: VegaLiteSpec; kDistribution: VegaLiteSpec; training: VegaLiteSpec };
  timings: { totalMs: number; trainMs: number; analysisMs: number };
}

export type Progress = (message: string, fraction: number) => void;

function batch(rand: () => number, n: number, L: number, V: number, task: RegimeTask) {
  const x = new Int32Array(n * L);
  const y = new Int32Array(n * L);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < L; i++) x[b * L + i] = randInt(rand, V);
    for (let i = 0; i < L; i++) {
      if (task === 'previous-token') y[b * L + i] = x[b * L + ((i + L - 1) % L)];
      else if (task === 'pointer-chase') y[b * L + i] = x[b * L + x[b * L + x[b * L + i]]];
      else {
        let dup = 0;
        for (let j = 0; j < L; j++) if (j !== i && x[b * L + j] === x[b * L + i]) dup = 1;
        y[b * L + i] = dup;
      }
    }
  }
  return { x, y };
}

/** A pre-norm transformer whose attention is `Hopfield` self-association (paper Eq. 10 / §3). */
class HopfieldTransformer {
  readonly attn: Hopfield[] = [];
  readonly vars: tf.Variable[] = [];
  private readonly tok: tf.Variable;
  private readonly pos: tf.Variable;
  private readonly ffn: { w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable }[] = [];
  private readonly out: tf.Variable;

  constructor(readonly c: RegimeConfig) {
    const { dModel: D, vocab: V, seqLen: L, seed } = c;
    const v = (shape: number[], std: number, s: number) => {
      const init = tf.randomNormal(shape, 0, std, 'float32', seed * 1000 + s);
      const t = tf.variable(init);
      init.dispose();
      this.vars.push(t);
      return t;
    };
    const z = (shape: number[]) => {
      const init = tf.zeros(shape);
      const t = tf.variable(init);
      init.dispose();
      this.vars.push(t);
      return t;
    };
    this.tok = v([V, D], 1, 1);
    this.pos = v([L, D], 1, 2);
    for (let l = 0; l < c.numLayers; l++) {
      this.attn.push(
        new Hopfield({
          inputSize: D,
          hiddenSize: D / c.numHeads,
          numHeads: c.numHeads,
          seed: seed * 100 + l,
        }),
      );
      this.ffn.push({
        w1: v([D, 2 * D], Math.sqrt(2 / D), 10 + l),
        b1: z([2 * D]),
        w2: v([2 * D, D], Math.sqrt(1 / (2 * D)), 20 + l),
        b2: z([D]),
      });
    }
    this.out = v([D, V], Math.sqrt(1 / D), 3);
    // Build the Hopfield layers once so their weights exist.
    tf.tidy(() => {
      let h = tf.zeros([1, L, D]);
      for (const a of this.attn) h = a.apply(h) as tf.Tensor;
    });
    for (const a of this.attn) for (const w of a.trainableWeights) this.vars.push(w.read() as tf.Variable);
  }

  /** Logits `[B, L, V]`; `inputs` collects each attention layer's input (for the analysis). */
  forward(x: tf.Tensor2D, inputs?: tf.Tensor[]): tf.Tensor {
    const { dModel: D } = this.c;
    const [B, L] = x.shape;
    let h: tf.Tensor = tf.add(tf.gather(this.tok, tf.reshape(x, [-1])), tf.tile(this.pos, [B, 1]));
    h = tf.reshape(h, [B, L, D]);
    for (let l = 0; l < this.attn.length; l++) {
      if (inputs) inputs.push(tf.keep(h));
      h = tf.add(h, this.attn[l].apply(h) as tf.Tensor);
      const f = this.ffn[l];
      const { mean, variance } = tf.moments(h, -1, true);
      const n = tf.reshape(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), [B * L, D]);
      const u = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(n, f.w1), f.b1)), f.w2), f.b2);
      h = tf.add(h, tf.reshape(u, [B, L, D]));
    }
    return tf.reshape(tf.matMul(tf.reshape(h, [B * L, D]), this.out), [B, L, this.c.vocab]);
  }

  dispose() {
    for (const a of this.attn) a.dispose();
    tf.dispose([this.tok, this.pos, this.out, ...this.ffn.flatMap((f) => [f.w1, f.b1, f.w2, f.b2])]);
  }
}

function lossAndAccuracy(logits: tf.Tensor, y: tf.Tensor2D) {
  const V = logits.shape[2] as number;
  const flat = tf.reshape(logits, [-1, V]);
  const labels = tf.oneHot(tf.reshape(y, [-1]), V);
  const loss = tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(flat)), -1)));
  const acc = tf.mean(tf.cast(tf.equal(tf.argMax(flat, -1), tf.reshape(y, [-1])), 'float32'));
  return { loss, acc };
}

/**
 * Trains the Hopfield transformer and returns the per-layer, per-head k statistics over training,
 * the k distributions per layer at the start and the end, and Vega-Lite specs of both.
 */
export async function runRegimeExperiment(
  preset: 'quick' | 'full' | RegimeConfig = 'quick',
  onProgress?: Progress,
): Promise<RegimeResult> {
  const config = typeof preset === 'string' ? REGIME_PRESETS[preset] : preset;
  if (config == null)
    throw new Error(
      `runRegimeExperiment: preset expected 'quick' | 'full' or a config, received ${String(preset)}`,
    );
  if (config.dModel % config.numHeads !== 0) {
    throw new Error(
      `runRegimeExperiment: dModel (${config.dModel}) must be divisible by numHeads (${config.numHeads})`,
    );
  }
  const task = config.task ?? 'previous-token';
  if (task !== 'previous-token' && task !== 'duplicate' && task !== 'pointer-chase') {
    throw new Error(
      `runRegimeExperiment: task expected 'previous-token' | 'duplicate' | 'pointer-chase', received ${String(task)}`,
    );
  }
  if (task === 'pointer-chase' && config.vocab !== config.seqLen) {
    throw new Error(
      `runRegimeExperiment: task 'pointer-chase' expects vocab equal to seqLen (tokens are positions), received vocab ${config.vocab} and seqLen ${config.seqLen}`,
    );
  }
  const t0 = performance.now();
  let analysisMs = 0;
  const rand = uniform(config.seed);
  const model = new HopfieldTransformer(config);
  const optimizer = tf.train.adam(config.learningRate);
  const evalData = batch(uniform(config.seed + 999), config.evalBatch, config.seqLen, config.vocab, task);
  const ex = tf.tensor2d(evalData.x, [config.evalBatch, config.seqLen], 'int32');
  const ey = tf.tensor2d(evalData.y, [config.evalBatch, config.seqLen], 'int32');
  const rows: RegimeRow[] = [];
  const histograms: KHistogramRow[] = [];

  // Reads only asynchronously (webgpu in Node has no synchronous reads): loss and accuracy in one
  // read, then one read per layer's association matrix.
  const evaluate = async (step: number) => {
    const a0 = performance.now();
    const inputs: tf.Tensor[] = [];
    const metrics = tf.tidy(() => {
      const { loss, acc } = lossAndAccuracy(model.forward(ex, inputs), ey);
      return tf.stack([loss, acc]);
    });
    const [loss, accuracy] = await metrics.data();
    metrics.dispose();
    for (const [l, layer] of model.attn.entries()) {
      const xi = layer.associationMatrix(inputs[l]);
      const r = await analyzeRegimesAsync(xi);
      tf.dispose(xi);
      for (const h of r.heads) {
        rows.push({
          step,
          layer: l + 1,
          head: h.head + 1,
          meanK: h.meanK,
          medianK: h.medianK,
          regime: h.regime,
          loss,
          accuracy,
        });
      }
      if (step === 0 || step === config.steps) {
        const total = r.heads.reduce((s, h) => s + h.k.length, 0);
        for (let k = 1; k <= r.numPatterns; k++) {
          const count = r.heads.reduce((s, h) => s + h.histogram[k], 0);
          histograms.push({ phase: step === 0 ? 'start' : 'end', layer: l + 1, k, fraction: count / total });
        }
      }
    }
    tf.dispose(inputs);
    analysisMs += performance.now() - a0;
    return { loss, accuracy };
  };

  await evaluate(0);
  let last = { loss: Number.NaN, accuracy: Number.NaN };
  for (let step = 1; step <= config.steps; step++) {
    const d = batch(rand, config.batchSize, config.seqLen, config.vocab, task);
    tf.tidy(() => {
      const x = tf.tensor2d(d.x, [config.batchSize, config.seqLen], 'int32');
      const y = tf.tensor2d(d.y, [config.batchSize, config.seqLen], 'int32');
      optimizer.minimize(() => lossAndAccuracy(model.forward(x), y).loss as tf.Scalar, false, model.vars);
    });
    if (step % config.evalEvery === 0 || step === config.steps) {
      last = await evaluate(step);
      onProgress?.(
        `step ${step}/${config.steps}: loss ${last.loss.toFixed(3)}, acc ${last.accuracy.toFixed(3)}`,
        step / config.steps,
      );
      await tf.nextFrame();
    }
  }
  tf.dispose([ex, ey]);
  optimizer.dispose();
  model.dispose();
  const totalMs = performance.now() - t0;
  const final = rows
    .filter((r) => r.step === config.steps)
    .map(({ layer, head, medianK, meanK, regime }) => ({ layer, head, medianK, meanK, regime }));
  return {
    config,
    rows,
    histograms,
    final,
    finalLoss: last.loss,
    finalAccuracy: last.accuracy,
    specs: regimeSpecs(rows, histograms, config),
    timings: { totalMs, trainMs: totalMs - analysisMs, analysisMs },
  };
}

function regimeSpecs(rows: RegimeRow[], histograms: KHistogramRow[], c: RegimeConfig) {
  const series = rows.map((r) => ({ ...r, series: `layer ${r.layer} head ${r.head}` }));
  const kOverTraining = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Mean k (patterns for 90% of the softmax mass, of ${c.seqLen}) per head over training`,
    data: { values: series },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step' },
      y: { field: 'meanK', type: 'quantitative', title: 'mean k', scale: { domain: [1, c.seqLen] } },
      color: { field: 'series', type: 'nominal', title: 'head' },
      strokeDash: { field: 'layer', type: 'nominal' },
      tooltip: [{ field: 'series' }, { field: 'step' }, { field: 'meanK' }, { field: 'regime' }],
    },
  };
  const kDistribution = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Distribution of k per layer (all heads), before and after training',
    data: { values: histograms },
    mark: 'bar',
    encoding: {
      x: { field: 'k', type: 'ordinal', title: 'k' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of rows' },
      row: { field: 'layer', type: 'ordinal' },
      column: { field: 'phase', type: 'nominal', sort: ['start', 'end'] },
    },
  };
  const perStep = rows.filter((r) => r.layer === 1 && r.head === 1);
  const training = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Evaluation loss and accuracy',
    data: {
      values: perStep.flatMap((r) => [
        { step: r.step, metric: 'loss', value: r.loss },
        { step: r.step, metric: 'accuracy', value: r.accuracy },
      ]),
    },
    mark: 'line',
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field: 'value', type: 'quantitative' },
      color: { field: 'metric', type: 'nominal' },
    },
  };
  return { kOverTraining, kDistribution, training };
}
