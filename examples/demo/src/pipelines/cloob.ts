import { runCloobCifarExperiment } from '@paperstack/example-cloob';
import { experimentPipeline, unavailableData } from './experiment';

/**
 * CLOOB vs CLIP on real images: CIFAR-10 with generated class captions, the paper's 1/τ settings,
 * zero-shot with a prompt ensemble (examples/cloob, `CLOOB_CIFAR_PRESETS`; the synthetic-pairs
 * run is the example's CLI default).
 */
export const cloobPipeline = experimentPipeline(
  'cloob',
  'CLOOB vs CLIP on CIFAR-10 image–caption pairs (InfoLOOB + Hopfield retrieval vs InfoNCE, zero-shot)',
  unavailableData('cloob', runCloobCifarExperiment),
);
