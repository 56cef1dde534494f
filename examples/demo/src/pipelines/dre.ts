import { runMixtureBenchmark, runSaturationExperiment } from '@paperstack/example-dre';
import { runIwaExperiment } from '@paperstack/example-dre-ensembling';
import { experimentPipeline } from './experiment';

/** Gruber et al. (ICML 2024): saturation of Tikhonov vs iterated regularization (examples/dre). */
export const dreSaturationPipeline = experimentPipeline(
  'dre-saturation',
  'Kernel DRE: saturation of Tikhonov vs iterated regularization',
  runSaturationExperiment,
);

/** The paper's Gaussian-mixture benchmark, 4 losses × plain/iterated (examples/dre). */
export const dreMixturePipeline = experimentPipeline(
  'dre-mixture',
  'Kernel DRE: Gaussian-mixture benchmark (4 losses × plain/iterated)',
  runMixtureBenchmark,
);

/** Dinu et al. (ICLR 2023): importance-weighted aggregation (examples/dre-ensembling). */
export const iwaPipeline = experimentPipeline(
  'dre-iwa',
  'IWA: importance-weighted aggregation under domain shift',
  runIwaExperiment,
);
