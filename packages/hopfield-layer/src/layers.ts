/**
 * `Hopfield`, `HopfieldPooling` and `HopfieldLayer` as tfjs layers (hflayers `__init__.py`,
 * ml-jku/hopfield-layers), registered for `model.save()` / `tf.loadLayersModel()`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import {
  type AddWeight,
  type AssociationMasks,
  HopfieldAssociation,
  loadStateEntries,
  makeInitializer,
  type StateDictValue,
  type StateEntry,
} from './association';
import { checkPositiveInt, fmtShape, HopfieldError } from './errors';
import {
  type HopfieldDims,
  type HopfieldOptions,
  type ResolvedHopfieldOptions,
  resolveDims,
  resolveOptions,
} from './options';

type Shape = (number | null)[];
type Kwargs = { [key: string]: unknown };

/** Call kwargs of every Hopfield layer (besides tfjs' `training`). */
export interface HopfieldCallKwargs {
  /** `[batch, numStored]`; true / non-zero = ignore that stored pattern. */
  storedPatternPaddingMask?: tf.Tensor;
  /**
   * `[seq, numStored]` or `[batch·numHeads, seq, numStored]`; `bool`/`int32`: true = ignore;
   * `float32`: added to the logits (reference semantics).
   */
  associationMask?: tf.Tensor;
  training?: boolean;
}

/** Base options of tfjs layers that these layers accept. */
export interface BaseLayerOptions {
  name?: string;
  /** tfjs: whether the layer's weights are updated by training. Default true. */
  trainable?: boolean;
  /** tfjs: input shape without the batch axis, when the layer is the first of a model. */
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
}

/**
 * Constructor arguments of {@link Hopfield}: the association options ({@link HopfieldOptions},
 * hflayers `Hopfield.__init__`) plus the tfjs layer options ({@link BaseLayerOptions}).
 */
export type HopfieldArgs = HopfieldOptions & BaseLayerOptions;

/** Options of `loadStateDict` on the Hopfield layers. */
export interface HopfieldLoadOptions {
  /** Require every parameter and reject unknown names. Default true. */
  strict?: boolean;
}

function isShapeList(s: Shape | Shape[]): s is Shape[] {
  return Array.isArray(s) && s.length > 0 && Array.isArray(s[0]);
}

function featureOf(s: Shape | undefined): number | null {
  if (s == null) return null;
  return (s[s.length - 1] as number | null) ?? null;
}

