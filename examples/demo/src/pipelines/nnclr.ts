import { runNnclrExperiment } from '@paperstack/example-nnclr';
import { experimentPipeline } from './experiment';

/** NNCLR vs a SimCLR-style baseline vs random features, k-NN accuracy on shape images (examples/nnclr). */
export const nnclrPipeline = experimentPipeline(
  'nnclr',
  'NNCLR vs SimCLR vs random features (nearest-neighbour positives, k-NN accuracy)',
  runNnclrExperiment,
);
