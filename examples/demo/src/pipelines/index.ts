import type { Pipeline, Preset } from '../report/types';
import { cloobPipeline } from './cloob';
import { patchRefinementPipeline, voxelnetPipeline } from './detection';
import { dreBreastPipeline, dreMixturePipeline, dreSaturationPipeline, iwaPipeline } from './dre';
import {
  hopfieldMilPipeline,
  hopfieldRegimesPipeline,
  hopfieldRepertoirePipeline,
  hopfieldRetrievalPipeline,
} from './hopfield';
import { maectCifar10Pipeline, maectPipeline } from './maect';
import { nnclrPipeline } from './nnclr';
import { warmupPipeline } from './warmup';

/**
 * Seconds each pipeline took in the README's measured runs on the 2-core machine (2026-12-07): quick on
 * wasm, 2 jobs; full on the native backend, 2 jobs (maect-cifar10 has no quick run: its full time).
 * Only the order matters: with `--jobs` the costliest start first.
 */
const SECONDS: Record<string, Record<Preset, number>> = {
  warmup: { quick: 1, full: 1 },
  'hopfield-retrieval': { quick: 8, full: 75 },
  'hopfield-mil': { quick: 30, full: 669 },
  'hopfield-regimes': { quick: 6, full: 8 },
  'hopfield-repertoire': { quick: 91, full: 98 },
  cloob: { quick: 27, full: 132 },
  nnclr: { quick: 33, full: 72 },
  'dre-saturation': { quick: 13, full: 284 },
  'dre-mixture': { quick: 6, full: 96 },
  'dre-breast': { quick: 1, full: 525 },
  'dre-iwa': { quick: 13, full: 81 },
  voxelnet: { quick: 152, full: 247 },
  'patch-refinement': { quick: 169, full: 119 },
  maect: { quick: 226, full: 587 },
  'maect-cifar10': { quick: 424, full: 424 },
};

/** Every pipeline the demo runs, in report order. */
export const PIPELINES: Pipeline[] = [
  warmupPipeline,
  hopfieldRetrievalPipeline,
  hopfieldMilPipeline,
  hopfieldRegimesPipeline,
  hopfieldRepertoirePipeline,
  cloobPipeline,
  nnclrPipeline,
  dreSaturationPipeline,
  dreMixturePipeline,
  dreBreastPipeline,
  iwaPipeline,
  voxelnetPipeline,
  patchRefinementPipeline,
  maectPipeline,
  maectCifar10Pipeline,
].map((p) => ({ ...p, seconds: SECONDS[p.name] }));
