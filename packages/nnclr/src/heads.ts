import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import { assertInRange, assertPositiveInt, assertPositiveNumber, fmtShape, NnclrInputError } from './errors';
import { uniforms } from './random';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Kwargs = Parameters<layers.Layer['call']>[1];
type Shape = (number | null)[];

/** Options of {@link MlpHead} (and its presets {@link ProjectionHead}, {@link PredictionHead}). */
export interface MlpHeadArgs extends LayerArgs {
  /** Output size of each linear layer in order; the last is the head's output size. */
  units?: number[];
  /**
   * Which linear layers are followed by BatchNorm: `'all'` (projection head: paper §4, lightly,
   * solo-learn, MAE-CT), `'hidden'` (prediction head: all but the last) or `'none'`.
   */
  batchNorm?: 'all' | 'hidden' | 'none';
  /**
   * Bias of the linear layers: `'auto'` (default; lightly, MAE-CT projector): a layer has a bias
   * iff no BatchNorm follows it (BN's shift makes it redundant). `'always'` (solo-learn): every
   * layer. `'never'` (MAE-CT predictor).
   */
  bias?: 'auto' | 'always' | 'never';
  /** BatchNorm momentum in PyTorch's convention, `running ← (1−m)·running + m·batch`. Default 0.1. */
  bnMomentum?: number;
  /** BatchNorm epsilon. Default 1e-5 (PyTorch). */
  bnEpsilon?: number;
  /**
   * Seed of the initial weights: linear weights and biases ~ U(±1/√fan_in) as PyTorch's
   * `nn.Linear`, BN scale 1 and shift 0. Unset: unseeded.
   */
  seed?: number;
}

/** A state-dict entry: a tensor, or row-major numbers with a shape (as in the fixtures). */
export type StateDictValue = tf.Tensor | { shape: number[]; data: ArrayLike<number> };

/** Options of {@link MlpHead.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Prefix of every key, e.g. `'projector.'` (solo-learn, MAE-CT) or `'layers.'` (lightly heads). */
  prefix?: string;
}

interface Block {
  kernel: LayerVariable;
  bias?: LayerVariable;
  gamma?: LayerVariable;
  beta?: LayerVariable;
  movingMean?: LayerVariable;
  movingVariance?: LayerVariable;
  /** PyTorch `nn.Sequential` index of the Linear and of its BatchNorm. */
  linearIndex: number;
  bnIndex: number;
}

/**
 * The NNCLR heads' building block: a stack of `Linear → [BatchNorm] → ReLU` blocks whose last
 * block has no ReLU (paper §4 "Implementation details", as quoted in lightly
 * `lightly/models/modules/heads.py`; MAE-CT `models/contrastive_heads/base/contrastive_head_base.py`).
 *
 * Input `[batch, inputDim]`, output `[batch, units.at(-1)]`. BatchNorm uses the batch's statistics
 * when called with `{training: true}` (and updates its running statistics, PyTorch-style, with the
 * unbiased batch variance), the running statistics otherwise.
 */
export class MlpHead extends layers.Layer {
  static className = 'NnclrMlpHead';
  readonly units: number[];
  readonly batchNorm: 'all' | 'hidden' | 'none';
  readonly bias: 'auto' | 'always' | 'never';
  readonly bnMomentum: number;
  readonly bnEpsilon: number;
  readonly seed?: number;
  private blocks: Block[] = [];

  constructor(args: MlpHeadArgs) {
    super(args);
    const where = (this.constructor as typeof MlpHead).className;
    const units = args.units;
    if (!Array.isArray(units) || units.length === 0) {
      throw new NnclrInputError(where, 'args.units', 'a non-empty array of layer sizes', String(units));
    }
    units.forEach((u, i) => {
      assertPositiveInt(where, `args.units[${i}]`, u);
    });
    this.units = [...units];
    this.batchNorm = args.batchNorm ?? 'all';
    this.bias = args.bias ?? 'auto';
    if (!['all', 'hidden', 'none'].includes(this.batchNorm)) {
      throw new NnclrInputError(where, 'args.batchNorm', "'all', 'hidden' or 'none'", String(this.batchNorm));
    }
    if (!['auto', 'always', 'never'].includes(this.bias)) {
      throw new NnclrInputError(where, 'args.bias', "'auto', 'always' or 'never'", String(this.bias));
    }
    this.bnMomentum = assertInRange(where, 'args.bnMomentum', args.bnMomentum ?? 0.1, 0, 1);
    this.bnEpsilon = assertPositiveNumber(where, 'args.bnEpsilon', args.bnEpsilon ?? 1e-5);
    if (args.seed != null && !Number.isInteger(args.seed)) {
      throw new NnclrInputError(where, 'args.seed', 'an integer', String(args.seed));
    }
    this.seed = args.seed;
  }

