// A layer, its inputs and its gradients from an hflayers fixture (scripts/make_fixtures.py): shared by
// the parity suite (src/layers.test.ts) and the randomized sweep (parity/src/families/hopfield.ts).
import { type Fixture, fixtureTensor } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { Hopfield, HopfieldLayer, HopfieldPooling } from '../src/index';
import { testing } from '../src/retrieval';
import { torchMaskedSelectBackward } from './quirk';

export type FixtureLayer = Hopfield | HopfieldPooling | HopfieldLayer;

export interface FixtureKwargs {
  storedPatternPaddingMask?: tf.Tensor;
  associationMask?: tf.Tensor;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The layer class the fixture's reference symbol names, with its config (snake_case → camelCase). */
export function layerFromFixture(fx: Fixture): FixtureLayer {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fx.config)) {
    if (k === 'forward' || k === 'masks_true_means') continue;
    opts[camel(k)] = k === 'dropout' ? Number(v) : v;
  }
  const symbol = fx.reference.symbol;
  if (symbol.includes('HopfieldPooling')) return new HopfieldPooling(opts);
  if (symbol.includes('HopfieldLayer')) return new HopfieldLayer(opts);
  return new Hopfield(opts);
}

/** The fixture's input names in the order the layer takes them. */
export function fixtureInputNames(fx: Fixture): string[] {
  if (fx.inputs.input) return ['input'];
  if (!fx.inputs.state_pattern) return ['stored_pattern', 'pattern_projection'];
  return ['stored_pattern', 'state_pattern', 'pattern_projection'];
}

/** The inputs as tensors, in {@link fixtureInputNames} order. The caller disposes them. */
export function fixtureInputs(fx: Fixture): tf.Tensor[] {
  return fixtureInputNames(fx).map((n) => fixtureTensor(fx.inputs[n]));
}

/** The masks: a float association mask is added to the logits (reference semantics), a bool one masks. */
export function fixtureKwargs(fx: Fixture): FixtureKwargs {
  const kw: FixtureKwargs = {};
  if (fx.inputs.stored_pattern_padding_mask)
    kw.storedPatternPaddingMask = fixtureTensor(fx.inputs.stored_pattern_padding_mask, 'bool');
  if (fx.inputs.association_mask) {
    const dtypes = (fx.meta.mask_dtypes ?? {}) as Record<string, string>;
    const additive = dtypes.association_mask?.startsWith('torch.float');
    kw.associationMask = fixtureTensor(fx.inputs.association_mask, additive ? 'float32' : 'bool');
  }
  return kw;
}

/**
 * Gradients of sum(layer(inputs) · upstream) w.r.t. the inputs and every trainable weight, the latter
 * in the reference's state_dict layout (written into the weights, read back through `stateDict()`,
 * then restored). With `referenceQuirk` (default) the reference's masked_select gradient quirk is
 * reproduced (test/quirk.ts; it only changes cases with update steps and without zero association);
 * without it the gradients are the true ones. The caller disposes the result.
 */
export function fixtureGradients(
  layer: FixtureLayer,
  inputs: tf.Tensor[],
  kwargs: FixtureKwargs,
  upstream: tf.Tensor,
  { referenceQuirk = true } = {},
): { inputs: tf.Tensor[]; params: Record<string, tf.Tensor> } {
  const xs = inputs.map((x) => tf.variable(x));
  const weights = layer.trainableWeights as LayerVariable[];
  if (referenceQuirk) testing.updateStoredGradient = torchMaskedSelectBackward;
  let grads: tf.NamedTensorMap;
  try {
    const vg = tf.variableGrads(
      () =>
        tf.sum(tf.mul(layer.apply(xs.length === 1 ? xs[0] : xs, kwargs) as tf.Tensor, upstream)) as tf.Scalar,
      [...xs, ...weights.map((w) => w.read() as tf.Variable)],
    );
    vg.value.dispose();
    grads = vg.grads;
  } finally {
    testing.updateStoredGradient = null;
  }
  const inputGrads = xs.map((x) => grads[x.name]);
  const saved = weights.map((w) => tf.clone(w.read()));
  for (const w of weights) w.write(grads[(w.read() as tf.Variable).name]);
  const params = layer.stateDict();
  weights.forEach((w, i) => {
    w.write(saved[i]);
  });
  tf.dispose([...xs, ...saved, ...weights.map((w) => grads[(w.read() as tf.Variable).name])]);
  return { inputs: inputGrads, params };
}
