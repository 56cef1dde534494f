import {
  describeBackends,
  expectClose,
  expectNoLeakedTensors,
  type Fixture,
  fixtureTensor,
  loadFixture,
} from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { torchMaskedSelectBackward } from '../test/quirk';
import { Hopfield, HopfieldLayer, HopfieldPooling } from './index';
import { testing } from './retrieval';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

const CASES = [
  'hopfield_a_default_self',
  'hopfield_b_tuple_heads_updates',
  'hopfield_c_padding_mask',
  'hopfield_d_static_cloob',
  'hopfield_e_association_mask',
  'hopfield_f_update_to_convergence',
  'hopfield_pooling',
  'hopfield_layer',
] as const;

/**
 * float32 against the float64 reference, every fixture (hopfield_f chains 15 softmaxes and still
 * meets these): forward rtol 1e-4 / atol 1e-5, gradients rtol 1e-3 / atol 1e-4 (parameter gradients
 * that are analytically 0 are ~1e-16 round-off in the fixtures, hence the atol).
 */
function tolerances(_name: string) {
  return { fwd: { rtol: 1e-4, atol: 1e-5 }, grad: { rtol: 1e-3, atol: 1e-4 } };
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function layerFromFixture(fx: Fixture) {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fx.config)) {
    if (k === 'forward' || k === 'masks_true_means') continue;
    opts[camel(k)] = k === 'dropout' ? Number(v) : v;
  }
  if (fx.case === 'hopfield_pooling') return new HopfieldPooling(opts);
  if (fx.case === 'hopfield_layer') return new HopfieldLayer(opts);
  return new Hopfield(opts);
}

function fixtureInputs(fx: Fixture): tf.Tensor[] {
  if (fx.inputs.input) return [fixtureTensor(fx.inputs.input)];
  return [
    fixtureTensor(fx.inputs.stored_pattern),
    fixtureTensor(fx.inputs.state_pattern),
    fixtureTensor(fx.inputs.pattern_projection),
  ];
}

function fixtureKwargs(fx: Fixture) {
  const kw: { storedPatternPaddingMask?: tf.Tensor; associationMask?: tf.Tensor } = {};
  if (fx.inputs.stored_pattern_padding_mask) {
    kw.storedPatternPaddingMask = fixtureTensor(fx.inputs.stored_pattern_padding_mask, 'bool');
  }
  if (fx.inputs.association_mask) kw.associationMask = fixtureTensor(fx.inputs.association_mask, 'bool');
  return kw;
}

/**
 * Gradients of `loss` w.r.t. the inputs and every trainable weight, the latter in the reference's
 * state_dict layout (written into the weights, read back through `stateDict()`, then restored).
 */
