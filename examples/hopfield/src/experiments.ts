import type { ExperimentReport, OnProgress, Preset } from '@paperstack/example-kit';
import { runMilExperiment } from './mil/experiment';
import { runMnistBagsExperiment } from './mil/mnist-bags-experiment';
import { runRetrievalExperiment } from './retrieval/experiment';

/**
 * Every experiment of this example by name, for the CLI and the demo. Issue 13's analyses
 * (attention regimes, huge-bag pooling) are meant to register here too.
 */
export const EXPERIMENTS = {
  retrieval: {
    title: 'Retrieval: exponential capacity, one-update retrieval, metastable states (paper §2)',
    run: (preset: Preset, onProgress?: OnProgress): Promise<ExperimentReport> =>
      runRetrievalExperiment(preset, onProgress),
  },
  mil: {
    title: 'Multiple-instance learning with HopfieldPooling (paper §4)',
    run: (preset: Preset, onProgress?: OnProgress): Promise<ExperimentReport> =>
      runMilExperiment(preset, onProgress),
  },
  'mnist-bags': {
    title:
      'MNIST-bags: HopfieldPooling vs attention-based MIL on real MNIST digits (paper §4, Ilse et al. 2018)',
    run: (preset: Preset, onProgress?: OnProgress): Promise<ExperimentReport> =>
      runMnistBagsExperiment(preset, onProgress),
  },
} as const;

export type ExperimentName = keyof typeof EXPERIMENTS;
