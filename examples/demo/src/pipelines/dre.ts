import { runBreastBenchmark, runMixtureBenchmark, runSaturationExperiment } from '@paperstack/example-dre';
import { runIwaExperiment } from '@paperstack/example-dre-ensembling';
import { experimentPipeline, unavailableData } from './experiment';

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

/**
 * The reference's real-data benchmark: sklearn's breast cancer with an SVC-oracle ratio, plain vs iterated
 * (examples/dre); quick = KuLSIF on 2 folds of each of 3 seeds, full = 4 losses × 10 folds × 3 seeds.
 */
export const dreBreastPipeline = experimentPipeline(
  'dre-breast',
  'Kernel DRE: breast-cancer benchmark (real data, plain vs iterated)',
  unavailableData('dre-breast', runBreastBenchmark),
);

/** Dinu et al. (ICLR 2023): importance-weighted aggregation (examples/dre-ensembling). */
export const iwaPipeline = experimentPipeline(
  'dre-iwa',
  'IWA: importance-weighted aggregation under domain shift',
  runIwaExperiment,
);