function allGrads(
  layer: Hopfield | HopfieldPooling | HopfieldLayer,
  inputs: tf.Tensor[],
  loss: (xs: tf.Tensor[]) => tf.Scalar,
): { inputs: tf.Tensor[]; params: Record<string, tf.Tensor> } {
  const xs = inputs.map((x) => tf.variable(x));
  const weights = layer.trainableWeights as LayerVariable[];
  const { grads } = tf.variableGrads(() => loss(xs), [...xs, ...weights.map((w) => w.read() as tf.Variable)]);
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

function withReferenceGradient<T>(fn: () => T): T {
  testing.updateStoredGradient = torchMaskedSelectBackward;
  try {
    return fn();
  } finally {
    testing.updateStoredGradient = null;
  }
}

describeBackends('Hopfield layers: hflayers parity', () => {
  for (const name of CASES) {
    it(`${name}: output, association matrix and every gradient`, () => {
      const fx = loadFixture(name, FIXTURES);
      const tol = tolerances(name);
      const layer = layerFromFixture(fx);
      const inputs = fixtureInputs(fx);
      const kwargs = fixtureKwargs(fx);
      const arg = inputs.length === 1 ? inputs[0] : inputs;
      // build from the input shapes, then load the reference parameters
      layer.apply(arg, kwargs);
      layer.loadStateDict(fx.params);
      const out = layer.apply(arg, kwargs) as tf.Tensor;
      expectClose(out, fx.outputs.output, { ...tol.fwd, name: `${name} output` });
      const assoc = layer.associationMatrix(arg, kwargs);
      expectClose(assoc, fx.outputs.association_matrix, { ...tol.fwd, name: `${name} association_matrix` });

      const g = fixtureTensor(fx.inputs.upstream_grad);
      // (the hook only changes cases with update steps: b and f)
      const grads = withReferenceGradient(() =>
        allGrads(layer, inputs, (xs) =>
          tf.sum(tf.mul(layer.apply(xs.length === 1 ? xs[0] : xs, kwargs) as tf.Tensor, g)),
        ),
      );
      const inputNames = fx.inputs.input
        ? ['input']
        : ['stored_pattern', 'state_pattern', 'pattern_projection'];
      inputNames.forEach((n, i) => {
        expectClose(grads.inputs[i], fx.grads[n], { ...tol.grad, name: `${name} d/d ${n}` });
      });
      const paramNames = Object.keys(fx.params);
      expect(Object.keys(grads.params).sort()).toEqual(paramNames.sort());
      for (const p of paramNames) {
        expectClose(grads.params[p], fx.grads[p], { ...tol.grad, name: `${name} d/d ${p}` });
      }
      // the state dict round-trips the loaded parameters exactly
      const sd = layer.stateDict();
      for (const p of paramNames)
        expectClose(sd[p], fx.params[p], { rtol: 1e-6, atol: 1e-7, name: `${name} ${p}` });
      tf.dispose([
        out,
        assoc,
        g,
        ...inputs,
        ...Object.values(kwargs),
        ...grads.inputs,
        ...Object.values(grads.params),
      ]);
      tf.dispose(Object.values(sd));
      layer.dispose();
    });
  }

  for (const name of ['hopfield_b_tuple_heads_updates', 'hopfield_f_update_to_convergence'] as const) {
    it(`${name}: true gradients (no reference quirk) match the fixture off the stored path and finite differences on it`, () => {
      const fx = loadFixture(name, FIXTURES);
      const layer = layerFromFixture(fx);
      const inputs = fixtureInputs(fx);
      const arg = inputs.length === 1 ? inputs[0] : inputs;
      layer.apply(arg);
      layer.loadStateDict(fx.params);
      const g = fixtureTensor(fx.inputs.upstream_grad);
      const loss = (xs: tf.Tensor[]) =>
        tf.sum(tf.mul(layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor, g));
      const grads = allGrads(layer, inputs, (xs) => loss(xs) as tf.Scalar);
      const tol = tolerances(name).grad;
      // Not upstream of the stored patterns: unaffected by the quirk.
      const offPath = ['association_core.out_proj.weight', 'association_core.out_proj.bias'];
      if (name === 'hopfield_b_tuple_heads_updates') {
        offPath.push(
          'norm_state_pattern.weight',
          'norm_state_pattern.bias',
          'norm_pattern_projection.weight',
        );
        expectClose(grads.inputs[1], fx.grads.state_pattern, { ...tol, name: 'd state' });
        expectClose(grads.inputs[2], fx.grads.pattern_projection, { ...tol, name: 'd projection' });
      }
      for (const p of offPath) expectClose(grads.params[p], fx.grads[p], { ...tol, name: p });
      // Central finite differences (float32, h = 1e-2) of the stored / self input.
      const x0 = inputs[0];
      const lossAt = (x: tf.Tensor) =>
        tf.tidy(() => loss(inputs.length === 1 ? [x] : [x, inputs[1], inputs[2]]).dataSync()[0]);
      const gData = grads.inputs[0].dataSync();
      const h = 1e-2;
      for (const flat of [0, 13, 27, 41, 66, 79]) {
        const e = tf.tidy(() => tf.mul(tf.reshape(tf.oneHot(flat, x0.size), x0.shape), h));
        const xp = tf.add(x0, e);
        const xm = tf.sub(x0, e);
        const fd = (lossAt(xp) - lossAt(xm)) / (2 * h);
        expectClose([gData[flat]], [fd], {
          rtol: 2e-2,
          atol: 5e-3,
          name: `${name} d/d ${fx.inputs.input ? 'input' : 'stored'}[${flat}] vs finite difference`,
        });
        tf.dispose([e, xp, xm]);
      }
      tf.dispose([g, ...inputs, ...grads.inputs, ...Object.values(grads.params)]);
      layer.dispose();
    });
  }

  it('layer calls, associationMatrix, stateDict and gradients leak no tensors', async () => {
    const fx = loadFixture('hopfield_c_padding_mask', FIXTURES);
    const layer = layerFromFixture(fx) as Hopfield;
    const inputs = fixtureInputs(fx);
    const kwargs = fixtureKwargs(fx);
    layer.apply(inputs, kwargs);
    layer.loadStateDict(fx.params);
    await expectNoLeakedTensors(() => layer.apply(inputs, kwargs));
    await expectNoLeakedTensors(() => layer.associationMatrix(inputs, kwargs));
    await expectNoLeakedTensors(() => layer.projectedPatternMatrix(inputs, kwargs));
    await expectNoLeakedTensors(() => layer.stateDict());
    await expectNoLeakedTensors(() => layer.loadStateDict(fx.params));
    await expectNoLeakedTensors(() =>
      tf.variableGrads(
        () => tf.sum(layer.apply(inputs, kwargs) as tf.Tensor),
        layer.trainableWeights.map((w) => w.read() as tf.Variable),
      ),
    );
    const pool = new HopfieldPooling({ inputSize: 8, quantity: 3, numHeads: 2, updateStepsMax: 2, seed: 1 });
    await expectNoLeakedTensors(() => pool.apply(inputs[0]));
    const look = new HopfieldLayer({ inputSize: 8, quantity: 4, lookupWeightsAsSeparated: true, seed: 1 });
    await expectNoLeakedTensors(() => look.apply(inputs[1]));
    tf.dispose([...inputs, ...Object.values(kwargs)]);
    layer.dispose();
    pool.dispose();
    look.dispose();
  });
});
