import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { assertPositiveInt, fmtShape, NnclrInputError } from './errors';
import type { EmaHead, MlpHead } from './heads';
import { type NnclrTwoViewLossOptions, nnclrTwoViewLoss } from './losses';
import type { SupportSet } from './support-set';

/** An encoder as a function: `[batch, ...] → [batch, features]`. */
export type EncoderFn = (x: tf.Tensor, training: boolean) => tf.Tensor;

/** Options of {@link NnclrTrainer}; every default is stated here once. */
export interface NnclrTrainerOptions {
  /**
   * The backbone f: a `tf.LayersModel` (its trainable weights are trained unless
   * `trainEncoder: false`) or a function (then list its variables in `variables`).
   */
  encoder: LayersModel | EncoderFn;
  /** Projection head g (e.g. {@link ProjectionHead}). */
  projector: MlpHead;
  /** Prediction head h (e.g. {@link PredictionHead}). */
  predictor: MlpHead;
  /**
   * The support set Q; its `dim` must equal the projector's output size. With `init: 'empty'`, the
   * steps before it holds `topk` rows use each sample's own projection as the positive.
   */
  supportSet: SupportSet;
  /** Any tfjs optimizer, or {@link Lars} / {@link AdamW} from this package. */
  optimizer: tf.Optimizer;
  /**
   * MAE-CT stage 3: an EMA copy of the projector. Its projections are looked up in and written
   * to the queue; the online projector feeds the predictor. Updated after every step. Default none.
   */
  ema?: EmaHead;
  /** Loss variant and temperature ({@link nnclrTwoViewLoss}; default one-directional, τ = 0.1). */
  loss?: NnclrTwoViewLossOptions;
  /** Neighbour choice: 1 = nearest (default), k > 1 = uniform among the top k (MAE-CT stage 3: 20). */
  topk?: number;
  /** Exclude a sample's own earlier queue entry when `ids` are given (MAE-CT). Default true. */
  excludeSelf?: boolean;
  /** Train the encoder (false: MAE-CT stage 2, frozen encoder, only the heads learn). Default true. */
  trainEncoder?: boolean;
  /** Extra variables to train, e.g. those of a function encoder. Default none. */
  variables?: tf.Variable[];
  /** Learning rate per step (0-based), applied before the update, e.g. {@link warmupCosine}. */
  learningRate?: (step: number) => number;
}

/** One batch: two augmented views of the same samples, `[batch, ...]` each. */
export interface TwoViewBatch {
  view0: tf.Tensor;
  view1: tf.Tensor;
  /** `[batch]` dataset index of each sample (for `excludeSelf`, stored with the queue rows). */
  ids?: ArrayLike<number>;
  /** `[batch]` labels, only for the nearest-neighbour accuracy metric. */
  labels?: ArrayLike<number>;
}

/** What one step reports. */
export interface StepInfo {
  /** 0-based step index. */
  step: number;
  loss: number;
  /** Share of view-0 samples whose neighbour carries the same label (when labels are given). */
  nnAccuracy?: number;
  learningRate?: number;
  /** Wall time of the step. */
  ms: number;
}

/** Options of {@link NnclrTrainer.fit}. */
export interface FitOptions {
  /** Stop after this many steps (default: when the batches run out). */
  steps?: number;
  /** Called after every step (progress reporting). */
  onStep?: (info: StepInfo) => void;
  /** Dispose each batch's tensors after its step. Default true. */
  disposeBatches?: boolean;
}

/** A training step between its update and its read-back (see `NnclrTrainer.beginStep`). */
interface PendingStep {
  value: tf.Scalar;
  /** View-0 neighbour positions `[batch]`; null while the queue is not ready. */
  indices: tf.Tensor1D | null;
  queued: tf.Tensor2D;
  ids: TwoViewBatch['ids'];
  labels: TwoViewBatch['labels'];
  n: number;
  t0: number;
  lr: number | undefined;
  dispose: () => void;
}

/** A copy of `x` that the gradient treats as a constant (tfjs has no stopGradient op). */
const constant = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D) => tf.Tensor2D;

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else if (typeof o.learningRate === 'number') o.learningRate = lr;
  else
    throw new NnclrInputError(
      'NnclrTrainer',
      'options.learningRate',
      'an optimizer whose rate can be set',
      opt.getClassName(),
    );
}

/**
 * One NNCLR training step per batch (paper Algorithm / §3): embed both views, project and predict,
 * look up neighbours in the support set (no gradient), compute the loss, update, then enqueue
 * view 0's projections (solo-learn and MAE-CT enqueue one view per step). With `ema`, MAE-CT's
 * stage-3 head: the EMA projector's output is looked up and enqueued, and the EMA is updated after
 * the optimizer step.
 */