function asList(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

/**
 * The inputs of a pooling layer as a list, checked: the stored pattern `[batch, numStored, features]`
 * and optionally a separate pattern projection of the same rank.
 */
export function poolingInputs(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  const list = asList(inputs);
  if (list.length !== 1 && list.length !== 2) {
    throw new HopfieldError(
      `inputs: expected one tensor or [storedPattern, patternProjection], received ${list.length} tensors`,
    );
  }
  for (const t of list) {
    if (!(t instanceof tf.Tensor) || t.rank !== 3) {
      throw new HopfieldError(
        `inputs: expected rank-3 tensors [batch, numStored, features], received ${t instanceof tf.Tensor ? fmtShape(t.shape) : typeof t}`,
      );
    }
  }
  return list;
}

function masksOf(kwargs: Kwargs | undefined): AssociationMasks {
  const k = (kwargs ?? {}) as HopfieldCallKwargs;
  return { storedPatternPaddingMask: k.storedPatternPaddingMask, associationMask: k.associationMask };
}

function optionsConfig(o: ResolvedHopfieldOptions): serialization.ConfigDict {
  return { ...o } as unknown as serialization.ConfigDict;
}

/** Shared plumbing: option resolution, weight creation, state dict. */
abstract class HopfieldBase extends layers.Layer {
  readonly options: ResolvedHopfieldOptions;
  protected assoc: HopfieldAssociation | null = null;
  private weightIndex = 0;

  constructor(args: HopfieldArgs) {
    // tfjs' own layer args (name, trainable, inputShape, dtype, …) go to the base class.
    super(args as ConstructorParameters<typeof layers.Layer>[0]);
    this.options = resolveOptions(args);
    this.supportsMasking = false;
  }

  /**
   * Update steps (after the first association) each head ran in the latest call, e.g. `[14, 8]`
   * when the two heads of `updateStepsMax: null` converge at different times; null before any call.
   */
  get lastUpdateSteps(): number[] | null {
    return this.assoc?.lastUpdateSteps ?? null;
  }

  /** The resolved sizes (after `build`). */
  get dims(): HopfieldDims {
    if (!this.assoc) throw new HopfieldError(`${this.name}: the layer is not built yet (call it once)`);
    return this.assoc.dims;
  }

  protected addParam: AddWeight = (name, shape, init, trainable = true) =>
    this.addWeight(
      name,
      shape,
      'float32',
      makeInitializer(init, this.options.seed, this.weightIndex++),
      undefined,
      trainable,
    );

  /**
   * Resolves the sizes from the options and the given input feature sizes (null = not known yet,
   * taken from the options) and creates the association's weights on this layer.
   * @param features - last-axis sizes of the state pattern, stored pattern and pattern projection.
   */
  protected buildAssociation(features: {
    state: number | null;
    stored: number | null;
    projection: number | null;
  }) {
    const dims = resolveDims(this.options, features);
    this.assoc = new HopfieldAssociation(this.options, dims);
    this.assoc.build(this.addParam);
  }

  /** Builds from the options alone (for `loadStateDict` before the first call). */
  protected abstract buildFromOptions(): void;

  /** The association, building it from the options first when the layer has not been called yet. */
  protected ensureBuilt(): HopfieldAssociation {
    if (!this.built) this.buildEagerly(() => this.buildFromOptions());
    return this.assoc!;
  }

  /**
   * Builds outside `apply` (state dict or association matrix before the first call), counting it as
   * tfjs counts a first eager call, so that `dispose()` works afterwards.
   */
  protected buildEagerly(build: () => void): void {
    build();
    this.built = true;
    const self = this as unknown as { _refCount: number | null };
    if (self._refCount === null) self._refCount = 1;
  }

  /**
   * State-dict entries of the layer's own weights outside the association (e.g. `pooling_weights`
   * `[1, quantity, d]`), listed before the association's entries.
   */
  protected abstract extraEntries(): StateEntry[];
  /**
   * Name prefix of the association's state-dict entries: `''` where the reference module is the
   * association itself, `'hopfield.'` where it wraps one as its `hopfield` submodule.
   */
  protected abstract prefix(): string;

  private entries(): StateEntry[] {
    const assoc = this.ensureBuilt();
    return [...this.extraEntries(), ...assoc.stateEntries(this.prefix())];
  }

  /**
   * Loads parameters saved from the reference (`module.state_dict()`, PyTorch names and layouts,
   * e.g. `association_core.in_proj_weight` `[3·H·d, in]`). Values: tensors or `{shape, data}`.
   * All problems (missing / unexpected / mis-shaped names) are reported in one error.
   */
  loadStateDict(dict: Record<string, StateDictValue>, opts: HopfieldLoadOptions = {}): void {
    loadStateEntries(this.entries(), dict, opts);
  }

  /** The parameters under the reference's names and layouts (new tensors; the caller disposes). */
  stateDict(): Record<string, tf.Tensor> {
    return tf.tidy(() => Object.fromEntries(this.entries().map((e) => [e.name, e.get()])));
  }

  /** The resolved Hopfield options plus tfjs' layer config (for `model.save()` / `tf.loadLayersModel()`). */
  override getConfig(): serialization.ConfigDict {
    return { ...optionsConfig(this.options), ...super.getConfig() };
  }
}

/**
 * Modern Hopfield association (hflayers `Hopfield`): input `[batch, seq, inputSize]` used as stored
 * pattern, state pattern and pattern projection (self-association), or
 * `[storedPattern, statePattern, patternProjection]`. Output `[batch, seqState, outputSize]`.
 */
export class Hopfield extends HopfieldBase {
  static className = 'Hopfield';

  constructor(args: HopfieldArgs = {}) {
    super(args);
    // Surface size errors (e.g. numHeads not dividing inputSize) at construction when sizes are given.
    if (this.options.inputSize != null)
      resolveDims(this.options, { state: null, stored: null, projection: null });
  }

  /** `''`: hflayers `Hopfield` is the association module itself. */
  protected prefix(): string {
    return '';
  }

  /** None: all weights belong to the association. */
  protected extraEntries(): StateEntry[] {
    return [];
  }

  protected buildFromOptions(): void {
    this.buildAssociation({ state: null, stored: null, projection: null });
  }

  override build(inputShape: Shape | Shape[]): void {
    let stored: Shape | undefined;
    let state: Shape | undefined;
    let projection: Shape | undefined;
    if (isShapeList(inputShape)) {
      if (inputShape.length === 1)
        [stored, state, projection] = [inputShape[0], inputShape[0], inputShape[0]];
      else if (inputShape.length === 3) [stored, state, projection] = inputShape;
      else {
        throw new HopfieldError(
          `inputs: expected one tensor or [storedPattern, statePattern, patternProjection], received ${inputShape.length} tensors`,
        );
      }
    } else [stored, state, projection] = [inputShape, inputShape, inputShape];
    for (const [n, s] of [
      ['stored pattern', stored],
      ['state pattern', state],
      ['pattern projection', projection],
    ] as const) {
      if (s!.length !== 3)
        throw new HopfieldError(`${n}: expected rank 3 [batch, seq, features], received ${fmtShape(s!)}`);
    }
    this.buildAssociation({
      state: featureOf(state),
      stored: featureOf(stored),
      projection: featureOf(projection),
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const state = isShapeList(inputShape)
      ? inputShape.length === 3
        ? inputShape[1]
        : inputShape[0]
      : inputShape;
    const out = this.assoc?.dims.outputSize ?? null;
    return [state[0], state[1], out];
  }

  /** Batch-first [stored, state, projection] from the layer inputs. */
  private patterns(inputs: tf.Tensor | tf.Tensor[]): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const list = asList(inputs);
    let s: [tf.Tensor, tf.Tensor, tf.Tensor];
    if (list.length === 1) s = [list[0], list[0], list[0]];
    else if (list.length === 3) s = [list[0], list[1], list[2]];
    else {
      throw new HopfieldError(
        `inputs: expected one tensor or [storedPattern, statePattern, patternProjection], received ${list.length} tensors`,
      );
    }
    for (const t of s) {
      if (!(t instanceof tf.Tensor) || t.rank !== 3) {
        throw new HopfieldError(
          `inputs: expected rank-3 tensors [batch, seq, features], received ${t instanceof tf.Tensor ? fmtShape(t.shape) : typeof t}`,
        );
      }
    }
    if (!this.options.batchFirst)
      s = s.map((t) => tf.transpose(t, [1, 0, 2])) as [tf.Tensor, tf.Tensor, tf.Tensor];
    return s;
  }

  private run(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs | undefined) {
    if (!this.built) {
      const list = asList(inputs);
      this.buildEagerly(() => this.build(list.length === 3 ? list.map((t) => t.shape) : list[0].shape));
    }
    const [k, q, v] = this.patterns(inputs);
    return this.assoc!.forward(k, q, v, masksOf(kwargs), Boolean(kwargs?.training));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const out = this.run(inputs, kwargs).output;
      return this.options.batchFirst ? out : tf.transpose(out, [1, 0, 2]);
    });
  }

  /** The final association matrix ξ `[batch, numHeads, seqState, numStored]` (no gradient needed). */
  associationMatrix(inputs: tf.Tensor | tf.Tensor[], kwargs: HopfieldCallKwargs = {}): tf.Tensor4D {
    return tf.tidy(() => this.run(inputs, { ...kwargs, training: false }).association);
  }

  /** The projected patterns V `[batch, numHeads, numStored, patternSize]` (hflayers `get_projected_pattern_matrix`). */
  projectedPatternMatrix(inputs: tf.Tensor | tf.Tensor[], kwargs: HopfieldCallKwargs = {}): tf.Tensor4D {
    return tf.tidy(() => this.run(inputs, { ...kwargs, training: false }).projected);
  }
}

