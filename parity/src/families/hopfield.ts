// hopfield-layer families: Hopfield (self / tuple / update steps / static), HopfieldPooling,
// HopfieldLayer against hflayers f56f929 — output, association matrix, per-head update steps and
// the gradient of every input and parameter. Tolerances: layers.test.ts's (forward rtol 1e-4 /
// atol 1e-5, gradients rtol 1e-3 / atol 1e-4).
import { Hopfield, HopfieldLayer, HopfieldPooling } from '@paperstack/hopfield-layer';
import type { Fixture } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { testing } from '../../../packages/hopfield-layer/src/retrieval';
import { torchMaskedSelectBackward } from '../../../packages/hopfield-layer/test/quirk';
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

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function layerFor(fx: Fixture) {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fx.config)) {
    if (k === 'forward' || k === 'masks_true_means') continue;
    opts[camel(k)] = v;
  }
  const symbol = fx.reference.symbol;
  if (symbol.includes('HopfieldPooling')) return new HopfieldPooling(opts);
  if (symbol.includes('HopfieldLayer')) return new HopfieldLayer(opts);
  return new Hopfield(opts);
}

function inputNames(fx: Fixture): string[] {
  if (fx.inputs.input) return ['input'];
  if (!fx.inputs.state_pattern) return ['stored_pattern', 'pattern_projection'];
  return ['stored_pattern', 'state_pattern', 'pattern_projection'];
}

function kwargsFor(fx: Fixture) {
  const kw: { storedPatternPaddingMask?: tf.Tensor; associationMask?: tf.Tensor } = {};
  const dtypes = (fx.meta.mask_dtypes ?? {}) as Record<string, string>;
  const p = fx.inputs.stored_pattern_padding_mask;
  if (p) kw.storedPatternPaddingMask = tf.tensor(p.data, p.shape, 'bool');
  const a = fx.inputs.association_mask;
  if (a) {
    // a float mask is added to the logits (reference semantics), a bool one masks
    const additive = dtypes.association_mask?.startsWith('torch.float');
    kw.associationMask = tf.tensor(a.data, a.shape, additive ? 'float32' : 'bool');
  }
  return kw;
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
    const layer = layerFor(fx);
    const names = inputNames(fx);
    const inputs = names.map((n) => tf.tensor(fx.inputs[n].data, fx.inputs[n].shape));
    const kwargs = kwargsFor(fx);
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

      // gradients of sum(output · G) w.r.t. the inputs and every trainable weight; the reference's
      // masked_select gradient quirk is reproduced by the package's test hook (README, "Differences")
      const g = tf.tensor(fx.inputs.upstream_grad.data, fx.inputs.upstream_grad.shape);
      const xs = inputs.map((x) => tf.variable(x));
      const weights = layer.trainableWeights as LayerVariable[];
      testing.updateStoredGradient = torchMaskedSelectBackward;
      let grads: tf.NamedTensorMap;
      try {
        const vg = tf.variableGrads(
          () =>
            tf.sum(tf.mul(layer.apply(xs.length === 1 ? xs[0] : xs, kwargs) as tf.Tensor, g)) as tf.Scalar,
          [...xs, ...weights.map((w) => w.read() as tf.Variable)],
        );
        vg.value.dispose();
        grads = vg.grads;
      } finally {
        testing.updateStoredGradient = null;
      }
      names.forEach((n, i) => {
        c.values(`d/d ${n}`, 'gradient', grads[xs[i].name], fx.grads[n], tolFor(fx, `d/d ${n}`, GRAD));
      });
      // parameter gradients in the reference's state_dict layout: written into the weights, read back
      const saved = weights.map((w) => tf.clone(w.read()));
      for (const w of weights) w.write(grads[(w.read() as tf.Variable).name]);
      const pg = layer.stateDict();
      weights.forEach((w, i) => {
        w.write(saved[i]);
      });
      for (const p of Object.keys(fx.params).filter((n) => fx.grads[n])) {
        if (!pg[p]) c.exact(`d/d ${p} present`, [0], [1]);
        else c.values(`d/d ${p}`, 'gradient', pg[p], fx.grads[p], tolFor(fx, `d/d ${p}`, GRAD));
      }
      tf.dispose([g, ...xs, ...saved, ...Object.values(grads), ...Object.values(pg)]);
    } finally {
      tf.dispose([...inputs, ...Object.values(kwargs)]);
      layer.dispose();
    }
    return c.list;
  },
};
