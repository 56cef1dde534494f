import * as tf from '@tensorflow/tfjs-core';
import { assertInRange, NnclrInputError } from './errors';

/** `{name, tensor}` as tfjs-core's (not exported) `NamedTensor`. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}
type Grads = tf.NamedTensorMap | NamedTensor[];

function entries(grads: Grads): [string, tf.Tensor][] {
  return Array.isArray(grads) ? grads.map((g) => [g.name, g.tensor]) : Object.entries(grads);
}

function variableNamed(where: string, name: string): tf.Variable {
  const v = tf.engine().registeredVariables[name];
  if (!v)
    throw new NnclrInputError(
      where,
      'variableGradients',
      'gradients of registered variables',
      `unknown variable '${name}'`,
    );
  return v;
}

function nonNegative(where: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new NnclrInputError(where, name, 'a finite number >= 0', String(v));
  }
  return v;
}

/** Options of {@link Lars}; defaults as solo-learn `solo/utils/lars.py` (PyTorch Lightning Bolts). */
export interface LarsOptions {
  /** Learning rate (settable later via `learningRate`, e.g. by a schedule). Required. */
  learningRate: number;
  /** Momentum μ. Default 0.9 (paper / VISSL config). */
  momentum?: number;
  /** Weight decay β. Default 0. */
  weightDecay?: number;
  /** Trust coefficient η. Default 0.001 (paper / VISSL config). */
  eta?: number;
  /** Denominator epsilon. Default 1e-8. */
  epsilon?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
  /** Clip the layer-wise rate at the global one: `min(η‖w‖/(…)/lr, 1)`. Default false. */
  clipLr?: boolean;
  /**
   * Exclude 1-D variables (biases, BatchNorm scale/shift) from the LARS scaling and the weight
   * decay, as NNCLR's configs do. Default true.
   */
  excludeBiasAndNorm?: boolean;
}

/**
 * LARS (You et al. 2017, "Large Batch Training of Convolutional Networks", Eq. 6), the optimizer
 * of the NNCLR paper (§4). For a variable w with gradient g, when ‖w‖ > 0 and ‖g‖ > 0 and w is not
 * excluded: `d = η‖w‖ / (‖g‖ + β‖w‖ + ε) · (g + βw)`; otherwise `d = g`. Then SGD with momentum:
 * `v ← μv + d` (v starts at d), `w ← w − lr·v` (Nesterov: `w ← w − lr·(d + μv)`). Same update as
 * solo-learn `LARS`. The norms stay on the backend (no sync per variable).
 */
export class Lars extends tf.Optimizer {
  static className = 'NnclrLARS';
  learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly eta: number;
  readonly epsilon: number;
  readonly nesterov: boolean;
  readonly clipLr: boolean;
  readonly excludeBiasAndNorm: boolean;
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(options: LarsOptions) {
    super();
    const where = 'Lars';
    if (options == null || typeof options !== 'object') {
      throw new NnclrInputError(where, 'options', 'an object with learningRate', String(options));
    }
    this.learningRate = nonNegative(where, 'options.learningRate', options.learningRate);
    this.momentum = assertInRange(where, 'options.momentum', options.momentum ?? 0.9, 0, 1);
    this.weightDecay = nonNegative(where, 'options.weightDecay', options.weightDecay ?? 0);
    this.eta = nonNegative(where, 'options.eta', options.eta ?? 0.001);
    this.epsilon = nonNegative(where, 'options.epsilon', options.epsilon ?? 1e-8);
    this.nesterov = options.nesterov ?? false;
    this.clipLr = options.clipLr ?? false;
    this.excludeBiasAndNorm = options.excludeBiasAndNorm ?? true;
  }