/** Constructor arguments of {@link HopfieldPooling} (hflayers `HopfieldPooling.__init__`). */
export interface HopfieldPoolingArgs extends HopfieldArgs {
  /** Number of learned state patterns (queries). Default 1. */
  quantity?: number;
  /** Whether the learned state patterns are trained (hflayers `trainable`). Default true. */
  poolingWeightsTrainable?: boolean;
}

/**
 * Hopfield pooling (hflayers `HopfieldPooling`): `quantity` learned state patterns attend over the
 * input `[batch, numStored, inputSize]` (or `[storedPattern, patternProjection]`).
 * Output `[batch, quantity·outputSize]`.
 */
export class HopfieldPooling extends HopfieldBase {
  static className = 'HopfieldPooling';
  readonly quantity: number;
  readonly poolingWeightsTrainable: boolean;
  protected poolingWeights: LayerVariable | null = null;

  constructor(args: HopfieldPoolingArgs = {}) {
    super(args);
    this.quantity = args.quantity ?? 1;
    checkPositiveInt('quantity', this.quantity);
    this.poolingWeightsTrainable = args.poolingWeightsTrainable ?? true;
    if (!this.options.batchFirst)
      throw new HopfieldError('batchFirst: HopfieldPooling supports batchFirst: true only');
  }