  private hasBn(i: number): boolean {
    return this.batchNorm === 'all' || (this.batchNorm === 'hidden' && i < this.units.length - 1);
  }

  private hasBias(i: number): boolean {
    return this.bias === 'always' || (this.bias === 'auto' && !this.hasBn(i));
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inDim = shape[shape.length - 1];
    if (shape.length !== 2 || inDim == null) {
      throw new NnclrInputError(this.name, 'input', 'shape [batch, features]', fmtShape(shape as number[]));
    }
    let fanIn = inDim;
    let seq = 0;
    this.blocks = this.units.map((out, i) => {
      const limit = 1 / Math.sqrt(fanIn);
      const uniform = initializers.randomUniform({ minval: -limit, maxval: limit });
      const block: Block = {
        kernel: this.addWeight(`linear${i}/kernel`, [fanIn, out], 'float32', uniform),
        linearIndex: seq++,
        bnIndex: -1,
      };
      if (this.hasBias(i)) block.bias = this.addWeight(`linear${i}/bias`, [out], 'float32', uniform);
      if (this.seed != null) {
        // Seeded draws come from this package's generator: tfjs's seeded initializers treat a seed
        // of 0 as "no seed".
        const seed = this.seed;
        const fill = (v: LayerVariable, k: number) =>
          tf.tidy(() => {
            const n = v.shape.reduce((a: number, b) => a * (b as number), 1);
            v.write(tf.tensor(uniforms(n, seed * 1009 + 2 * i + k, -limit, limit), v.shape as number[]));
          });
        fill(block.kernel, 0);
        if (block.bias) fill(block.bias, 1);
      }
      if (this.hasBn(i)) {
        block.bnIndex = seq++;
        block.gamma = this.addWeight(`bn${i}/gamma`, [out], 'float32', initializers.ones());
        block.beta = this.addWeight(`bn${i}/beta`, [out], 'float32', initializers.zeros());
        block.movingMean = this.addWeight(
          `bn${i}/moving_mean`,
          [out],
          'float32',
          initializers.zeros(),
          undefined,
          false,
        );
        block.movingVariance = this.addWeight(
          `bn${i}/moving_variance`,
          [out],
          'float32',
          initializers.ones(),
          undefined,
          false,
        );
      }
      if (i < this.units.length - 1) seq++; // ReLU
      fanIn = out;
      return block;
    });
    this.built = true;
  }

