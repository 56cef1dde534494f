// The Patch Refinement example: shared experiment settings.
export { EVAL_SEED0, RPN_CONFIG, TRAIN_SEED0 } from './config';
