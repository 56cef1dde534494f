import {
  type AdamW,
  EmaHead,
  nnclrTwoViewLoss,
  PredictionHead,
  ProjectionHead,
  SupportSet,
} from '@paperstack/nnclr';
import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError } from './errors';
import { groupedAdamW, type ParamGroup } from './optimizer';
import { type Pooling, pool, type VisionTransformer } from './vit';

/**
 * Options of MAE-CT's contrastive tuning (Lehner et al., AAAI 2024, §3 and Fig. 3). Defaults are the
 * ViT-B/16 yamls of ml-jku/MAE-CT (`yamls/stage2_*`, `yamls/stage3_*`); learning rates are absolute
 * (MAE-CT scales its base lrs by 2·batch/256).
 */
export interface ContrastiveTuningOptions {
  /**
   * 2: head initialization — the encoder is frozen and only the NNCLR head trains (argmax
   * neighbours). 3: contrastive tuning — the lower half of the blocks stays frozen, the upper half
   * trains with layer-wise lr decay, the queue is filled by an EMA target projector, neighbours are
   * drawn from the top-k.
   */
  stage: 2 | 3;
  /** Encoder summary fed to the head. Default `'meanPatch'` (MAE-CT ViT-B; `'cls'` for L/H). */
  pooling?: Pooling;
  /** Projector hidden width. Default 2048. */
  projHiddenDim?: number;
  /** Predictor hidden width. Default 4096. */
  predHiddenDim?: number;
  /** Head output width. Default 256. */
  outputDim?: number;
  /** NNCLR temperature τ. Default 0.15. */
  temperature?: number;
  /** Support-set (queue) rows. Default 65536. */
  queueSize?: number;
  /** Neighbour drawn uniformly from the top k (1 = argmax). Default 1 in stage 2, 20 in stage 3. */
  topk?: number;
  /** EMA factor of the stage-3 target projector. Default 0.99. */
  emaMomentum?: number;
  /** Stage 3: blocks 0 … n−1 (and the patch embedding, class token) stay frozen. Default depth/2. */
  frozenBlocks?: number;
  /** Stage 3 layer-wise lr decay: block b gets `layerDecay^(depth − b)`, the final norm 1. Default 0.65. */
  layerDecay?: number;
  /** Peak encoder lr (stage 3). Default 1e-4. */
  encoderLr?: number;
  /** Encoder AdamW weight decay (not on biases/norms). Default 0.05. */
  encoderWeightDecay?: number;
  /** Peak head lr. Default 1e-4. */
  headLr?: number;
  /** Head AdamW weight decay. Default 1e-5. */
  headWeightDecay?: number;
  /** Never pick a queue row written by the same sample id (MAE-CT `exclude_self_from_queue`). Default true. */
  excludeSelf?: boolean;
  /** Continue from a stage-2 tuner: take over its heads and queue (it must not be used afterwards). */
  from?: ContrastiveTuner;
  /** Seed of head weights, queue init and top-k draws. Default 0. */
  seed?: number;
}

/** Per-step inputs of {@link ContrastiveTuner.step} besides the two views. */
export interface TuningStepOptions {
  /** Dataset index per sample (`[batch]`), for `excludeSelf` and the queue. */
  ids?: ArrayLike<number>;
  /** Labels (`[batch]`), only for the reported neighbour accuracy. */
  labels?: ArrayLike<number>;
  /** Factor on every lr (warmup/cosine schedule). Default 1. */
  lrFactor?: number;
}

/** What one {@link ContrastiveTuner.step} reports (plain numbers; no tensors stay allocated). */
export interface TuningStepResult {
  /** The NNCLR loss of this step, before the update. */
  loss: number;
  /** Share of view-0 samples whose neighbour has their label (needs `labels`), else null. */
  nnAccuracy: number | null;
}

/**
 * MAE-CT contrastive tuning of a (pre-trained MAE) {@link VisionTransformer} with an NNCLR head from
 * @paperstack/nnclr: projector (Linear-BN-ReLU ×2, Linear-BN), predictor (Linear-BN-ReLU, Linear),
 * a FIFO support set of normalized projections, and the one-directional NNCLR loss
 * ½[ℓ(NN(z₀) → p₁) + ℓ(NN(z₁) → p₀)] (ml-jku/MAE-CT `models/contrastive_heads/nnclr_head.py`,
 * `nnclr_ema_queue_head.py`). Views are two augmentations of the same images, no masking.
 */
