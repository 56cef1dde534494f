/**
 * IWA ensembling under covariate shift (Dinu et al., ICLR 2023; weights from iterated-regularization
 * kernel DRE as in Gruber et al., ICML 2024, Sec. 5). Two-moons source; target = source rotated by
 * `angleDeg` and shifted (the TransformedMoons setting of Xpitfire/iwa). Per seed:
 * 1. importance weights w(x) = p_target(x)/p_source(x) on the source points by iterated KuLSIF
 *    (`selectKuLSIF`: kernel width, λ and t chosen by the held-out LSIF criterion; w clipped at 0);
 * 2. a family of classifiers (HopfieldLayer-based and MLP, each trained with weights w^γ,
 *    γ ∈ `gammas`) on the first half of the source sample;
 * 3. IWA (`aggregate`) fits the ensemble weights on the second source half (labels, w) and the
 *    first target half (no labels);
 * 4. accuracy on the held-out second target half: IWA, the uniform average, the source-only model
 *    (the γ = 0 member with the best held-out *source* accuracy — choosable without target labels)
 *    and the best / worst single member in hindsight (oracle).
 */

import { type ExperimentReport, meanBarsWithDots, type OnProgress } from '@paperstack/example-dre';
import { meanSd, type Preset, round } from '@paperstack/example-kit';
import { aggregate, ensemblePredict, Rng, selectKuLSIF } from '@paperstack/kernel-dre';
import * as tf from '@tensorflow/tfjs-core';
import { Classifier, type ClassifierSpec, describeSpec } from './classifiers';
import { shiftedMoons } from './data';

export interface IwaConfig {
  /** Seeds s = seed, seed + 1, … */
  seeds: number;
  seed: number;
  angleDeg: number;
  /** Points per domain (half trains / fits, half evaluates). */
  n: number;
  family: ClassifierSpec[];
  gammas: number[];
  steps: number;
  learningRate: number;
  l2: number;
  /** Kernel widths σ searched by `selectKuLSIF`. */
  sigmas: number[];
  maxIterations: number;
  rcond: number;
}

export function iwaPreset(preset: Preset): IwaConfig {
  const family: ClassifierSpec[] = [
    { kind: 'hopfield', width: 16, quantity: 8, scaling: 1 },
    { kind: 'mlp', width: 8 },
    { kind: 'mlp', width: 32 },
  ];
  const base = {
    seed: 500,
    angleDeg: 30,
    n: 600,
    family,
    learningRate: 0.03,
    l2: 1e-4,
    sigmas: [0.1, 0.2, 0.4, 0.8],
    maxIterations: 10,
    rcond: 1e-2,
  };
  // the HopfieldLayer member costs ~0.1–0.3 s per full-batch step on the tfjs CPU backend (2 shared cores)
  return preset === 'quick'
    ? { ...base, seeds: 2, steps: 80, gammas: [0, 1] }
    : { ...base, seeds: 5, steps: 150, gammas: [0, 0.5, 1] };
}

export interface SeedResult {
  seed: number;
  kulsif: { lambda: number; iterations: number; sigma: number; weightMean: number; weightMax: number };
  iwa: number;
  uniform: number;
  sourceOnly: number;
  bestSingle: number;
  worstSingle: number;
  /** Target accuracy of each member, in `members` order. */
  single: number[];
  /** IWA's ensemble weights. */
  iwaWeights: number[];
}

export interface IwaResult {
  config: IwaConfig;
  members: string[];
  seeds: SeedResult[];
  timing: Record<string, number>;
}

const accuracy = (probs: number[][], y: number[]) =>
  y.reduce((a, v, i) => a + ((probs[i][1] > probs[i][0] ? 1 : 0) === v ? 1 : 0), 0) / y.length;
const accOfClasses = (pred: ArrayLike<number>, y: number[]) =>
  y.reduce((a, v, i) => a + (pred[i] === v ? 1 : 0), 0) / y.length;