export class NnclrTrainer {
  private readonly opts: NnclrTrainerOptions;
  private steps = 0;

  constructor(options: NnclrTrainerOptions) {
    const where = 'NnclrTrainer';
    if (options == null || typeof options !== 'object')
      throw new NnclrInputError(where, 'options', 'an object', String(options));
    for (const k of ['encoder', 'projector', 'predictor', 'supportSet', 'optimizer'] as const) {
      if (options[k] == null) throw new NnclrInputError(where, `options.${k}`, 'set', String(options[k]));
    }
    const out = options.projector.units[options.projector.units.length - 1];
    if (out !== options.supportSet.dim) {
      throw new NnclrInputError(
        where,
        'options.supportSet',
        `dim ${out} (the projector's output size)`,
        `dim ${options.supportSet.dim}`,
      );
    }
    if (options.topk != null) assertPositiveInt(where, 'options.topk', options.topk, 0);
    this.opts = options;
  }

  /** Steps taken so far. */
  get step(): number {
    return this.steps;
  }

  private encode(x: tf.Tensor, training: boolean): tf.Tensor2D {
    const { encoder } = this.opts;
    const h =
      typeof encoder === 'function' ? encoder(x, training) : (encoder.apply(x, { training }) as tf.Tensor);
    if (h.rank !== 2) {
      throw new NnclrInputError(
        'NnclrTrainer',
        'encoder output',
        'a 2-D tensor [batch, features]',
        `shape ${fmtShape(h.shape)}`,
      );
    }
    return h as tf.Tensor2D;
  }

  /** Builds unbuilt heads with an inference pass on two rows (no BatchNorm statistics update). */
  private ensureBuilt(x: tf.Tensor): void {
    const { projector, predictor, ema } = this.opts;
    if (projector.built && predictor.built) return;
    tf.tidy(() => {
      const h = this.encode(tf.slice(x, 0, 2), false);
      predictor.apply(projector.apply(h));
      ema?.apply(h as tf.Tensor2D);
    });
  }

  private trainableVariables(): tf.Variable[] {
    const { encoder, projector, predictor, trainEncoder = true, variables = [] } = this.opts;
    const vars: tf.Variable[] = [];
    const add = (ws: { read(): tf.Tensor }[]) => {
      for (const w of ws) vars.push(w.read() as tf.Variable);
    };
    if (trainEncoder && typeof encoder !== 'function') add(encoder.trainableWeights);
    add(projector.trainableWeights);
    add(predictor.trainableWeights);
    return [...vars, ...variables];
  }

  /**
   * One training step on a batch; returns its loss and metrics. Leaves no tensors behind. Reads the
   * loss and the neighbours' positions synchronously: on backends that cannot (webgpu in Node) use
   * {@link trainStepAsync}.
   */
  trainStep(batch: TwoViewBatch): StepInfo {
    const step = this.beginStep('NnclrTrainer.trainStep', batch);
    try {
      const idx = step.indices ? (step.indices.dataSync() as Int32Array) : null;
      return this.endStep(step, step.value.dataSync()[0], idx);
    } finally {
      step.dispose();
    }
  }

  /**
   * {@link trainStep} with the loss and the neighbours' positions read back asynchronously (the
   * same update, metrics and queue), for backends that cannot read synchronously (webgpu in Node).
   */
  async trainStepAsync(batch: TwoViewBatch): Promise<StepInfo> {
    const step = this.beginStep('NnclrTrainer.trainStepAsync', batch);
    try {
      const [loss, idx] = await Promise.all([step.value.data(), step.indices?.data()]);
      return this.endStep(step, loss[0] as number, idx ? (idx as Int32Array) : null);
    } finally {
      step.dispose();
    }
  }

