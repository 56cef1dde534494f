/**
 * The classifier family IWA aggregates: small binary classifiers on 2-D inputs, trained with
 * per-example (importance) weights by full-batch Adam on the weighted logistic loss.
 * - `hopfield`: dense(width, tanh) → `HopfieldLayer` (the embedding is the state pattern; `quantity`
 *   learned stored patterns are the memory, retrieval with inverse temperature `scaling`) → linear logit;
 * - `mlp`: dense(width, relu) → dense(width, relu) → linear logit.
 */
import { HopfieldLayer } from '@paperstack/hopfield-layer';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type ClassifierSpec =
  | { kind: 'hopfield'; width: number; quantity: number; scaling: number }
  | { kind: 'mlp'; width: number };

export interface TrainOptions {
  steps: number;
  learningRate: number;
  /** L2 penalty on all weights (sum of squares), added to the weighted mean loss. */
  l2: number;
}

export function describeSpec(s: ClassifierSpec): string {
  return s.kind === 'hopfield'
    ? `Hopfield (width ${s.width}, ${s.quantity} stored, β ${s.scaling})`
    : `MLP (2 × ${s.width})`;
}

export class Classifier {
  private readonly layers: tfl.layers.Layer[];
  private readonly hopfield: HopfieldLayer | null = null;
  private built = false;

  constructor(
    readonly spec: ClassifierSpec,
    readonly seed: number,
  ) {
    const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 131 + k });
    if (spec.kind === 'hopfield') {
      this.hopfield = new HopfieldLayer({
        inputSize: spec.width,
        quantity: spec.quantity,
        scaling: spec.scaling,
        seed: seed * 131 + 2,
      });
      this.layers = [
        tfl.layers.dense({ units: spec.width, activation: 'tanh', kernelInitializer: init(1) }),
        this.hopfield,
        tfl.layers.dense({ units: 1, kernelInitializer: init(3) }),
      ];
    } else {
      this.layers = [
        tfl.layers.dense({ units: spec.width, activation: 'relu', kernelInitializer: init(1) }),
        tfl.layers.dense({ units: spec.width, activation: 'relu', kernelInitializer: init(2) }),
        tfl.layers.dense({ units: 1, kernelInitializer: init(3) }),
      ];
    }
  }

  /** Logits `[n]` for inputs `[n, 2]`. */
  logits(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      this.built = true;
      let h = this.layers[0].apply(x) as tf.Tensor;
      if (this.hopfield) {
        h = tf.squeeze(this.hopfield.apply(tf.expandDims(h, 1)) as tf.Tensor3D, [1]);
        h = this.layers[2].apply(h) as tf.Tensor;
      } else {
        for (const l of this.layers.slice(1)) h = l.apply(h) as tf.Tensor;
      }
      return tf.reshape(h, [-1]) as tf.Tensor1D;
    });
  }

  private variables(): tf.Variable[] {
    return this.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** Minimises Σ_i w̃_i·BCE(f(x_i), y_i) + l2·‖θ‖² with w̃ = w/Σw; returns the final loss. */
  train(x: number[][], y: number[], weights: number[], opts: TrainOptions): number {
    const sw = weights.reduce((a, b) => a + b, 0);
    const X = tf.tensor2d(x);
    const Y = tf.tensor1d(y);
    const W = tf.tensor1d(weights.map((v) => v / sw));
    tf.dispose(tf.tidy(() => this.logits(tf.zeros([1, 2]))));
    const vars = this.variables();
    const opt = tf.train.adam(opts.learningRate);
    let last = Number.NaN;
    for (let s = 0; s < opts.steps; s++) {
      const loss = opt.minimize(
        () => {
          const f = this.logits(X);
          // numerically stable BCE with logits: max(f, 0) − f·y + log(1 + exp(−|f|))
          const bce = tf.add(tf.sub(tf.relu(f), tf.mul(f, Y)), tf.log1p(tf.exp(tf.neg(tf.abs(f)))));
          const data = tf.sum(tf.mul(W, bce));
          const reg = tf.addN(vars.map((v) => tf.sum(tf.square(v))));
          return tf.add(data, tf.mul(opts.l2, reg)) as tf.Scalar;
        },
        s === opts.steps - 1,
        vars,
      );
      if (loss) {
        last = loss.dataSync()[0];
        loss.dispose();
      }
    }
    opt.dispose();
    tf.dispose([X, Y, W]);
    return last;
  }

  /** Class probabilities `[[p(0), p(1)], …]`. */
  predictProba(x: number[][]): number[][] {
    const X = tf.tensor2d(x);
    const p = tf.tidy(() => tf.sigmoid(this.logits(X)));
    const v = p.dataSync();
    tf.dispose([X, p]);
    return Array.from(v, (q) => [1 - q, q]);
  }

  dispose(): void {
    if (this.built) for (const l of this.layers) l.dispose();
  }
}
