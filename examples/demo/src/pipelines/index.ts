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

/** Every pipeline the demo runs, in order. */
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
];
