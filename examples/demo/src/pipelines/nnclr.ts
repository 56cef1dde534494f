import { NNCLR_CIFAR_PRESETS, runNnclrExperiment } from '@paperstack/example-nnclr';
import { experimentPipeline, unavailableData } from './experiment';

/**
 * NNCLR vs a SimCLR-style baseline vs random features on real images: k-NN and linear-probe
 * accuracy on CIFAR-10 (examples/nnclr, `NNCLR_CIFAR_PRESETS`; the generated-shapes run is the
 * example's CLI `--data shapes`).
 */
export const nnclrPipeline = experimentPipeline(
  'nnclr',
  'NNCLR vs SimCLR vs random features on CIFAR-10 (nearest-neighbour positives, k-NN and linear probe)',
  unavailableData('nnclr', (preset, onProgress) =>
    runNnclrExperiment(NNCLR_CIFAR_PRESETS[preset], onProgress),
  ),
);