export class ContrastiveTuner {
  readonly stage: 2 | 3;
  readonly projector: ProjectionHead;
  readonly predictor: PredictionHead;
  readonly ema: EmaHead | null;
  readonly queue: SupportSet;
  /** AdamW over the head group and, in stage 3, the tuned encoder groups ({@link groupedAdamW}). */
  readonly optimizer: AdamW;
  /** The optimizer's parameter groups: the head, then (stage 3) the tuned encoder layers with their decayed lr. */
  readonly paramGroups: readonly ParamGroup[];
  readonly pooling: Pooling;
  private readonly temperature: number;
  private readonly topk: number;
  private readonly excludeSelf: boolean;

  constructor(
    readonly encoder: VisionTransformer,
    opts: ContrastiveTuningOptions,
  ) {
    const { stage, seed = 0 } = opts;
    if (stage !== 2 && stage !== 3) throw new MaectInputError('stage', '2 or 3', String(stage));
    this.stage = stage;
    this.pooling = opts.pooling ?? 'meanPatch';
    this.temperature = opts.temperature ?? 0.15;
    this.topk = opts.topk ?? (stage === 2 ? 1 : 20);
    this.excludeSelf = opts.excludeSelf ?? true;
    const d = encoder.config.embedDim;
    const out = opts.outputDim ?? 256;
    if (opts.from) {
      this.projector = opts.from.projector;
      this.predictor = opts.from.predictor;
      this.queue = opts.from.queue;
      opts.from.optimizer.dispose();
      opts.from.ema?.dispose();
    } else {
      this.projector = new ProjectionHead({
        units: [opts.projHiddenDim ?? 2048, opts.projHiddenDim ?? 2048, out],
        seed,
      });
      this.predictor = new PredictionHead({
        units: [opts.predHiddenDim ?? 4096, out],
        bias: 'never',
        seed: seed + 1,
      });
      this.projector.build([null, d]);
      this.predictor.build([null, out]);
      this.queue = new SupportSet({ size: opts.queueSize ?? 65536, dim: out, seed: seed + 2 });
    }
    this.ema = stage === 3 ? new EmaHead(this.projector, { momentum: opts.emaMomentum ?? 0.99 }) : null;

    const headVars = [...this.projector.trainableWeights, ...this.predictor.trainableWeights].map(
      (w) => w.read() as tf.Variable,
    );
    const groups: ParamGroup[] = [
      { variables: headVars, lr: opts.headLr ?? 1e-4, weightDecay: opts.headWeightDecay ?? 1e-5 },
    ];
    if (stage === 3) {
      const depth = encoder.config.depth;
      const frozen = opts.frozenBlocks ?? Math.floor(depth / 2);
      if (!Number.isInteger(frozen) || frozen < 0 || frozen > depth)
        throw new MaectInputError('frozenBlocks', `an integer in [0, ${depth}]`, String(frozen));
      const decay = opts.layerDecay ?? 0.65;
      const lr = opts.encoderLr ?? 1e-4;
      const wd = opts.encoderWeightDecay ?? 0.05;
      // BEiT/MAE-CT layer ids: stem 0, block b → b+1, final norm → depth+1; scale decay^(depth+1−id).
      const add = (ws: { read(): tf.Tensor }[], layerId: number) => {
        const vars = ws.map((w) => w.read() as tf.Variable);
        const scale = decay ** (depth + 1 - layerId);
        const decayed = vars.filter((v) => v.rank > 1 && !v.name.includes('token'));
        const plain = vars.filter((v) => !decayed.includes(v));
        if (decayed.length) groups.push({ variables: decayed, lr: lr * scale, weightDecay: wd });
        if (plain.length) groups.push({ variables: plain, lr: lr * scale, weightDecay: 0 });
      };
      if (frozen === 0)
        add(
          encoder.stemWeights().filter((w) => w.trainable),
          0,
        );
      for (let b = frozen; b < depth; b++) add(encoder.blockWeights(b), b + 1);
      add(encoder.normWeights(), depth + 1);
    }
    this.optimizer = groupedAdamW(groups, { betas: [0.9, 0.95] });
    this.paramGroups = groups;
  }

  /**
   * One optimizer step on two views `[batch, H, W, C]` of the same images. The view-0 target
   * projections are enqueued after the update; in stage 3 the EMA projector follows the projector.
   * Reads the loss and the neighbours' positions synchronously: on backends that cannot (webgpu in
   * Node) use {@link stepAsync}.
   */
  step(view0: tf.Tensor4D, view1: tf.Tensor4D, opts: TuningStepOptions = {}): TuningStepResult {
    const s = this.beginStep(view0, view1, opts);
    try {
      const idx = s.nnIdx ? (s.nnIdx.dataSync() as Int32Array) : null;
      return this.endStep(s, s.loss.dataSync()[0], idx);
    } finally {
      s.dispose();
    }
  }