/** Runs the experiment for an explicit configuration (needs a tfjs backend; creates no lasting tensors). */
export async function iwaExperiment(cfg: IwaConfig, onProgress?: OnProgress): Promise<IwaResult> {
  await tf.ready();
  const members = cfg.gammas.flatMap((g) => cfg.family.map((s) => `${describeSpec(s)}, γ = ${g}`));
  const timing: Record<string, number> = { weights: 0, training: 0, aggregation: 0 };
  const seeds: SeedResult[] = [];
  const half = cfg.n / 2;
  for (let k = 0; k < cfg.seeds; k++) {
    const seed = cfg.seed + k;
    const rng = new Rng(seed);
    const { source: src, target: tgt } = shiftedMoons(cfg.n, cfg.angleDeg, rng);
    let t0 = performance.now();
    const sel = selectKuLSIF(tgt.x, src.x, {
      maxIterations: cfg.maxIterations,
      seed,
      kernels: cfg.sigmas.map((sigma) => ({ type: 'gaussian' as const, sigma })),
    });
    const w = Array.from(sel.model.predict(src.x), (v) => Math.max(v, 0));
    timing.weights += performance.now() - t0;
    onProgress?.({ stage: 'weights', step: k + 1, total: cfg.seeds, info: { seed } });

    t0 = performance.now();
    const trX = src.x.slice(0, half);
    const trY = src.y.slice(0, half);
    const aggSrcX = src.x.slice(half);
    const aggSrcY = src.y.slice(half);
    const tgtFitX = tgt.x.slice(0, half);
    const tgtEvalX = tgt.x.slice(half);
    const tgtEvalY = tgt.y.slice(half);
    const pSrc: number[][][] = [];
    const pFit: number[][][] = [];
    const pEval: number[][][] = [];
    let m = 0;
    for (const g of cfg.gammas) {
      for (const [fi, spec] of cfg.family.entries()) {
        const clf = new Classifier(spec, seed * 100 + fi);
        clf.train(
          trX,
          trY,
          w.slice(0, half).map((v) => v ** g),
          { steps: cfg.steps, learningRate: cfg.learningRate, l2: cfg.l2 },
        );
        pSrc.push(clf.predictProba(aggSrcX));
        pFit.push(clf.predictProba(tgtFitX));
        pEval.push(clf.predictProba(tgtEvalX));
        clf.dispose();
        m++;
        onProgress?.({
          stage: 'training',
          step: k * members.length + m,
          total: cfg.seeds * members.length,
          info: { seed, member: members[m - 1] },
        });
      }
    }
    timing.training += performance.now() - t0;

    t0 = performance.now();
    const res = aggregate({ predictions: pSrc, labels: aggSrcY, weights: w.slice(half) }, pFit, {
      rcond: cfg.rcond,
    });
    const single = pEval.map((p) => accuracy(p, tgtEvalY));
    const srcAcc = pSrc.map((p) => accuracy(p, aggSrcY));
    // source-only: the best γ = 0 member on held-out source data
    const g0 = cfg.gammas.indexOf(0);
    let so = -1;
    if (g0 >= 0)
      for (let i = g0 * cfg.family.length; i < (g0 + 1) * cfg.family.length; i++)
        if (so < 0 || srcAcc[i] > srcAcc[so]) so = i;
    const predW = sel.model.predict(src.x);
    seeds.push({
      seed,
      kulsif: {
        lambda: sel.lambda,
        iterations: sel.iterations,
        sigma: Math.sqrt(1 / (2 * sel.kernel.gamma)),
        weightMean: predW.reduce((a, b) => a + b, 0) / predW.length,
        weightMax: Math.max(...predW),
      },
      iwa: accOfClasses(ensemblePredict(pEval, res.weights).classes, tgtEvalY),
      uniform: accOfClasses(ensemblePredict(pEval, new Array(m).fill(1 / m)).classes, tgtEvalY),
      sourceOnly: so >= 0 ? single[so] : Number.NaN,
      bestSingle: Math.max(...single),
      worstSingle: Math.min(...single),
      single,
      iwaWeights: Array.from(res.weights),
    });
    timing.aggregation += performance.now() - t0;
  }
  return { config: cfg, members, seeds, timing };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const r3 = (x: number) => Number(x.toFixed(3));

export const METHODS = [
  ['iwa', 'IWA (KuLSIF weights)'],
  ['uniform', 'uniform average'],
  ['sourceOnly', 'source-only (best γ = 0 member on source)'],
  ['bestSingle', 'best single member (oracle)'],
  ['worstSingle', 'worst single member'],
] as const;

/** The result as the demo's report: accuracy summary, per-seed table, per-member table, a figure. */
export function iwaReport(res: IwaResult): ExperimentReport<Record<string, unknown>> {
  const { config: cfg, seeds } = res;
  const summary = {
    title: `Target accuracy on held-out shifted moons (rotation ${cfg.angleDeg}°, ${cfg.seeds} seeds, ${res.members.length} members)`,
    columns: ['method', 'mean', 'sd', ...seeds.map((s) => `seed ${s.seed}`)],
    rows: METHODS.map(([k, label]) => {
      const v = seeds.map((s) => s[k]);
      return [label, r3(mean(v)), r3(meanSd(v).sd), ...v.map(r3)];
    }),
  };
  const perMember = {
    title: 'Target accuracy of each member and its mean IWA weight',
    columns: ['member', 'mean target accuracy', 'mean IWA weight'],
    rows: res.members.map((name, i) => [
      name,
      r3(mean(seeds.map((s) => s.single[i]))),
      r3(mean(seeds.map((s) => s.iwaWeights[i]))),
    ]),
  };
  const dre = {
    title: 'Importance weights (iterated KuLSIF, selected by the held-out LSIF criterion)',
    columns: ['seed', 'σ', 'λ', 't', 'mean ŵ on source', 'max ŵ'],
    rows: seeds.map((s) => [
      s.seed,
      r3(s.kulsif.sigma),
      round(s.kulsif.lambda, 3),
      s.kulsif.iterations,
      r3(s.kulsif.weightMean),
      r3(s.kulsif.weightMax),
    ]),
  };
  const values = seeds.flatMap((s) =>
    METHODS.map(([k, label]) => ({ method: label, seed: s.seed, accuracy: s[k] })),
  );
  const spec = meanBarsWithDots(values, {
    field: 'accuracy',
    title: 'target accuracy (mean over seeds)',
    height: 220,
    domain: [0.4, 1],
  });
  return {
    name: 'dre-iwa',
    title: 'IWA: importance-weighted aggregation under domain shift',
    summary:
      'Dinu et al. (ICLR 2023) with weights from @paperstack/kernel-dre: a family of classifiers (HopfieldLayer-based and MLPs) trained under covariate shift is aggregated by importance-weighted least squares; target accuracy vs the best single model, uniform averaging and source-only.',
    config: {
      ...cfg,
      family: cfg.family.map(describeSpec),
    },
    tables: [summary, perMember, dre],
    figures: [
      {
        title: 'IWA vs uniform averaging vs single models on the target domain',
        spec,
        caption: 'Bars: mean target accuracy; dots: the seeds.',
      },
    ],
    timing: res.timing,
  };
}

/** The IWA experiment with a preset, as plain report data. */
export async function runIwaExperiment(
  preset: Preset,
  onProgress?: OnProgress,
): Promise<ExperimentReport<Record<string, unknown>>> {
  return iwaReport(await iwaExperiment(iwaPreset(preset), onProgress));
}
