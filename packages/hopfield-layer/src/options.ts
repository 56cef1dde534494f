/**
 * Options of the Hopfield layers: hflayers' constructor arguments in camelCase
 * (ml-jku/hopfield-layers `hflayers/__init__.py` `Hopfield.__init__`), resolved to concrete sizes.
 */
import { checkPositiveInt, HopfieldError, perHead } from './errors';

/** Every option of `hflayers.Hopfield`, camelCased. `null`/omitted sizes are taken from the inputs. */
export interface HopfieldOptions {
  /** Depth of the state pattern (input). Default: the state input's feature size. */
  inputSize?: number | null;
  /** Depth of the association space per head (head dim). Default `inputSize / numHeads`. */
  hiddenSize?: number | null;
  /** Depth of the output projection. Default `inputSize`. */
  outputSize?: number | null;
  /** Depth of the projected pattern (value) per head. Default `hiddenSize`. */
  patternSize?: number | null;
  /** Parallel association heads. Default 1. */
  numHeads?: number;
  /** β: one number or one per head; default `1/sqrt(hiddenSize)` (1 in all-static mode). */
  scaling?: number | readonly number[] | null;
  /** Update steps after the first association (0 = attention); `null` = until converged. Default 0. */
  updateStepsMax?: number | readonly number[] | null;
  /** Stopping threshold on ‖ξ_t − ξ_{t−1}‖_F (max over the batch), per head. Default 1e-4. */
  updateStepsEps?: number | readonly number[];
  /** LayerNorm on the raw stored patterns. Default true (affine true, eps 1e-5). */
  normalizeStoredPattern?: boolean;
  normalizeStoredPatternAffine?: boolean;
  normalizeStoredPatternEps?: number;
  /** LayerNorm on the raw state patterns. Default true (affine true, eps 1e-5). */
  normalizeStatePattern?: boolean;
  normalizeStatePatternAffine?: boolean;
  normalizeStatePatternEps?: number;
  /** LayerNorm on the raw pattern projection. Default true (affine true, eps 1e-5). */
  normalizePatternProjection?: boolean;
  normalizePatternProjectionAffine?: boolean;
  normalizePatternProjectionEps?: number;
  /** LayerNorm over the head dim of the projected state and stored patterns. Default false. */
  normalizeHopfieldSpace?: boolean;
  normalizeHopfieldSpaceAffine?: boolean;
  normalizeHopfieldSpaceEps?: number;
  /** Use the stored patterns as they are (no projection; feature size must be `hiddenSize`). */
  storedPatternAsStatic?: boolean;
  /** Use the state patterns as they are (no projection; feature size must be `hiddenSize`). */
  statePatternAsStatic?: boolean;
  /** Use the pattern projection as it is (no projection). */
  patternProjectionAsStatic?: boolean;
  /** Project the pattern projection with the stored-pattern projection first (W̃_V = W_K W_V). */
  patternProjectionAsConnected?: boolean;
  /** Depth of the stored patterns. Default `inputSize`. */
  storedPatternSize?: number | null;
  /** Depth of the pattern projection. Default `inputSize`. */
  patternProjectionSize?: number | null;
  /** Inputs are `[batch, seq, features]` (true, default) or `[seq, batch, features]`. */
  batchFirst?: boolean;
  /** Elementwise function applied to the output, by its torch name (`'tanh'`, `'relu'`, …). */
  associationActivation?: string | null;
  /** Dropout on the final association matrix while training. Default 0. */
  dropout?: number;
  /** Biases of the input and output projections. Default true. */
  inputBias?: boolean;
  /** Append a learned bias pattern to the stored patterns and projections (see README). Default false. */
  concatBiasPattern?: boolean;
  /** Append an all-zero stored pattern and projection. Default false. */
  addZeroAssociation?: boolean;
  /** No output projection: the output is the heads' retrievals concatenated. Default false. */
  disableOutProjection?: boolean;
  /** Seed of the weight initializers and of the dropout masks. */
  seed?: number | null;
}

