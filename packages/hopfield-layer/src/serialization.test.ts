import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { Hopfield, HopfieldLayer, HopfieldPooling } from './index';

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
}

describeBackends('serialization', () => {
  it('model.save / loadLayersModel round-trips a model with every layer (outputs equal)', async () => {
    const x = tfl.input({ shape: [5, 8] });
    const y = tfl.input({ shape: [3, 6] });
    const lookup = new HopfieldLayer({ inputSize: 8, quantity: 4, lookupWeightsAsSeparated: true, seed: 1 });
    const self = new Hopfield({ inputSize: 8, numHeads: 2, updateStepsMax: 2, scaling: [0.5, 2], seed: 2 });
    const cross = new Hopfield({
      inputSize: 6,
      storedPatternSize: 8,
      patternProjectionSize: 8,
      hiddenSize: 4,
      patternSize: 3,
      outputSize: 5,
      numHeads: 3,
      updateStepsMax: null,
      associationActivation: 'tanh',
      addZeroAssociation: true,
      concatBiasPattern: true,
      normalizeHopfieldSpace: true,
      normalizeHopfieldSpaceAffine: true,
      seed: 3,
    });
    const pool = new HopfieldPooling({ inputSize: 5, quantity: 2, numHeads: 5, seed: 4 });
    const h = self.apply(lookup.apply(x)) as tfl.SymbolicTensor;
    const c = cross.apply([h, y, h]) as tfl.SymbolicTensor;
    expect(c.shape).toEqual([null, 3, 5]);
    const out = pool.apply(c) as tfl.SymbolicTensor;
    expect(out.shape).toEqual([null, 10]);
    const model = tfl.model({ inputs: [x, y], outputs: out });
    const xs = [
      tf.randomNormal([2, 5, 8], 0, 1, 'float32', 5),
      tf.randomNormal([2, 3, 6], 0, 1, 'float32', 6),
    ];
    const before = model.predict(xs) as tf.Tensor;
    const loaded = await roundTrip(model);
    const after = loaded.predict(xs) as tf.Tensor;
    expectClose(after, before, { rtol: 1e-6, atol: 1e-7, name: 'reloaded output' });
    const cfg = loaded.layers.find((l) => l instanceof Hopfield && l.options.numHeads === 3) as Hopfield;
    expect(cfg.options).toEqual(cross.options);
    expect(loaded.layers.find((l) => l instanceof HopfieldLayer)?.getConfig()).toMatchObject({
      quantity: 4,
      lookupWeightsAsSeparated: true,
    });
    tf.dispose([...xs, before, after]);
    model.dispose();
    loaded.dispose();
  });

  it('trains inside a LayersModel (fit) and leaks nothing per step', async () => {
    const x = tfl.input({ shape: [6, 4] });
    const pooled = new HopfieldPooling({
      inputSize: 4,
      quantity: 1,
      updateStepsMax: 1,
      dropout: 0.1,
      seed: 7,
    }).apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 1 }).apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: out });
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const xs = tf.randomNormal([8, 6, 4], 0, 1, 'float32', 8);
    const ys = tf.randomNormal([8, 1], 0, 1, 'float32', 9);
    const h = await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
    expect((h.history.loss as number[]).every(Number.isFinite)).toBe(true);
    await expectNoLeakedTensors(async () => {
      await model.trainOnBatch(xs, ys);
    });
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('works as the first layer of tf.sequential (inputShape) and round-trips', async () => {
    const model = tfl.sequential({
      layers: [
        new Hopfield({ inputShape: [6, 4], inputSize: 4, numHeads: 2, seed: 1 }),
        new HopfieldPooling({ inputSize: 4, quantity: 2, seed: 2 }),
      ],
    });
    expect(model.outputs[0].shape).toEqual([null, 8]);
    const x = tf.randomNormal([3, 6, 4], 0, 1, 'float32', 3);
    const before = model.predict(x) as tf.Tensor;
    const loaded = await roundTrip(model);
    const after = loaded.predict(x) as tf.Tensor;
    expectClose(after, before, { rtol: 1e-6, atol: 1e-7, name: 'sequential reload' });
    tf.dispose([x, before, after]);
    model.dispose();
    loaded.dispose();
  });

  it('getConfig holds every option and recreates an equal layer', () => {
    const a = new Hopfield({
      inputSize: 8,
      numHeads: 2,
      scaling: 0.3,
      updateStepsEps: [1e-3, 1e-2],
      dropout: 0.2,
    });
    const cfg = a.getConfig();
    expect(cfg).toMatchObject({ inputSize: 8, numHeads: 2, scaling: 0.3, updateStepsMax: 0, dropout: 0.2 });
    const b = new Hopfield(cfg as never);
    expect(b.options).toEqual(a.options);
  });
});