  /** `'hopfield.'`: hflayers `HopfieldPooling` holds its association as the `hopfield` submodule. */
  protected prefix(): string {
    return 'hopfield.';
  }

  /** `pooling_weights` `[1, quantity, d]` (the learned state patterns, reference layout). */
  protected extraEntries(): StateEntry[] {
    const w = this.poolingWeights!;
    return [
      {
        name: 'pooling_weights',
        shape: [1, ...(w.shape as number[])],
        get: () => tf.expandDims(w.read(), 0),
        set: (t) => w.write(tf.reshape(t, w.shape as number[])),
      },
    ];
  }

  private stateSize(stored: number | null): number | null {
    return this.options.statePatternAsStatic
      ? (this.options.hiddenSize ?? this.options.inputSize ?? stored)
      : (this.options.inputSize ?? stored);
  }

  private buildWith(stored: number | null, projection: number | null) {
    const state = this.stateSize(stored);
    this.buildAssociation({ state, stored, projection });
    const d = this.options.statePatternAsStatic ? this.dims.headDim : this.dims.stateSize;
    this.poolingWeights = this.addParam(
      'pooling_weights',
      [this.quantity, d],
      'normal',
      this.poolingWeightsTrainable,
    );
  }

  protected buildFromOptions(): void {
    this.buildWith(null, null);
  }

  override build(inputShape: Shape | Shape[]): void {
    const list = isShapeList(inputShape) ? inputShape : [inputShape];
    if (list.length !== 1 && list.length !== 2) {
      throw new HopfieldError(
        `inputs: expected one tensor or [storedPattern, patternProjection], received ${list.length} tensors`,
      );
    }
    this.buildWith(featureOf(list[0]), featureOf(list[list.length - 1]));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = isShapeList(inputShape) ? inputShape[0] : inputShape;
    const out = this.assoc?.dims.outputSize;
    return [s[0], out == null ? null : this.quantity * out];
  }