/** The options with every default filled in (what `getConfig` returns). */
export type ResolvedHopfieldOptions = {
  [K in keyof HopfieldOptions]-?: Exclude<HopfieldOptions[K], undefined>;
};

/** Elementwise activations accepted by `associationActivation` (torch function names). */
export const ASSOCIATION_ACTIVATIONS = [
  'tanh',
  'relu',
  'sigmoid',
  'selu',
  'celu',
  'elu',
  'exp',
  'abs',
  'square',
  'sqrt',
  'sin',
  'cos',
  'erf',
  'softplus',
  'neg',
] as const;

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new HopfieldError(`${name}: expected a boolean, received ${String(v)}`);
  return v;
}

function size(name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  checkPositiveInt(name, v as number);
  return v as number;
}

function eps(name: string, v: unknown): number {
  if (v === undefined || v === null) return 1e-5;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new HopfieldError(`${name}: expected a finite number > 0, received ${String(v)}`);
  }
  return v;
}

/** Validates the options and fills in the defaults (sizes stay `null` until the inputs are known). */
export function resolveOptions(o: HopfieldOptions = {}): ResolvedHopfieldOptions {
  const numHeads = o.numHeads ?? 1;
  checkPositiveInt('numHeads', numHeads);
  const scaling = o.scaling ?? null;
  if (scaling !== null) {
    for (const [h, b] of perHead('scaling', scaling, numHeads).entries()) {
      if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) {
        throw new HopfieldError(
          `scaling${Array.isArray(scaling) ? `[${h}]` : ''}: expected a finite number > 0, received ${String(b)}`,
        );
      }
    }
  }
  const updateStepsMax = o.updateStepsMax === undefined ? 0 : o.updateStepsMax;
  if (updateStepsMax !== null) {
    for (const m of perHead<number>('updateStepsMax', updateStepsMax, numHeads)) {
      if (!Number.isInteger(m)) {
        throw new HopfieldError(`updateStepsMax: expected an integer or null, received ${String(m)}`);
      }
    }
  }
  const updateStepsEps = o.updateStepsEps ?? 1e-4;
  for (const e of perHead<number>('updateStepsEps', updateStepsEps, numHeads)) {
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0) {
      throw new HopfieldError(`updateStepsEps: expected a finite number > 0, received ${String(e)}`);
    }
  }
  const dropout = o.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new HopfieldError(`dropout: expected a rate in [0, 1), received ${String(dropout)}`);
  }
  const act = o.associationActivation ?? null;
  if (act !== null && !(ASSOCIATION_ACTIVATIONS as readonly string[]).includes(act)) {
    throw new HopfieldError(
      `associationActivation: expected one of ${ASSOCIATION_ACTIVATIONS.join(', ')} or null, received '${String(act)}'`,
    );
  }
  const seed = o.seed ?? null;
  if (seed !== null && !Number.isFinite(seed)) {
    throw new HopfieldError(`seed: expected a finite number, received ${String(seed)}`);
  }
  const r: ResolvedHopfieldOptions = {
    inputSize: size('inputSize', o.inputSize),
    hiddenSize: size('hiddenSize', o.hiddenSize),
    outputSize: size('outputSize', o.outputSize),
    patternSize: size('patternSize', o.patternSize),
    numHeads,
    scaling: Array.isArray(scaling) ? [...scaling] : scaling,
    updateStepsMax: Array.isArray(updateStepsMax) ? [...updateStepsMax] : updateStepsMax,
    updateStepsEps: Array.isArray(updateStepsEps) ? [...updateStepsEps] : updateStepsEps,
    normalizeStoredPattern: bool('normalizeStoredPattern', o.normalizeStoredPattern, true),
    normalizeStoredPatternAffine: bool('normalizeStoredPatternAffine', o.normalizeStoredPatternAffine, true),
    normalizeStoredPatternEps: eps('normalizeStoredPatternEps', o.normalizeStoredPatternEps),
    normalizeStatePattern: bool('normalizeStatePattern', o.normalizeStatePattern, true),
    normalizeStatePatternAffine: bool('normalizeStatePatternAffine', o.normalizeStatePatternAffine, true),
    normalizeStatePatternEps: eps('normalizeStatePatternEps', o.normalizeStatePatternEps),
    normalizePatternProjection: bool('normalizePatternProjection', o.normalizePatternProjection, true),
    normalizePatternProjectionAffine: bool(
      'normalizePatternProjectionAffine',
      o.normalizePatternProjectionAffine,
      true,
    ),
    normalizePatternProjectionEps: eps('normalizePatternProjectionEps', o.normalizePatternProjectionEps),
    normalizeHopfieldSpace: bool('normalizeHopfieldSpace', o.normalizeHopfieldSpace, false),
    normalizeHopfieldSpaceAffine: bool('normalizeHopfieldSpaceAffine', o.normalizeHopfieldSpaceAffine, false),
    normalizeHopfieldSpaceEps: eps('normalizeHopfieldSpaceEps', o.normalizeHopfieldSpaceEps),
    storedPatternAsStatic: bool('storedPatternAsStatic', o.storedPatternAsStatic, false),
    statePatternAsStatic: bool('statePatternAsStatic', o.statePatternAsStatic, false),
    patternProjectionAsStatic: bool('patternProjectionAsStatic', o.patternProjectionAsStatic, false),
    patternProjectionAsConnected: bool('patternProjectionAsConnected', o.patternProjectionAsConnected, false),
    storedPatternSize: size('storedPatternSize', o.storedPatternSize),
    patternProjectionSize: size('patternProjectionSize', o.patternProjectionSize),
    batchFirst: bool('batchFirst', o.batchFirst, true),
    associationActivation: act,
    dropout,
    inputBias: bool('inputBias', o.inputBias, true),
    concatBiasPattern: bool('concatBiasPattern', o.concatBiasPattern, false),
    addZeroAssociation: bool('addZeroAssociation', o.addZeroAssociation, false),
    disableOutProjection: bool('disableOutProjection', o.disableOutProjection, false),
    seed,
  };
  // Affine without normalisation has no effect: the reference asserts, so do we.
  for (const [flag, affine] of [
    ['normalizeStoredPattern', 'normalizeStoredPatternAffine'],
    ['normalizeStatePattern', 'normalizeStatePatternAffine'],
    ['normalizePatternProjection', 'normalizePatternProjectionAffine'],
    ['normalizeHopfieldSpace', 'normalizeHopfieldSpaceAffine'],
  ] as const) {
    if (r[affine] && !r[flag]) {
      throw new HopfieldError(
        `${affine}: true requires ${flag}: true (affine normalisation without normalisation)`,
      );
    }
  }
  if (r.concatBiasPattern && (r.storedPatternAsStatic || r.patternProjectionAsStatic)) {
    throw new HopfieldError(
      'concatBiasPattern: requires storedPatternAsStatic: false and patternProjectionAsStatic: false (the bias pattern lives in the projected space)',
    );
  }
  return r;
}

