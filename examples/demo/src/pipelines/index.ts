import type { Pipeline } from '../report/types';
import { cloobPipeline } from './cloob';
import { warmupPipeline } from './warmup';

/** Every pipeline the demo runs, in order. */
export const PIPELINES: Pipeline[] = [warmupPipeline, cloobPipeline];
