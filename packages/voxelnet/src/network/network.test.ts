import {
  describeBackends,
  expectClose,
  expectNoLeakedTensors,
  fixtureTensor,
  loadFixture,
} from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { AnchorHead } from './anchor-head';
import { type Conv3dSpec, ConvMiddleLayers } from './middle';
import { scatterToDense } from './ops';
import { RpnBackbone, type RpnBlockSpec, type RpnUpsampleSpec } from './rpn';
import { VoxelFeatureExtractor } from './vfe';

const fx = loadFixture('voxelnet_tiny', new URL('../../test/fixtures/', import.meta.url));
const cfg = fx.config as {
  grid: number[];
  T: number;
  K: number;
  vfeChannels: number[];
  voxelChannels: number;
  middle: Conv3dSpec[];
  blocks: RpnBlockSpec[];
  upsample: RpnUpsampleSpec[];
  anchors: number;
};

function build() {
  const vfe = new VoxelFeatureExtractor({ vfeChannels: cfg.vfeChannels, outChannels: cfg.voxelChannels });
  const middle = new ConvMiddleLayers({ inChannels: cfg.voxelChannels, layers: cfg.middle });
  const rpn = new RpnBackbone({ inChannels: 16, blocks: cfg.blocks, upsample: cfg.upsample });
  const head = new AnchorHead({ inChannels: 24, anchorsPerLocation: cfg.anchors });
  vfe.loadStateDict(fx.params, 'vfe.');
  middle.loadStateDict(fx.params, 'middle.');
  rpn.loadStateDict(fx.params, 'rpn.');
  head.loadStateDict(fx.params, 'head.');
  return { vfe, middle, rpn, head };
}
const coords = Int32Array.from(fx.inputs.coords.data);

function run(stages: ReturnType<typeof build>, feats: tf.Tensor, mask: tf.Tensor, training = false) {
  return tf.tidy(() => {
    const vf = stages.vfe.apply([feats, mask], { training }) as tf.Tensor2D;
    const dense = scatterToDense(vf, coords, cfg.grid);
    const bev = stages.middle.apply(dense, { training }) as tf.Tensor4D;
    const feat = stages.rpn.apply(bev, { training }) as tf.Tensor4D;
    const [scores, boxes] = stages.head.apply(feat) as tf.Tensor[];
    return { vf, bev, feat, scores, boxes };
  });
}