/** True when nothing is projected: all patterns static, no Hopfield-space norm, no output projection. */
export function isStaticExecution(o: ResolvedHopfieldOptions): boolean {
  return (
    o.storedPatternAsStatic &&
    o.statePatternAsStatic &&
    o.patternProjectionAsStatic &&
    !o.patternProjectionAsConnected &&
    !o.normalizeHopfieldSpace &&
    !o.normalizeHopfieldSpaceAffine &&
    o.disableOutProjection
  );
}

/** Concrete sizes of one Hopfield association, resolved from the options and the input sizes. */
export interface HopfieldDims {
  numHeads: number;
  /** state pattern depth (E) */
  stateSize: number;
  /** stored pattern depth */
  storedSize: number;
  /** pattern projection depth */
  projectionSize: number;
  /** head dim of the association space */
  headDim: number;
  /** value depth per head after projection (or the raw depth when static) */
  valueHeadDim: number;
  /** input depth of the value projection (H·headDim when connected) */
  valueInSize: number;
  /** output depth */
  outputSize: number;
  /** the reference packs q/k/v into one `in_proj_weight` */
  packed: boolean;
  staticExecution: boolean;
}

/**
 * Resolves every size from the options and the feature sizes of the inputs (each may be null when
 * unknown; the options then must give it), with the reference's consistency checks as errors.
 */