  /**
   * Frees the weights. Unlike a plain tfjs layer, a head that was only built with `build()` (to
   * load a state dict) and never called can be disposed too, and an unbuilt one is a no-op.
   */
  override dispose(): ReturnType<layers.Layer['dispose']> {
    if (!this.built) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    if (this._refCount === null) this._refCount = 1;
    return super.dispose();
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [shape[0], this.units[this.units.length - 1]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x0 = Array.isArray(inputs) ? inputs[0] : inputs;
      const training = kwargs?.training === true;
      const inDim = this.blocks.length ? this.blocks[0].kernel.shape[0] : undefined;
      if (x0.rank !== 2 || x0.shape[1] !== inDim) {
        throw new NnclrInputError(this.name, 'input', `shape [batch, ${inDim}]`, fmtShape(x0.shape));
      }
      if (training && this.batchNorm !== 'none' && x0.shape[0] < 2) {
        throw new NnclrInputError(
          this.name,
          'input',
          'a batch of >= 2 rows in training (BatchNorm)',
          fmtShape(x0.shape),
        );
      }
      let x: tf.Tensor = x0;
      this.blocks.forEach((b, i) => {
        x = tf.matMul(x as tf.Tensor2D, b.kernel.read() as tf.Tensor2D);
        if (b.bias) x = tf.add(x, b.bias.read());
        if (b.gamma && b.beta && b.movingMean && b.movingVariance) {
          x = this.batchNormalize(x, b, training);
        }
        if (i < this.blocks.length - 1) x = tf.relu(x);
      });
      return x;
    });
  }

  private batchNormalize(x: tf.Tensor, b: Block, training: boolean): tf.Tensor {
    const gamma = b.gamma!.read();
    const beta = b.beta!.read();
    if (!training) {
      const scale = tf.div(gamma, tf.sqrt(tf.add(b.movingVariance!.read(), this.bnEpsilon)));
      return tf.add(tf.mul(tf.sub(x, b.movingMean!.read()), scale), beta);
    }
    const { mean, variance } = tf.moments(x, 0);
    const n = x.shape[0];
    const m = this.bnMomentum;
    // Running statistics as PyTorch BatchNorm1d: unbiased variance, momentum m.
    const mm = b.movingMean!;
    const mv = b.movingVariance!;
    mm.write(tf.add(tf.mul(mm.read(), 1 - m), tf.mul(tf.clone(mean), m)));
    mv.write(tf.add(tf.mul(mv.read(), 1 - m), tf.mul(tf.clone(variance), (m * n) / (n - 1))));
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, this.bnEpsilon)));
    return tf.add(tf.mul(tf.sub(x, mean), scale), beta);
  }

  /**
   * The weights under PyTorch names (`<i>.weight` `[out, in]`, `<i>.bias`, BN `<j>.weight`,
   * `.bias`, `.running_mean`, `.running_var`), with `i`, `j` the `nn.Sequential` indices of the
   * reference heads. The caller owns the returned tensors.
   */
  stateDict(options: LoadStateDictOptions = {}): Record<string, tf.Tensor> {
    this.assertBuilt('stateDict');
    const p = options.prefix ?? '';
    const out: Record<string, tf.Tensor> = {};
    for (const b of this.blocks) {
      out[`${p}${b.linearIndex}.weight`] = tf.transpose(b.kernel.read());
      if (b.bias) out[`${p}${b.linearIndex}.bias`] = tf.clone(b.bias.read());
      if (b.gamma) {
        out[`${p}${b.bnIndex}.weight`] = tf.clone(b.gamma.read());
        out[`${p}${b.bnIndex}.bias`] = tf.clone(b.beta!.read());
        out[`${p}${b.bnIndex}.running_mean`] = tf.clone(b.movingMean!.read());
        out[`${p}${b.bnIndex}.running_var`] = tf.clone(b.movingVariance!.read());
      }
    }
    return out;
  }

  /**
   * Loads reference (PyTorch) weights by their `state_dict` names (see `stateDict`). Linear weights
   * are `[out, in]` and are transposed. `num_batches_tracked` is ignored. Throws, listing them, on
   * missing, unexpected or mis-shaped keys; loads nothing in that case.
   */
  loadStateDict(dict: Record<string, StateDictValue>, options: LoadStateDictOptions = {}): void {
    this.assertBuilt('loadStateDict');
    const p = options.prefix ?? '';
    const plan: [LayerVariable, string, number[], boolean][] = [];
    for (const b of this.blocks) {
      const [inDim, out] = b.kernel.shape as number[];
      plan.push([b.kernel, `${p}${b.linearIndex}.weight`, [out, inDim], true]);
      if (b.bias) plan.push([b.bias, `${p}${b.linearIndex}.bias`, [out], false]);
      if (b.gamma) {
        plan.push([b.gamma, `${p}${b.bnIndex}.weight`, [out], false]);
        plan.push([b.beta!, `${p}${b.bnIndex}.bias`, [out], false]);
        plan.push([b.movingMean!, `${p}${b.bnIndex}.running_mean`, [out], false]);
        plan.push([b.movingVariance!, `${p}${b.bnIndex}.running_var`, [out], false]);
      }
    }
    const wanted = new Set(plan.map((e) => e[1]));
    const missing = plan.filter((e) => !(e[1] in dict)).map((e) => e[1]);
    const unexpected = Object.keys(dict).filter(
      (k) => k.startsWith(p) && !wanted.has(k) && !k.endsWith('num_batches_tracked'),
    );
    const misShaped = plan
      .filter((e) => e[1] in dict && dict[e[1]].shape.join() !== e[2].join())
      .map((e) => `${e[1]} ${fmtShape(dict[e[1]].shape)} (expected ${fmtShape(e[2])})`);
    if (missing.length || unexpected.length || misShaped.length) {
      const parts = [
        missing.length ? `missing ${missing.join(', ')}` : '',
        unexpected.length ? `unexpected ${unexpected.join(', ')}` : '',
        misShaped.length ? `mis-shaped ${misShaped.join(', ')}` : '',
      ].filter(Boolean);
      throw new NnclrInputError(
        `${this.name}.loadStateDict`,
        'dict',
        'the reference keys and shapes',
        parts.join('; '),
      );
    }
    for (const [variable, key, shape, transpose] of plan) {
      const v = dict[key];
      tf.tidy(() => {
        const t =
          v instanceof tf.Tensor ? tf.cast(v, 'float32') : tf.tensor(Array.from(v.data), shape, 'float32');
        variable.write(transpose ? tf.transpose(t) : t);
      });
    }
  }

  private assertBuilt(what: string): void {
    if (!this.built) {
      throw new NnclrInputError(
        `${this.name}.${what}`,
        'layer',
        'built (call it once or build([null, inputDim]))',
        'an unbuilt layer',
      );
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: [...this.units],
      batchNorm: this.batchNorm,
      bias: this.bias,
      bnMomentum: this.bnMomentum,
      bnEpsilon: this.bnEpsilon,
    };
    if (this.seed != null) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}