  override applyGradients(variableGradients: Grads): void {
    const lr = this.learningRate;
    for (const [name, g] of entries(variableGradients)) {
      if (g == null) continue;
      const w = variableNamed('Lars.applyGradients', name);
      tf.tidy(() => {
        let d: tf.Tensor = g;
        if (!(this.excludeBiasAndNorm && w.rank <= 1)) {
          const wNorm = tf.norm(w);
          const gNorm = tf.norm(g);
          let trust: tf.Tensor = tf.mul(
            this.eta,
            tf.div(wNorm, tf.add(tf.add(gNorm, tf.mul(wNorm, this.weightDecay)), this.epsilon)),
          );
          if (this.clipLr) trust = tf.minimum(tf.div(trust, lr), 1);
          const use = tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0));
          d = tf.where(use, tf.mul(tf.add(g, tf.mul(w, this.weightDecay)), trust), g);
        }
        if (this.momentum > 0) {
          const buf = this.buffers.get(name);
          if (buf) {
            buf.assign(tf.add(tf.mul(buf, this.momentum), d));
          } else {
            this.buffers.set(name, tf.variable(tf.clone(d), false));
          }
          const v = this.buffers.get(name)!;
          d = this.nesterov ? tf.add(d, tf.mul(v, this.momentum)) : v;
        }
        w.assign(tf.sub(w, tf.mul(d, lr)));
      });
    }
    this.incrementIterations();
  }

  /**
   * The optimizer state (what tfjs saves with `includeOptimizer`): the iteration count first (tfjs'
   * `iter`), then one momentum buffer per variable, named `<variable>/lars_momentum` (live
   * variables, not copies).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    return [
      await this.saveIterations(),
      ...[...this.buffers].map(([name, v]) => ({ name: `${name}/lars_momentum`, tensor: v })),
    ];
  }

  /** Restores the state written by {@link Lars.getWeights}, replacing the buffers of the variables it names. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    for (const { name, tensor } of rest) {
      const key = name.replace(/\/lars_momentum$/, '');
      this.buffers.get(key)?.dispose();
      this.buffers.set(key, tf.variable(tensor, false));
    }
  }

  override dispose(): void {
    for (const v of this.buffers.values()) v.dispose();
    this.buffers.clear();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      momentum: this.momentum,
      weightDecay: this.weightDecay,
      eta: this.eta,
      epsilon: this.epsilon,
      nesterov: this.nesterov,
      clipLr: this.clipLr,
      excludeBiasAndNorm: this.excludeBiasAndNorm,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as LarsOptions);
  }
}

/** Options of {@link AdamW}; defaults as PyTorch `torch.optim.AdamW` except where noted. */
export interface AdamWOptions {
  /** Learning rate (settable later via `learningRate`). Required. */
  learningRate: number;
  /** β₁. Default 0.9. */
  beta1?: number;
  /** β₂. Default 0.999 (MAE-CT uses 0.95). */
  beta2?: number;
  /** ε. Default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay λ. Default 0.01. */
  weightDecay?: number;
  /** Exclude 1-D variables (biases, norms) from weight decay, as MAE / MAE-CT do. Default false. */
  excludeBiasAndNorm?: boolean;
  /**
   * Per-variable parameter group, as PyTorch's param groups: a learning-rate factor (e.g. MAE-CT's
   * layer-wise decay 0.65^(L−b)) and/or a weight decay replacing `weightDecay` (e.g. 1e-5 for the
   * head next to 0.05 for the encoder). Called once per variable; not serialised. Default none.
   */
  paramGroup?: (variable: tf.Variable) => { lrScale?: number; weightDecay?: number } | undefined;
}

/**
 * Most elements one flat update covers: the variables of a parameter group are updated as one flat
 * vector up to this size (a bigger variable alone), which bounds the memory of the flat
 * copies (gradients, weights and the update's temporaries) at a few times 4 MB.
 */
const FLAT_MAX_ELEMENTS = 1 << 20;

