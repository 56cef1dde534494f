import { runMaectExperiment } from '@paperstack/example-maect';
import { experimentPipeline } from './experiment';

/** MAE pre-training then MAE-CT contrastive tuning on MNIST digits, evaluated before and after (examples/maect). */
export const maectPipeline = experimentPipeline(
  'maect',
  'MAE → MAE-CT: k-NN, linear, low-shot and clustering accuracy before and after contrastive tuning',
  runMaectExperiment,
);