  private run(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs | undefined) {
    const list = poolingInputs(inputs);
    if (!this.built) this.buildEagerly(() => this.build(list.map((t) => t.shape)));
    const stored = list[0];
    const projection = list[list.length - 1];
    const B = stored.shape[0];
    const w = this.poolingWeights!.read();
    const state = tf.broadcastTo(tf.expandDims(w, 0), [B, ...(w.shape as number[])]);
    return this.assoc!.forward(stored, state, projection, masksOf(kwargs), Boolean(kwargs?.training));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const out = this.run(inputs, kwargs).output;
      return tf.reshape(out, [out.shape[0], -1]);
    });
  }

  /** ξ `[batch, numHeads, quantity, numStored]`. */
  associationMatrix(inputs: tf.Tensor | tf.Tensor[], kwargs: HopfieldCallKwargs = {}): tf.Tensor4D {
    return tf.tidy(() => this.run(inputs, { ...kwargs, training: false }).association);
  }

  /** V `[batch, numHeads, numStored, patternSize]`. */
  projectedPatternMatrix(inputs: tf.Tensor | tf.Tensor[], kwargs: HopfieldCallKwargs = {}): tf.Tensor4D {
    return tf.tidy(() => this.run(inputs, { ...kwargs, training: false }).projected);
  }

  /** The base config plus `quantity` and `poolingWeightsTrainable`. */
  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      quantity: this.quantity,
      poolingWeightsTrainable: this.poolingWeightsTrainable,
    };
  }
}

/** Constructor arguments of {@link HopfieldLayer} (hflayers `HopfieldLayer.__init__`). */
export interface HopfieldLayerArgs extends HopfieldArgs {
  /** Number of learned stored patterns (lookup entries). Default 1. */
  quantity?: number;
  /** Separate learned targets (pattern projection) from the lookup weights. Default false. */
  lookupWeightsAsSeparated?: boolean;
  /** Whether the separate targets are trained. Default true. */
  lookupTargetsAsTrainable?: boolean;
  /** Whether the lookup weights are trained (hflayers `trainable`). Default true. */
  lookupWeightsTrainable?: boolean;
}

/**
 * Hopfield lookup (hflayers `HopfieldLayer`): the input `[batch, seq, inputSize]` is the state
 * pattern; `quantity` learned stored patterns (and optional separate targets) are the memory.
 * Output `[batch, seq, outputSize]`.
 */
export class HopfieldLayer extends HopfieldBase {
  static className = 'HopfieldLayer';
  readonly quantity: number;
  readonly lookupWeightsAsSeparated: boolean;
  readonly lookupTargetsAsTrainable: boolean;
  readonly lookupWeightsTrainable: boolean;
  private lookupWeights: LayerVariable | null = null;
  private targetWeights: LayerVariable | null = null;

  constructor(args: HopfieldLayerArgs = {}) {
    super(args);
    this.quantity = args.quantity ?? 1;
    checkPositiveInt('quantity', this.quantity);
    this.lookupWeightsAsSeparated = args.lookupWeightsAsSeparated ?? false;
    this.lookupTargetsAsTrainable = args.lookupTargetsAsTrainable ?? true;
    this.lookupWeightsTrainable = args.lookupWeightsTrainable ?? true;
    if (!this.options.batchFirst)
      throw new HopfieldError('batchFirst: HopfieldLayer supports batchFirst: true only');
  }

  /** `'hopfield.'`: hflayers `HopfieldLayer` holds its association as the `hopfield` submodule. */
  protected prefix(): string {
    return 'hopfield.';
  }

  /**
   * `lookup_weights` `[1, quantity, storedSize]` and, with `lookupWeightsAsSeparated`,
   * `target_weights` `[1, quantity, projectionSize]` (reference layout).
   */
  protected extraEntries(): StateEntry[] {
    const entry = (name: string, w: LayerVariable): StateEntry => ({
      name,
      shape: [1, ...(w.shape as number[])],
      get: () => tf.expandDims(w.read(), 0),
      set: (t) => w.write(tf.reshape(t, w.shape as number[])),
    });
    const out = [entry('lookup_weights', this.lookupWeights!)];
    if (this.targetWeights) out.push(entry('target_weights', this.targetWeights));
    return out;
  }