export function resolveDims(
  o: ResolvedHopfieldOptions,
  features: { state: number | null; stored: number | null; projection: number | null },
): HopfieldDims {
  const H = o.numHeads;
  const staticExecution = isStaticExecution(o);
  const stateSize = o.inputSize ?? features.state;
  if (stateSize == null) {
    throw new HopfieldError(
      'inputSize: needed before the layer has seen an input (set inputSize or call the layer)',
    );
  }
  if (features.state != null && features.state !== stateSize) {
    throw new HopfieldError(
      `state pattern: expected feature size inputSize = ${stateSize}, received ${features.state}`,
    );
  }
  let headDim: number;
  if (o.hiddenSize != null) headDim = o.hiddenSize;
  else if (staticExecution) headDim = stateSize;
  else {
    if (stateSize % H !== 0) {
      throw new HopfieldError(
        `numHeads: expected a divisor of inputSize = ${stateSize} (or set hiddenSize), received ${H}`,
      );
    }
    headDim = stateSize / H;
  }
  const storedSize = o.storedPatternSize ?? features.stored ?? stateSize;
  if (features.stored != null && features.stored !== storedSize) {
    throw new HopfieldError(
      `stored pattern: expected feature size storedPatternSize = ${storedSize}, received ${features.stored}`,
    );
  }
  const projectionSize = o.patternProjectionSize ?? features.projection ?? stateSize;
  if (features.projection != null && features.projection !== projectionSize) {
    throw new HopfieldError(
      `pattern projection: expected feature size patternProjectionSize = ${projectionSize}, received ${features.projection}`,
    );
  }
  if (o.statePatternAsStatic && stateSize !== headDim) {
    throw new HopfieldError(
      `statePatternAsStatic: the state pattern size (${stateSize}) must equal hiddenSize (${headDim})`,
    );
  }
  if (o.storedPatternAsStatic && storedSize !== headDim) {
    throw new HopfieldError(
      `storedPatternAsStatic: the stored pattern size (${storedSize}) must equal hiddenSize (${headDim})`,
    );
  }
  const patternDim = o.patternSize ?? headDim;
  const connected = o.patternProjectionAsConnected && !o.storedPatternAsStatic;
  if (o.patternProjectionAsConnected) {
    if (storedSize !== projectionSize) {
      throw new HopfieldError(
        `patternProjectionAsConnected: needs storedPatternSize (${storedSize}) = patternProjectionSize (${projectionSize})`,
      );
    }
    if (patternDim !== headDim) {
      throw new HopfieldError(
        `patternProjectionAsConnected: needs patternSize (${patternDim}) = hiddenSize (${headDim})`,
      );
    }
  }
  let valueHeadDim: number;
  let valueInSize: number;
  if (o.patternProjectionAsStatic) {
    valueHeadDim = connected ? headDim : projectionSize;
    valueInSize = 0;
    if (!connected && !o.disableOutProjection && projectionSize !== patternDim) {
      throw new HopfieldError(
        `patternProjectionAsStatic: the pattern projection size (${projectionSize}) must equal patternSize (${patternDim}) when the output projection is enabled`,
      );
    }
  } else {
    valueHeadDim = patternDim;
    valueInSize = connected ? H * headDim : projectionSize;
  }
  const outputSize = o.disableOutProjection ? H * valueHeadDim : (o.outputSize ?? stateSize);
  const packed =
    storedSize === stateSize &&
    projectionSize === stateSize &&
    o.patternSize == null &&
    !o.patternProjectionAsConnected;
  return {
    numHeads: H,
    stateSize,
    storedSize,
    projectionSize,
    headDim,
    valueHeadDim,
    valueInSize,
    outputSize,
    packed,
    staticExecution,
  };
}
