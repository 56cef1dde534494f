import { groupedAdamW, MAE_PRESETS, MaskedAutoencoder, pool, VisionTransformer } from '@paperstack/maect';
import { SupportSet } from '@paperstack/nnclr';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase } from './cases';

/**
 * NNCLR support-set lookup (issue 6, item 7): a batch of 256 against a 65,536 × 256 queue, cosine
 * nearest neighbour (paper Eq. 1) or a uniform draw among the top 20 (MAE-CT `find_nn(topk)`),
 * through `SupportSet.lookup` with its default storage, as a user calls it. The PyTorch side is the
 * lightly / solo-learn / MAE-CT way: normalize, one product with the stored unit queue,
 * argmax or topk + draw, row gather.
 */
function lookupCase(topk: 1 | 20): BenchCase {
  const [size, dim, batch] = [65536, 256, 256];
  return {
    id: `nnclr-lookup-top${topk}`,
    name: `NNCLR support-set lookup, ${topk === 1 ? 'nearest neighbour' : `draw among top ${topk}`} (queue ${size.toLocaleString('en')} × ${dim}, batch ${batch}) vs solo-learn/MAE-CT find_nn`,
    group: 'nnclr',
    slowOnCpu: true,
    make() {
      const set = new SupportSet({ size, dim, seed: 0 });
      const z = tf.randomNormal([batch, dim], 0, 1, 'float32', 1) as tf.Tensor2D;
      return {
        run: () => set.lookup(z, { topk }).neighbours.dispose(),
        dispose: () => {
          z.dispose();
          set.dispose();
        },
      };
    },
    torch: { kind: 'nnclr_lookup', params: { size, dim, batch, topk } },
  };
}

type VitPreset = 'tiny' | 'vit-b/16';

function vitOptions(preset: VitPreset) {
  const { decoderEmbedDim: _e, decoderDepth: _d, decoderNumHeads: _h, ...vit } = MAE_PRESETS[preset];
  return { imgSize: 224, patchSize: 16, ...vit };
}

const LABEL: Record<VitPreset, string> = {
  tiny: 'ViT tiny (32², patch 4, D 64 × 4 blocks)',
  'vit-b/16': 'ViT-B/16 (224²)',
};

/** `@paperstack/maect` `VisionTransformer.encode`, all patches, vs facebookresearch/mae's encoder. */
function vitForwardCase(preset: VitPreset, batch: number): BenchCase {
  const opts = vitOptions(preset);
  return {
    id: `vit-${preset === 'tiny' ? 'tiny' : 'b16'}-fwd`,
    name: `${LABEL[preset]} encoder forward, batch ${batch} vs facebookresearch/mae`,
    group: 'vit',
    items: batch,
    slowOnCpu: true,
    skipColumns: preset === 'tiny' ? undefined : { cpu: 'minutes per call' },
    make() {
      const vit = new VisionTransformer(opts);
      vit.build();
      const x = tf.randomNormal([batch, opts.imgSize, opts.imgSize, 3], 0, 1, 'float32', 1);
      return {
        run: () => tf.dispose(vit.encode(x)),
        dispose: () => {
          x.dispose();
          vit.dispose();
        },
      };
    },
    torch: { kind: 'mae_vit', params: { ...opts, batch, mode: 'forward' } },
  };
}

/**
 * ViT-B/16 encoder forward + backward on all 196 patches: gradients of the mean patch token
 * w.r.t. every encoder weight (no optimizer; the MAE row below has one).
 */
function vitBackwardCase(batch: number): BenchCase {
  const opts = vitOptions('vit-b/16');
  return {
    id: 'vit-b16-fwd-bwd',
    name: `${LABEL['vit-b/16']} encoder fwd+bwd (all weight gradients), batch ${batch} vs facebookresearch/mae`,
    group: 'vit',
    items: batch,
    slowOnCpu: true,
    skipColumns: {
      cpu: 'minutes per call',
      'wasm-stock':
        'exhausts the 4 GiB wasm heap: the published Identity kernel copies every tensor the tape saves (bench/NOTES.md)',
    },
    make() {
      const vit = new VisionTransformer(opts);
      vit.build();
      const x = tf.randomNormal([batch, opts.imgSize, opts.imgSize, 3], 0, 1, 'float32', 1);
      const vars = vit.trainableWeights.map((w) => w.read() as tf.Variable);
      return {
        run: () => {
          const { value, grads } = tf.variableGrads(
            () => tf.mean(pool(vit.encode(x), 'meanPatch')) as tf.Scalar,
            vars,
          );
          tf.dispose([value, Object.values(grads)]);
        },
        dispose: () => {
          x.dispose();
          vit.dispose();
        },
      };
    },
    torch: { kind: 'mae_vit', params: { ...opts, batch, mode: 'backward' } },
  };
}

/**
 * One MAE pre-training step: `MaskedAutoencoder.loss` (mask ratio 0.75, normalized-pixel loss)
 * forward and backward, then an AdamW update (MAE: β = (0.9, 0.95), weight decay 0.05), vs
 * `MaskedAutoencoderViT.forward` + `torch.optim.AdamW`. A new mask per call, as in training.
 */
function maeTrainCase(preset: VitPreset, batch: number): BenchCase {
  const opts = { imgSize: 224, patchSize: 16, ...MAE_PRESETS[preset] };
  const big = preset !== 'tiny';
  return {
    id: `mae-${big ? 'b16' : 'tiny'}-train`,
    name:
      `MAE training step (${big ? 'ViT-B/16 224² + decoder 512 × 8' : 'tiny preset + decoder 64 × 2'}, ` +
      `mask 0.75, AdamW), batch ${batch} vs facebookresearch/mae`,
    group: 'vit',
    items: batch,
    slowOnCpu: true,
    skipColumns: big
      ? {
          cpu: 'minutes per call',
          'wasm-stock':
            'exhausts the 4 GiB wasm heap: the published Identity kernel copies every tensor the tape saves (bench/NOTES.md)',
        }
      : undefined,
    make() {
      const mae = new MaskedAutoencoder(opts);
      const x = tf.randomNormal([batch, opts.imgSize, opts.imgSize, 3], 0, 1, 'float32', 1);
      const vars = mae.trainableVariables();
      const opt = groupedAdamW([{ variables: vars, lr: 1.5e-4, weightDecay: 0.05 }]);
      let seed = 0;
      return {
        run: () => {
          seed += 1;
          const { value, grads } = tf.variableGrads(() => mae.loss(x, { seed }), vars);
          opt.applyGradients(grads);
          tf.dispose([value, Object.values(grads)]);
        },
        dispose: () => {
          opt.dispose();
          x.dispose();
          mae.dispose();
        },
      };
    },
    torch: {
      kind: 'mae_train',
      params: { ...opts, batch, maskRatio: 0.75, lr: 1.5e-4, weightDecay: 0.05, betas: [0.9, 0.95] },
    },
  };
}

/** The nnclr and maect cases (issues 6 and 10, item 7). */
export const MODEL_CASES: BenchCase[] = [
  lookupCase(1),
  lookupCase(20),
  vitForwardCase('tiny', 64),
  maeTrainCase('tiny', 64),
  vitForwardCase('vit-b/16', 2),
  vitBackwardCase(2),
  maeTrainCase('vit-b/16', 2),
];