  private buildWith(state: number | null) {
    const o = this.options;
    const stateSize = o.inputSize ?? state;
    // Lookup dim: hiddenSize when static, else the stored pattern size (default inputSize).
    const lookup = o.storedPatternAsStatic
      ? (o.hiddenSize ?? (stateSize != null ? stateSize / o.numHeads : null))
      : (o.storedPatternSize ?? stateSize);
    const target = this.lookupWeightsAsSeparated ? (o.patternProjectionSize ?? lookup) : lookup;
    this.buildAssociation({ state, stored: lookup, projection: target });
    this.lookupWeights = this.addParam(
      'lookup_weights',
      [this.quantity, this.dims.storedSize],
      'normal',
      this.lookupWeightsTrainable,
    );
    if (this.lookupWeightsAsSeparated) {
      this.targetWeights = this.addParam(
        'target_weights',
        [this.quantity, this.dims.projectionSize],
        'normal',
        this.lookupTargetsAsTrainable,
      );
    }
  }

  protected buildFromOptions(): void {
    this.buildWith(null);
  }

  override build(inputShape: Shape | Shape[]): void {
    const s = isShapeList(inputShape) ? inputShape : [inputShape];
    if (s.length !== 1)
      throw new HopfieldError(`inputs: expected one tensor (the state pattern), received ${s.length}`);
    this.buildWith(featureOf(s[0]));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = isShapeList(inputShape) ? inputShape[0] : inputShape;
    return [s[0], s[1], this.assoc?.dims.outputSize ?? null];
  }

  private run(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs | undefined) {
    const list = asList(inputs);
    if (list.length !== 1 || !(list[0] instanceof tf.Tensor) || list[0].rank !== 3) {
      throw new HopfieldError(
        `inputs: expected one rank-3 tensor [batch, seq, inputSize], received ${list
          .map((t) => (t instanceof tf.Tensor ? fmtShape(t.shape) : typeof t))
          .join(', ')}`,
      );
    }
    if (!this.built) this.buildEagerly(() => this.build(list[0].shape));
    const state = list[0];
    const B = state.shape[0];
    const lw = this.lookupWeights!.read();
    const stored = tf.broadcastTo(tf.expandDims(lw, 0), [B, ...(lw.shape as number[])]);
    let projection = stored;
    if (this.targetWeights) {
      const tw = this.targetWeights.read();
      projection = tf.broadcastTo(tf.expandDims(tw, 0), [B, ...(tw.shape as number[])]);
    }
    return this.assoc!.forward(stored, state, projection, masksOf(kwargs), Boolean(kwargs?.training));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => this.run(inputs, kwargs).output);
  }

  /** ξ `[batch, numHeads, seq, quantity]`. */
  associationMatrix(inputs: tf.Tensor | tf.Tensor[], kwargs: HopfieldCallKwargs = {}): tf.Tensor4D {
    return tf.tidy(() => this.run(inputs, { ...kwargs, training: false }).association);
  }

  /** V `[batch, numHeads, quantity, patternSize]`. */
  projectedPatternMatrix(inputs: tf.Tensor | tf.Tensor[], kwargs: HopfieldCallKwargs = {}): tf.Tensor4D {
    return tf.tidy(() => this.run(inputs, { ...kwargs, training: false }).projected);
  }

  /** The base config plus `quantity` and the three lookup-weight flags. */
  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      quantity: this.quantity,
      lookupWeightsAsSeparated: this.lookupWeightsAsSeparated,
      lookupTargetsAsTrainable: this.lookupTargetsAsTrainable,
      lookupWeightsTrainable: this.lookupWeightsTrainable,
    };
  }
}

serialization.registerClass(Hopfield);
serialization.registerClass(HopfieldPooling);
serialization.registerClass(HopfieldLayer);