/** First and second moments of several variables, concatenated flat in the order of `names`. */
interface FlatMoments {
  names: string[];
  sizes: number[];
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * AdamW (Loshchilov & Hutter 2019): `w ← w·(1 − lr·λ)`, then the bias-corrected Adam step
 * `w ← w − lr·m̂/(√v̂ + ε)`, as PyTorch `torch.optim.AdamW` (MAE-CT's optimizer). tfjs ships Adam
 * but not AdamW.
 *
 * The update runs on flat vectors: the variables with the same learning rate and weight decay are
 * concatenated (up to 2²⁰ elements at a time), so a step is ~15 kernels per group of variables
 * instead of per variable, with the same float32 operations on every element (same results). On
 * the native backend each kernel has a fixed cost (packages/runtime README, "Where the native time
 * goes"): a MAE step's update went from 1,380 kernels for 92 variables to a few hundred.
 */
export class AdamW extends tf.Optimizer {
  static className = 'NnclrAdamW';
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly excludeBiasAndNorm: boolean;
  private readonly paramGroup?: AdamWOptions['paramGroup'];
  private readonly groups = new Map<string, { lrScale: number; weightDecay: number }>();
  /** The flat moments each variable's are in (shared by the variables updated together). */
  private readonly flatOf = new Map<string, FlatMoments>();
  /** Moments of single variables: restored by setWeights, or taken out of flat ones by getWeights. */
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();

  constructor(options: AdamWOptions) {
    super();
    const where = 'AdamW';
    if (options == null || typeof options !== 'object') {
      throw new NnclrInputError(where, 'options', 'an object with learningRate', String(options));
    }
    this.learningRate = nonNegative(where, 'options.learningRate', options.learningRate);
    this.beta1 = assertInRange(where, 'options.beta1', options.beta1 ?? 0.9, 0, 0.999999);
    this.beta2 = assertInRange(where, 'options.beta2', options.beta2 ?? 0.999, 0, 0.999999);
    this.epsilon = nonNegative(where, 'options.epsilon', options.epsilon ?? 1e-8);
    this.weightDecay = nonNegative(where, 'options.weightDecay', options.weightDecay ?? 0.01);
    this.excludeBiasAndNorm = options.excludeBiasAndNorm ?? false;
    this.paramGroup = options.paramGroup;
  }

  private groupOf(w: tf.Variable): { lrScale: number; weightDecay: number } {
    let g = this.groups.get(w.name);
    if (!g) {
      const custom = this.paramGroup?.(w) ?? {};
      const base = this.excludeBiasAndNorm && w.rank <= 1 ? 0 : this.weightDecay;
      g = {
        lrScale: nonNegative('AdamW', `paramGroup(${w.name}).lrScale`, custom.lrScale ?? 1),
        weightDecay: nonNegative('AdamW', `paramGroup(${w.name}).weightDecay`, custom.weightDecay ?? base),
      };
      this.groups.set(w.name, g);
    }
    return g;
  }

  /** Moves every flat moment back to per-variable moments (slices; nothing is lost). */
  private unflatten(names: Iterable<string> = [...this.flatOf.keys()]): void {
    for (const name of names) {
      const f = this.flatOf.get(name);
      if (!f) continue;
      const parts = tf.tidy(() => {
        const m = tf.split(f.m, f.sizes);
        const v = tf.split(f.v, f.sizes);
        return f.names.map((n, i) => {
          const shape = variableNamed('AdamW', n).shape;
          return {
            m: tf.variable(tf.reshape(m[i], shape), false),
            v: tf.variable(tf.reshape(v[i], shape), false),
          };
        });
      });
      f.names.forEach((n, i) => {
        this.moments.set(n, parts[i]);
        this.flatOf.delete(n);
      });
      tf.dispose([f.m, f.v]);
    }
  }

  /** The flat moments of `ws` (made from their per-variable or zero moments the first time). */
  private flatMoments(ws: tf.Variable[]): FlatMoments {
    const found = this.flatOf.get(ws[0].name);
    if (found?.names.length === ws.length && found.names.every((n, i) => n === ws[i].name)) return found;
    const names = ws.map((w) => w.name);
    this.unflatten(names);
    const { m, v } = tf.tidy(() => {
      const each = ws.map((w) => this.moments.get(w.name) ?? { m: tf.zerosLike(w), v: tf.zerosLike(w) });
      const cat = (k: 'm' | 'v') => tf.concat(each.map((e) => tf.reshape(e[k], [-1])));
      return { m: tf.variable(cat('m'), false), v: tf.variable(cat('v'), false) };
    });
    for (const n of names) {
      const old = this.moments.get(n);
      if (old) tf.dispose([old.m, old.v]);
      this.moments.delete(n);
    }
    const f: FlatMoments = { names, sizes: ws.map((w) => w.size), m, v };
    for (const n of names) this.flatOf.set(n, f);
    return f;
  }

  override applyGradients(variableGradients: Grads): void {
    const t = this.iterations + 1;
    const lr = this.learningRate;
    // Each number becomes a float32 scalar once per step, not once per variable: on the native
    // backend every scalar is a tensor created and freed through the binding (measured in
    // packages/runtime/README.md, "Where the native time goes"). Same float32 values, same results.
    const scalars: tf.Scalar[] = [];
    const scalar = (x: number) => {
      const s = tf.scalar(x);
      scalars.push(s);
      return s;
    };
    const beta1 = scalar(this.beta1);
    const beta1c = scalar(1 - this.beta1);
    const beta2 = scalar(this.beta2);
    const beta2c = scalar(1 - this.beta2);
    const c1 = scalar(1 - this.beta1 ** t);
    const c2 = scalar(1 - this.beta2 ** t);
    const eps = scalar(this.epsilon);
    // Variables with the same lr and weight decay, in gradient order, in runs of up to FLAT_MAX_ELEMENTS.
    type Run = { key: string; lrW: number; decay: number; ws: tf.Variable[]; gs: tf.Tensor[]; size: number };
    const runs: Run[] = [];
    const open = new Map<string, Run>();
    for (const [name, g] of entries(variableGradients)) {
      if (g == null) continue;
      const w = variableNamed('AdamW.applyGradients', name);
      const group = this.groupOf(w);
      const lrW = lr * group.lrScale;
      const key = `${lrW},${group.weightDecay}`;
      const run = open.get(key);
      if (run && run.size + w.size <= FLAT_MAX_ELEMENTS) {
        run.ws.push(w);
        run.gs.push(g);
        run.size += w.size;
      } else {
        const fresh = { key, lrW, decay: group.weightDecay, ws: [w], gs: [g], size: w.size };
        runs.push(fresh);
        open.set(key, fresh);
      }
    }
    const perGroup = new Map<string, { keep: tf.Scalar; rate: tf.Scalar }>();
    try {
      for (const run of runs) {
        let factors = perGroup.get(run.key);
        if (!factors) {
          factors = { keep: scalar(1 - run.lrW * run.decay), rate: scalar(run.lrW) };
          perGroup.set(run.key, factors);
        }
        const { keep, rate } = factors;
        const st = this.flatMoments(run.ws);
        tf.tidy(() => {
          const flat = (ts: tf.Tensor[]) =>
            ts.length === 1 ? tf.reshape(ts[0], [-1]) : tf.concat(ts.map((x) => tf.reshape(x, [-1])));
          const g = flat(run.gs);
          const w = flat(run.ws);
          const m = tf.add(tf.mul(st.m, beta1), tf.mul(g, beta1c));
          const v = tf.add(tf.mul(st.v, beta2), tf.mul(tf.square(g), beta2c));
          st.m.assign(m);
          st.v.assign(v);
          const step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
          const updated = tf.sub(tf.mul(w, keep), tf.mul(step, rate));
          const parts = run.ws.length === 1 ? [updated] : tf.split(updated, st.sizes);
          for (const [i, wi] of run.ws.entries()) wi.assign(tf.reshape(parts[i], wi.shape));
        });
      }
    } finally {
      tf.dispose(scalars);
    }
    this.incrementIterations();
  }

  /**
   * The optimizer state: the iteration count first (tfjs' `iter`), then the first and second
   * moments of every variable, named `<variable>/adamw_m` and `<variable>/adamw_v`: live variables
   * (not copies) until the next step, which packs them into its flat moments again.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    this.unflatten();
    const out: NamedTensor[] = [await this.saveIterations()];
    for (const [name, st] of this.moments) {
      out.push({ name: `${name}/adamw_m`, tensor: st.m }, { name: `${name}/adamw_v`, tensor: st.v });
    }
    return out;
  }

  /**
   * Restores the state written by {@link AdamW.getWeights}, replacing the moments of the variables
   * it names; a variable's moments are restored only when both its `adamw_m` and `adamw_v` entries
   * are present.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.unflatten();
    const byName = new Map(rest.map((w) => [w.name, w.tensor]));
    for (const [name, m] of byName) {
      if (!name.endsWith('/adamw_m')) continue;
      const key = name.slice(0, -'/adamw_m'.length);
      const v = byName.get(`${key}/adamw_v`);
      if (!v) continue;
      const old = this.moments.get(key);
      if (old) tf.dispose([old.m, old.v]);
      this.moments.set(key, { m: tf.variable(m, false), v: tf.variable(v, false) });
    }
  }

  override dispose(): void {
    for (const st of this.moments.values()) tf.dispose([st.m, st.v]);
    for (const f of new Set(this.flatOf.values())) tf.dispose([f.m, f.v]);
    this.moments.clear();
    this.flatOf.clear();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      excludeBiasAndNorm: this.excludeBiasAndNorm,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as AdamWOptions);
  }
}

tf.serialization.registerClass(Lars);
tf.serialization.registerClass(AdamW);

/** Options of {@link warmupCosine}. */
export interface WarmupCosineOptions {
  /** Peak learning rate reached after the warm-up. */
  peak: number;
  /** Total steps of the schedule. */
  totalSteps: number;
  /** Linear warm-up steps from `start`. Default 0. */
  warmupSteps?: number;
  /** Rate at step 0 of the warm-up. Default 0. */
  start?: number;
  /** Rate at the end of the cosine decay. Default 0. */
  end?: number;
}

/**
 * Linear warm-up then cosine decay, the schedule of NNCLR (paper §4: 10 warm-up epochs, cosine to
 * 0) and MAE-CT (`warmup` 20% + cosine). Returns the rate for `step` (0-based).
 */
export function warmupCosine(step: number, options: WarmupCosineOptions): number {
  const { peak, totalSteps, warmupSteps = 0, start = 0, end = 0 } = options;
  if (step < warmupSteps) return start + ((peak - start) * step) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return end + 0.5 * (peak - end) * (1 + Math.cos(Math.PI * progress));
}
