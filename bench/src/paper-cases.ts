import { Hopfield } from '@paperstack/hopfield-layer';
import { clipLoss, cloobLoss, infoLoobLoss } from '@paperstack/infoloob';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase } from './cases';

/** Keeps the given tensors alive for the case and disposes them (and the extra cleanup) at the end. */
function owning(tensors: tf.Tensor[], run: () => void, cleanup: () => void = () => {}) {
  return {
    run,
    dispose: () => {
      tf.dispose(tensors);
      cleanup();
    },
  };
}

interface HopfieldShape {
  batch: number;
  seq: number;
  input: number;
  heads: number;
}

/**
 * `Hopfield` (self-association, default options) forward, or forward + backward w.r.t. the input
 * and every parameter, vs hflayers' `Hopfield` on the same shapes (issue 4, item 5).
 */
function hopfieldCase(id: string, s: HopfieldShape, backward: boolean): BenchCase {
  return {
    id,
    name: `Hopfield ${backward ? 'fwd+bwd' : 'forward'} (batch ${s.batch}, S = L = ${s.seq}, input ${s.input}, ${s.heads} head${s.heads > 1 ? 's' : ''}) vs hflayers`,
    group: 'hopfield',
    slowOnCpu: true,
    make() {
      const layer = new Hopfield({ inputSize: s.input, numHeads: s.heads });
      const x = tf.variable(tf.randomNormal([s.batch, s.seq, s.input], 0, 1, 'float32', 21));
      tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
      const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
      const forward = () => layer.apply(x) as tf.Tensor;
      const run = backward
        ? () => {
            const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(forward())) as tf.Scalar, vars);
            tf.dispose([value, Object.values(grads)]);
          }
        : () => tf.dispose(forward());
      return owning([x], run, () => layer.dispose());
    },
    torch: { kind: 'hflayers_hopfield', params: { ...s, backward } },
  };
}

type LossName = 'cloob' | 'infoloob' | 'clip';

/** A contrastive loss and its gradient w.r.t. both embeddings vs ml-jku/cloob (issue 5, item 4). */
function lossCase(loss: LossName, batch: number, dim: number): BenchCase {
  const invTau = 30;
  const beta = 8;
  const fn = {
    cloob: (x: tf.Tensor2D, y: tf.Tensor2D) =>
      cloobLoss(x, y, { invTau, hopfieldBeta: beta, checkNormalized: false }),
    infoloob: (x: tf.Tensor2D, y: tf.Tensor2D) => infoLoobLoss(x, y, { invTau, checkNormalized: false }),
    clip: (x: tf.Tensor2D, y: tf.Tensor2D) => clipLoss(x, y, { invTau, checkNormalized: false }),
  }[loss];
  return {
    id: `${loss}-${batch}`,
    name: `${loss === 'cloob' ? 'CLOOB' : loss === 'clip' ? 'CLIP' : 'InfoLOOB'} loss + gradients (batch ${batch}, dim ${dim}) vs ml-jku/cloob`,
    group: 'contrastive',
    slowOnCpu: batch > 512,
    make() {
      const unit = (seed: number) =>
        tf.tidy(() => {
          const t = tf.randomNormal([batch, dim], 0, 1, 'float32', seed);
          return tf.div(t, tf.norm(t, 'euclidean', 1, true)) as tf.Tensor2D;
        });
      const x = unit(31);
      const y = unit(32);
      const step = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => fn(a as tf.Tensor2D, b as tf.Tensor2D));
      return owning([x, y], () => {
        const { value, grads } = step([x, y]);
        tf.dispose([value, grads]);
      });
    },
    torch: { kind: 'cloob_train', params: { loss, batch, dim, invTau, beta } },
  };
}

/** The paper packages' benchmark cases (each against its reference implementation). */
export const PAPER_CASES: BenchCase[] = [
  hopfieldCase('hopfield-fwd', { batch: 32, seq: 128, input: 256, heads: 8 }, false),
  hopfieldCase('hopfield-train', { batch: 32, seq: 128, input: 256, heads: 8 }, true),
  hopfieldCase('hopfield-long-fwd', { batch: 8, seq: 1024, input: 64, heads: 1 }, false),
  hopfieldCase('hopfield-long-train', { batch: 8, seq: 1024, input: 64, heads: 1 }, true),
  lossCase('cloob', 512, 512),
  lossCase('cloob', 1024, 512),
  lossCase('infoloob', 1024, 512),
  lossCase('clip', 1024, 512),
];
