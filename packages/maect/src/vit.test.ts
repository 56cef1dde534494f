import { describeBackends, expectClose, expectNoLeakedTensors } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { MaeDecoder } from './decoder';
import { MaectInputError } from './errors';
import { MaskedAutoencoder } from './mae';
import { MAE_PRESETS } from './presets';
import { pool, VisionTransformer } from './vit';

const SMALL = { imgSize: 8, patchSize: 4, embedDim: 8, depth: 1, numHeads: 2 };

describeBackends('VisionTransformer options', () => {
  it('rejects bad shapes with the argument named', () => {
    expect(() => new VisionTransformer({ imgSize: 30, patchSize: 4 })).toThrow(MaectInputError);
    expect(() => new VisionTransformer({ imgSize: 30, patchSize: 4 })).toThrow(
      /imgSize: expected a multiple of patchSize 4, received 30/,
    );
    expect(() => new VisionTransformer({ embedDim: 10, numHeads: 3 })).toThrow(
      /embedDim: expected a multiple of numHeads 3/,
    );
  });
  it('presets have the papers’ ViT shapes', () => {
    expect(MAE_PRESETS['vit-b/16']).toMatchObject({ embedDim: 768, depth: 12, numHeads: 12 });
    expect(MAE_PRESETS['vit-l/16']).toMatchObject({ embedDim: 1024, depth: 24, numHeads: 16 });
    expect(MAE_PRESETS['vit-h/14']).toMatchObject({ patchSize: 14, embedDim: 1280, depth: 32, numHeads: 16 });
    const vit = new VisionTransformer({ ...MAE_PRESETS['vit-b/16'] });
    expect(vit.numPatches).toBe(196);
    vit.build();
    const count = vit.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x! * y!, 1)!, 0);
    // timm vit_base_patch16_224 with num_classes=0: 85,798,656 parameters (incl. the 197·768 pos_embed).
    expect(count).toBe(85_798_656);
    vit.dispose();
  });
}, ['cpu']);

describeBackends('ViT layers', () => {
  it('serializes: className, getConfig, registerClass, save/load through a LayersModel', async () => {
    const vit = new VisionTransformer({ ...SMALL, name: 'vit' });
    const input = tfl.input({ shape: [8, 8, 3] });
    const model = tfl.model({ inputs: input, outputs: vit.apply(input) as tfl.SymbolicTensor });
    expect(model.outputs[0].shape).toEqual([null, 5, 8]);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const back = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = back.predict(x) as tf.Tensor;
    expectClose(b, a, { rtol: 0, atol: 0, name: 'reloaded' });
    expect(back.layers[1].getClassName()).toBe('VisionTransformer');
    expect(back.layers[1].getConfig()).toMatchObject({ ...SMALL, mlpRatio: 4, layerNormEps: 1e-6 });
    const dec = new MaeDecoder({
      gridSize: 2,
      patchSize: 4,
      embedDim: 8,
      decoderEmbedDim: 8,
      decoderDepth: 1,
      decoderNumHeads: 2,
    });
    const dec2 = tf.serialization.SerializationMap.getMap().classNameMap.MaeDecoder[1](
      tf.serialization.SerializationMap.getMap().classNameMap.MaeDecoder[0],
      dec.getConfig(),
    ) as MaeDecoder;
    expect(dec2.config).toEqual(dec.config);
    tf.dispose([x, a, b]);
    model.dispose();
    back.dispose();
  });

  it('is permutation-equivariant over patches except for positions, and pools', async () => {
    const vit = new VisionTransformer(SMALL);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4);
    const tokens = vit.encode(x);
    expect(tokens.shape).toEqual([2, 5, 8]);
    const cls = pool(tokens, 'cls');
    const mean = pool(tokens, 'meanPatch');
    expect(cls.shape).toEqual([2, 8]);
    expectClose(mean, tf.mean(tf.slice(tokens, [0, 1, 0], [2, 4, 8]), 1), { rtol: 1e-6, atol: 1e-6 });
    await expectNoLeakedTensors(() => vit.encode(x));
    await expectNoLeakedTensors(() => pool(tokens, 'meanPatch'));
    expect(() => vit.encode(tf.zeros([1, 12, 12, 3]))).toThrow(/images: expected 8×8×3 images/);
    expect(() => vit.encode(tf.zeros([1, 7, 8, 3]))).toThrow(
      /images: expected height and width divisible by patchSize 4/,
    );
    tf.dispose([x, tokens, cls, mean]);
    vit.dispose();
  });

  it('trains: an MAE step lowers the loss (gradient through every weight)', () => {
    const mae = new MaskedAutoencoder({ ...SMALL, decoderEmbedDim: 8, decoderDepth: 1, decoderNumHeads: 2 });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 5);
    const opt = tf.train.adam(1e-2);
    const vars = mae.trainableVariables();
    const first = mae.loss(x, { seed: 1, maskRatio: 0.5 });
    const f0 = first.dataSync()[0];
    const { grads } = tf.variableGrads(() => mae.loss(x, { seed: 1, maskRatio: 0.5 }), vars);
    for (const v of vars) expect(tf.sum(tf.abs(grads[v.name])).dataSync()[0], v.name).toBeGreaterThan(0);
    tf.dispose(grads);
    for (let i = 0; i < 10; i++) opt.minimize(() => mae.loss(x, { seed: 1, maskRatio: 0.5 }), false, vars);
    const last = mae.loss(x, { seed: 1, maskRatio: 0.5 });
    expect(last.dataSync()[0]).toBeLessThan(f0);
    tf.dispose([x, first, last]);
    opt.dispose();
    mae.dispose();
  });
});
