// hopfield-layer families: Hopfield (self / tuple / update steps / static), HopfieldPooling,
// HopfieldLayer against hflayers f56f929 — output, association matrix, per-head update steps and
// the gradient of every input and parameter. Tolerances: layers.test.ts's (forward rtol 1e-4 /
// atol 1e-5, gradients rtol 1e-3 / atol 1e-4).
import { Hopfield } from '@paperstack/hopfield-layer';
import { type Fixture, fixtureTensor } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import {
  fixtureGradients,
  fixtureInputNames,
  fixtureInputs,
  fixtureKwargs,
  layerFromFixture,
} from '../../../packages/hopfield-layer/test/fixture-layer';
import { Checks, type FamilyRunner } from './types';

const FWD = { rtol: 1e-4, atol: 1e-5 };
const GRAD = { rtol: 1e-3, atol: 1e-4 };

/** The float32 reference on the same draw (parity/python/sweep.py `float32_reference`). */
interface Float32Reference {
  same_update_steps: boolean;
  /** max |x32 − x64| / (atol + rtol·|x64|) over every value: 1 = at the suite's tolerance. */
  worst_ratio_to_suite_tolerance: number;
  max_abs: Record<string, number>;
}

/**
 * A draw is ill-conditioned when float32 round-off alone (the float32 reference's error) reaches a
 * quarter of the suite's tolerance: then no float32 implementation can be held to that tolerance.
 */
const ILL_CONDITIONED_RATIO = 0.25;
const isIll = (f32: Float32Reference | undefined) =>
  f32 != null && f32.worst_ratio_to_suite_tolerance > ILL_CONDITIONED_RATIO;

const f32Of = (fx: Fixture) => fx.meta.float32_reference as Float32Reference | undefined;

/** Ill-conditioned draws: the package may be at most this many times the float32 reference's own error. */
const ILL_CONDITIONED_FACTOR = 10;

/**
 * The tolerance of one value: the suite's; on an ill-conditioned draw (chained update steps amplify
 * round-off until the float32 reference's own error nears the suite's tolerance) the atol is raised to
 * ILL_CONDITIONED_FACTOR × the float32 reference's max |error| on that value.
 */
function tolFor(fx: Fixture, name: string, base: { rtol: number; atol: number }) {
  const f32 = f32Of(fx);
  if (!f32 || !isIll(f32)) return base;
  return { rtol: base.rtol, atol: Math.max(base.atol, ILL_CONDITIONED_FACTOR * (f32.max_abs[name] ?? 0)) };
}

export const hopfieldRunner: FamilyRunner = {
  kind: 'tfjs',
  classify(fx) {
    const f32 = f32Of(fx);
    if (f32 && !f32.same_update_steps)
      return 'skip: the float32 reference stops at other update steps (near-tie)';
    return isIll(f32) ? 'ill-conditioned' : 'normal';
  },
  run(fx) {
    const c = new Checks();
    const layer = layerFromFixture(fx);
    const names = fixtureInputNames(fx);
    const inputs = fixtureInputs(fx);
    const kwargs = fixtureKwargs(fx);
    const arg = () => (inputs.length === 1 ? inputs[0] : inputs);
    try {
      (layer.apply(arg(), kwargs) as tf.Tensor).dispose();
      layer.loadStateDict(fx.params);
      const out = layer.apply(arg(), kwargs) as tf.Tensor;
      c.values('output', 'forward', out, fx.outputs.output, tolFor(fx, 'output', FWD));
      const steps = fx.meta.update_steps as number[] | undefined;
      if (steps && layer instanceof Hopfield)
        c.exact('update steps per head', layer.lastUpdateSteps ?? [], steps);
      const assoc = layer.associationMatrix(arg(), kwargs);
      c.values(
        'association_matrix',
        'forward',
        assoc,
        fx.outputs.association_matrix,
        tolFor(fx, 'association_matrix', FWD),
      );
      tf.dispose([out, assoc]);

      // gradients of sum(output · G) w.r.t. the inputs and every trainable weight, with the
      // reference's masked_select gradient quirk (README, "Differences")
      const g = fixtureTensor(fx.inputs.upstream_grad);
      const grads = fixtureGradients(layer, inputs, kwargs, g);
      names.forEach((n, i) => {
        c.values(`d/d ${n}`, 'gradient', grads.inputs[i], fx.grads[n], tolFor(fx, `d/d ${n}`, GRAD));
      });
      for (const p of Object.keys(fx.params).filter((n) => fx.grads[n])) {
        const pg = grads.params[p];
        if (!pg) c.exact(`d/d ${p} present`, [0], [1]);
        else c.values(`d/d ${p}`, 'gradient', pg, fx.grads[p], tolFor(fx, `d/d ${p}`, GRAD));
      }
      tf.dispose([g, ...grads.inputs, ...Object.values(grads.params)]);
    } finally {
      tf.dispose([...inputs, ...Object.values(kwargs)]);
      layer.dispose();
    }
    return c.list;
  },
};