/**
 * NNCLR's projection MLP g (paper §4): Linear → BN → ReLU → Linear → BN → ReLU → Linear → BN,
 * default sizes [2048, 2048, 256]. Same layout and parameter names as lightly
 * `NNCLRProjectionHead` (prefix `layers.`), solo-learn `NNCLR.projector` (`bias: 'always'`) and
 * MAE-CT `create_projector` (prefix `projector.`).
 */
export class ProjectionHead extends MlpHead {
  static override className = 'NnclrProjectionHead';
  constructor(args: MlpHeadArgs = {}) {
    super({ units: [2048, 2048, 256], batchNorm: 'all', ...args });
  }
}

/**
 * NNCLR's prediction MLP h (paper §4): Linear → BN → ReLU → Linear, default sizes [4096, 256].
 * Same layout as lightly `NNCLRPredictionHead` (last layer with bias: `bias: 'auto'`), solo-learn
 * `NNCLR.predictor` (`'always'`) and MAE-CT `create_predictor` (`'never'`).
 */
export class PredictionHead extends MlpHead {
  static override className = 'NnclrPredictionHead';
  constructor(args: MlpHeadArgs = {}) {
    super({ units: [4096, 256], batchNorm: 'hidden', ...args });
  }
}

tf.serialization.registerClass(MlpHead);
tf.serialization.registerClass(ProjectionHead);
tf.serialization.registerClass(PredictionHead);

/** Options of {@link EmaHead}. */
export interface EmaHeadOptions {
  /** EMA factor τ of `target ← τ·target + (1−τ)·online`. Default 0.99 (MAE-CT `target_factor`). */
  momentum?: number;
}

/**
 * A momentum (EMA) copy of a head, as MAE-CT's stage-3 `NnclrEmaQueueHead`
 * (`models/contrastive_heads/nnclr_ema_queue_head.py`, `utils/model_utils.py update_ema`): the
 * target starts as a copy of the online head, is never trained, and after each optimizer step
 * moves towards it by `update()`; BatchNorm running statistics are copied, not averaged. In MAE-CT
 * the target projection is what is looked up in and written to the queue.
 */
export class EmaHead {
  readonly target: MlpHead;
  readonly momentum: number;

  constructor(
    readonly online: MlpHead,
    options: EmaHeadOptions = {},
  ) {
    const where = 'EmaHead';
    if (!(online instanceof MlpHead))
      throw new NnclrInputError(where, 'online', 'an MlpHead', String(online));
    if (!online.built) throw new NnclrInputError(where, 'online', 'a built head', 'an unbuilt one');
    this.momentum = assertInRange(where, 'options.momentum', options.momentum ?? 0.99, 0, 1);
    const Cls = online.constructor as new (args: MlpHeadArgs) => MlpHead;
    const config = online.getConfig() as unknown as MlpHeadArgs;
    this.target = new Cls({ ...config, name: `${online.name}_ema`, trainable: false });
    const inDim = online.weights[0].shape[0] as number;
    this.target.build([null, inDim]);
    this.target.setWeights(online.getWeights());
  }

  /** `target ← τ·target + (1−τ)·online` for trainable weights; running statistics copied. */
  update(): void {
    const m = this.momentum;
    const src = this.online.weights;
    const dst = this.target.weights;
    tf.tidy(() => {
      src.forEach((s, i) => {
        const d = dst[i];
        d.write(s.trainable ? tf.add(tf.mul(d.read(), m), tf.mul(s.read(), 1 - m)) : tf.clone(s.read()));
      });
    });
  }

  /** The target head's output `[batch, units.at(-1)]`. */
  apply(x: tf.Tensor2D, kwargs: { training?: boolean } = {}): tf.Tensor2D {
    return this.target.apply(x, kwargs) as tf.Tensor2D;
  }

  /** Frees the target head's weights (the online head is the caller's). */
  dispose(): void {
    this.target.dispose();
  }
}