  /**
   * {@link step} with the loss and the neighbours' positions read back asynchronously (the same
   * update, metrics and queue), for backends that cannot read synchronously (webgpu in Node).
   */
  async stepAsync(
    view0: tf.Tensor4D,
    view1: tf.Tensor4D,
    opts: TuningStepOptions = {},
  ): Promise<TuningStepResult> {
    const s = this.beginStep(view0, view1, opts);
    try {
      const [loss, idx] = await Promise.all([s.loss.data(), s.nnIdx?.data()]);
      return this.endStep(s, loss[0] as number, idx ? (idx as Int32Array) : null);
    } finally {
      s.dispose();
    }
  }

  /** The update of a step, neighbours searched on the backend; what is read back stays tensors. */
  private beginStep(view0: tf.Tensor4D, view1: tf.Tensor4D, opts: TuningStepOptions) {
    const n = view0.shape[0];
    if (view1.shape.join() !== view0.shape.join())
      throw new MaectInputError('view1', `the shape of view0 [${view0.shape}]`, `[${view1.shape}]`);
    for (const [name, arr] of [
      ['ids', opts.ids],
      ['labels', opts.labels],
    ] as const)
      if (arr && arr.length !== n) throw new MaectInputError(name, `${n} values`, `${arr.length}`);
    const exclude = this.excludeSelf && opts.ids ? opts.ids : undefined;
    let target0: tf.Tensor2D | null = null;
    let nnIdx: tf.Tensor1D | null = null;
    const loss = tf.tidy(() => {
      const frozen2 = this.stage === 2;
      const const0 = frozen2 ? pool(this.encoder.encode(view0), this.pooling) : null;
      const const1 = frozen2 ? pool(this.encoder.encode(view1), this.pooling) : null;
      const f = () => {
        const pooled0 = const0 ?? pool(this.encoder.encode(view0), this.pooling);
        const pooled1 = const1 ?? pool(this.encoder.encode(view1), this.pooling);
        const z0 = this.projector.apply(pooled0, { training: true }) as tf.Tensor2D;
        const z1 = this.projector.apply(pooled1, { training: true }) as tf.Tensor2D;
        const p0 = this.predictor.apply(z0, { training: true }) as tf.Tensor2D;
        const p1 = this.predictor.apply(z1, { training: true }) as tf.Tensor2D;
        // The targets reach the loss only through the (non-differentiable) lookup.
        const t0 = this.ema ? this.ema.apply(pooled0, { training: true }) : z0;
        const t1 = this.ema ? this.ema.apply(pooled1, { training: true }) : z1;
        const nn0 = this.queue.lookupOnDevice(t0, {
          topk: this.topk,
          excludeIndices: exclude,
        });
        const nn1 = this.queue.lookupOnDevice(t1, {
          topk: this.topk,
          excludeIndices: exclude,
        });
        nn1.indices.dispose();
        target0 = tf.keep(t0);
        nnIdx = nn0.indices;
        return nnclrTwoViewLoss(
          { predicted0: p0, predicted1: p1, neighbours0: nn0.neighbours, neighbours1: nn1.neighbours },
          { temperature: this.temperature },
        );
      };
      const { value, grads } = tf.variableGrads(
        f,
        this.paramGroups.flatMap((g) => g.variables),
      );
      this.optimizer.learningRate = opts.lrFactor ?? 1;
      this.optimizer.applyGradients(grads);
      return value;
    });
    const t0 = target0 as tf.Tensor2D | null;
    const idx = nnIdx as tf.Tensor1D | null;
    return {
      loss,
      nnIdx: idx,
      target0: t0,
      n,
      opts,
      dispose: () => tf.dispose([loss, ...(idx ? [idx] : []), ...(t0 ? [t0] : [])]),
    };
  }

  /** The rest of a step once its values are on the CPU: metrics, enqueue, EMA. */
  private endStep(
    s: ReturnType<ContrastiveTuner['beginStep']>,
    lossValue: number,
    nnIdx: Int32Array | null,
  ): TuningStepResult {
    const { n, opts } = s;
    let nnAccuracy: number | null = null;
    if (opts.labels && nnIdx) {
      const got = this.queue.labelsAt(nnIdx);
      let hit = 0;
      for (let i = 0; i < n; i++) if (got[i] === opts.labels[i]) hit++;
      nnAccuracy = hit / n;
    }
    if (s.target0) this.queue.enqueue(s.target0, opts.ids, opts.labels);
    this.ema?.update();
    return { loss: lossValue, nnAccuracy };
  }

  /** Frees heads, queue, EMA copy and optimizer state (not the encoder). */
  dispose(): void {
    this.optimizer.dispose();
    this.ema?.dispose();
    this.projector.dispose();
    this.predictor.dispose();
    this.queue.dispose();
  }
}