describeBackends('VoxelNet stages vs the PyTorch reference (tiny config, eval mode)', () => {
  it('forward of every stage matches (float32, atol 1e-4)', async () => {
    const s = build();
    const feats = fixtureTensor(fx.inputs.features);
    const mask = fixtureTensor(fx.inputs.mask);
    const out = tf.tidy(() => run(s, feats, mask));
    expectClose(await out.vf.data(), fx.outputs.voxelFeatures.data, { atol: 1e-4, rtol: 1e-4, name: 'VFE' });
    expectClose(await out.bev.data(), fx.outputs.bev.data, { atol: 1e-4, rtol: 1e-4, name: 'middle' });
    expectClose(await out.feat.data(), fx.outputs.rpn.data, { atol: 1e-4, rtol: 1e-4, name: 'RPN' });
    expectClose(await out.scores.data(), fx.outputs.scores.data, { atol: 1e-4, rtol: 1e-4, name: 'scores' });
    expectClose(await out.boxes.data(), fx.outputs.boxes.data, { atol: 1e-4, rtol: 1e-4, name: 'boxes' });
    tf.dispose([out.vf, out.bev, out.feat, out.scores, out.boxes, feats, mask]);
  });

  it('gradients w.r.t. the input features and weights match', async () => {
    const s = build();
    const feats = fixtureTensor(fx.inputs.features);
    const mask = fixtureTensor(fx.inputs.mask);
    const u = fixtureTensor(fx.inputs.u);
    const v = fixtureTensor(fx.inputs.v);
    const byName = new Map<string, tf.Variable>();
    for (const [prefix, l] of [
      ['vfe.', s.vfe],
      ['middle.', s.middle],
      ['rpn.', s.rpn],
      ['head.', s.head],
    ] as const) {
      for (const w of l.trainableWeights)
        byName.set(prefix + (w.originalName.split('/').pop() as string), w.read() as tf.Variable);
    }
    const names = Object.keys(fx.grads).filter((n) => n !== 'features');
    const f = (x: tf.Tensor) => {
      const o = run(s, x, mask);
      return tf.add(tf.sum(tf.mul(o.scores, u)), tf.sum(tf.mul(o.boxes, v))) as tf.Scalar;
    };
    const gx = tf.grad(f)(feats);
    expectClose(await gx.data(), fx.grads.features.data, { atol: 1e-3, rtol: 1e-3, name: 'd features' });
    const { value, grads } = tf.variableGrads(
      () => f(feats),
      names.map((n) => byName.get(n)!),
    );
    for (const n of names) {
      const g = grads[byName.get(n)!.name];
      const ref = fixtureTensor(fx.grads[n]);
      // PyTorch layouts → tfjs layouts, as loadStateDict does
      const perm = ref.rank === 2 ? [1, 0] : ref.rank === 5 ? [2, 3, 4, 1, 0] : [2, 3, 1, 0];
      const refT = tf.transpose(ref, perm);
      expectClose(await g.data(), await refT.data(), { atol: 2e-3, rtol: 1e-3, name: `d ${n}` });
      tf.dispose([ref, refT]);
    }
    tf.dispose([gx, value, ...Object.values(grads), feats, mask, u, v]);
  });

  it('training mode: finite outputs, running statistics move, no leaked tensors', async () => {
    const s = build();
    const feats = fixtureTensor(fx.inputs.features);
    const mask = fixtureTensor(fx.inputs.mask);
    const rm = s.vfe.weights.find((w) => w.originalName.endsWith('vfe1.norm.running_mean'))!;
    const before = Array.from(await rm.read().data());
    const o = tf.tidy(() => run(s, feats, mask, true));
    expect(Array.from(await o.scores.data()).every(Number.isFinite)).toBe(true);
    expect(Array.from(await rm.read().data())).not.toEqual(before);
    tf.dispose([o.vf, o.bev, o.feat, o.scores, o.boxes]);
    await expectNoLeakedTensors(() => {
      const r = run(s, feats, mask, true);
      return [r.vf, r.bev, r.feat, r.scores, r.boxes];
    });
    await expectNoLeakedTensors(() =>
      tf.grad((x: tf.Tensor) => {
        const r = run(s, x, mask, true);
        return tf.sum(r.boxes) as tf.Scalar;
      })(feats),
    );
    tf.dispose([feats, mask]);
  });
});

describe('layer configs, serialization and input checks', () => {
  it('getConfig round-trips through the registered classes', () => {
    const layers = [
      new VoxelFeatureExtractor({ vfeChannels: [8, 16], outChannels: 16, seed: 3 }),
      new ConvMiddleLayers({ inChannels: 16, layers: cfg.middle }),
      new RpnBackbone({ inChannels: 16, blocks: cfg.blocks, upsample: cfg.upsample }),
      new AnchorHead({ inChannels: 24, anchorsPerLocation: 2 }),
    ];
    for (const l of layers) {
      const entry =
        tf.serialization.SerializationMap.getMap().classNameMap[
          (l.constructor as unknown as { className: string }).className
        ];
      expect(entry).toBeDefined();
      const [ctor, fromConfig] = entry;
      const copy = fromConfig(ctor, l.getConfig()) as unknown as { getConfig(): unknown };
      expect(copy.getConfig()).toEqual(l.getConfig());
    }
  });
  it('bad inputs and state dicts name the argument', () => {
    expect(() => new VoxelFeatureExtractor({ vfeChannels: [7] })).toThrow(
      /vfeChannels must be even integers/,
    );
    expect(
      () =>
        new RpnBackbone({
          upsample: [{ filters: 8, kernel: 3, stride: 2 }, ...cfg.upsample.slice(1)],
          blocks: cfg.blocks,
        }),
    ).toThrow(/upsample\[0\] must be kernel == stride/);
    const vfe = new VoxelFeatureExtractor({ vfeChannels: [8, 16], outChannels: 16 });
    expect(() => vfe.loadStateDict({})).toThrow(/stateDict\['vfe1.linear.weight'\] must be present/);
    const x = tf.zeros([4, 3, 5]);
    expect(() => vfe.apply([x, tf.ones([4, 3, 1])])).toThrow(/inputs must be \[features \[K, T, 7\]/);
    x.dispose();
  });
});