  /**
   * The update of a training step: the loss with the neighbours searched on the backend
   * (`SupportSet.lookupOnDevice`), its gradients applied. The loss, the view-0 neighbour positions
   * and the view-0 targets to enqueue stay tensors for {@link endStep}.
   */
  private beginStep(where: string, batch: TwoViewBatch): PendingStep {
    const t0 = performance.now();
    const { view0, view1, ids, labels } = batch ?? ({} as TwoViewBatch);
    if (!(view0 instanceof tf.Tensor) || !(view1 instanceof tf.Tensor)) {
      throw new NnclrInputError(where, 'batch', '{view0, view1} tensors', String(batch));
    }
    if (view0.shape.join() !== view1.shape.join() || view0.shape[0] < 2) {
      throw new NnclrInputError(
        where,
        'batch.view1',
        `shape ${fmtShape(view0.shape)} like view0 (batch >= 2)`,
        fmtShape(view1.shape),
      );
    }
    const n = view0.shape[0];
    for (const [name, arr] of [
      ['ids', ids],
      ['labels', labels],
    ] as const) {
      if (arr != null && arr.length !== n)
        throw new NnclrInputError(where, `batch.${name}`, `${n} values`, `${arr.length}`);
    }
    const {
      projector,
      predictor,
      supportSet,
      optimizer,
      ema,
      topk = 1,
      excludeSelf = true,
      trainEncoder = true,
    } = this.opts;
    let lr: number | undefined;
    if (this.opts.learningRate) {
      lr = this.opts.learningRate(this.steps);
      setLearningRate(optimizer, lr);
    }
    this.ensureBuilt(view0);
    const vars = this.trainableVariables();
    let queued: tf.Tensor2D | null = null;
    let idx0: tf.Tensor1D | null = null;
    const exclude = excludeSelf && ids ? ids : undefined;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const h0 = this.encode(view0, trainEncoder);
        const h1 = this.encode(view1, trainEncoder);
        const z0 = projector.apply(h0, { training: true }) as tf.Tensor2D;
        const z1 = projector.apply(h1, { training: true }) as tf.Tensor2D;
        const p0 = predictor.apply(z0, { training: true }) as tf.Tensor2D;
        const p1 = predictor.apply(z1, { training: true }) as tf.Tensor2D;
        const q0 = ema ? ema.apply(h0, { training: true }) : z0;
        const q1 = ema ? ema.apply(h1, { training: true }) : z1;
        queued = tf.keep(tf.clone(q0));
        // Neighbours are constants (no gradient into the search or the queue). While an
        // `init: 'empty'` queue holds fewer than `topk` rows, each sample's own projection (as a
        // constant) is its positive, as in MAE-CT's queue-less head.
        const ready = supportSet.filled >= Math.max(1, topk);
        const neighbours = (q: tf.Tensor2D, first: boolean) => {
          if (!ready) return constant(q);
          const r = supportSet.lookupOnDevice(q, { topk, excludeIndices: exclude });
          if (first) idx0 = r.indices;
          else r.indices.dispose();
          return r.neighbours;
        };
        return nnclrTwoViewLoss(
          {
            predicted0: p0,
            predicted1: p1,
            neighbours0: neighbours(q0, true),
            neighbours1: neighbours(q1, false),
          },
          this.opts.loss,
        );
      }, vars);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      const indices = idx0 as tf.Tensor1D | null;
      const kept = [value, queued!, ...(indices ? [indices] : [])];
      return {
        value,
        indices,
        queued: queued!,
        ids,
        labels,
        n,
        t0,
        lr,
        dispose: () => tf.dispose(kept),
      };
    } catch (err) {
      if (queued) (queued as tf.Tensor).dispose();
      if (idx0) (idx0 as tf.Tensor).dispose();
      throw err;
    }
  }

  /** The rest of a step once its values are on the CPU: EMA, metrics, enqueue, step count. */
  private endStep(step: PendingStep, loss: number, idx0: Int32Array | null): StepInfo {
    const { supportSet, ema } = this.opts;
    const { n, labels } = step;
    ema?.update();
    let nnAccuracy: number | undefined;
    if (labels && idx0) {
      const got = supportSet.labelsAt(idx0);
      let hit = 0;
      for (let i = 0; i < n; i++) if (got[i] === labels[i]) hit++;
      nnAccuracy = hit / n;
    }
    supportSet.enqueue(step.queued, step.ids, labels);
    const info: StepInfo = { step: this.steps, loss, ms: performance.now() - step.t0 };
    if (nnAccuracy != null) info.nnAccuracy = nnAccuracy;
    if (step.lr != null) info.learningRate = step.lr;
    this.steps++;
    return info;
  }

  /**
   * Runs `trainStepAsync` over `batches` (sync or async iterable), reporting each step to `onStep`.
   */
  async fit(
    batches: Iterable<TwoViewBatch> | AsyncIterable<TwoViewBatch>,
    options: FitOptions = {},
  ): Promise<StepInfo[]> {
    const { steps, onStep, disposeBatches = true } = options;
    if (steps != null) assertPositiveInt('NnclrTrainer.fit', 'options.steps', steps);
    const history: StepInfo[] = [];
    for await (const batch of batches as AsyncIterable<TwoViewBatch>) {
      try {
        const info = await this.trainStepAsync(batch);
        history.push(info);
        onStep?.(info);
      } finally {
        if (disposeBatches) tf.dispose([batch.view0, batch.view1]);
      }
      if (steps != null && history.length >= steps) break;
    }
    return history;
  }
}
