import type { Pipeline } from '../report/types';
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
 * Seconds each pipeline's quick preset took in the README's idle wasm demo on the 2-core machine
 * (2026-12-07; maect-cifar10, full only: a guess above maect's). Only the order matters: with
 * `--jobs` the costliest start first.
 */
const QUICK_SECONDS: Record<string, number> = {
  warmup: 1,
  'hopfield-retrieval': 8,
  'hopfield-mil': 31,
  'hopfield-regimes': 7,
  'hopfield-repertoire': 88,
  cloob: 29,
  nnclr: 34,
  'dre-saturation': 12,
  'dre-mixture': 6,
  'dre-breast': 1,
  'dre-iwa': 13,
  voxelnet: 174,
  'patch-refinement': 181,
  maect: 269,
  'maect-cifar10': 400,
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
].map((p) => ({ ...p, quickSeconds: QUICK_SECONDS[p.name] }));
