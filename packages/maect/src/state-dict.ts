import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { BlockWeights } from './block';
import { CheckpointError } from './errors';

/** One tensor of a PyTorch state dict: row-major float32 `data` of shape `shape`. */
export interface StateTensor {
  shape: number[];
  data: Float32Array;
}

/** Reference (PyTorch/timm) parameter name → tensor in the reference layout. */
export type StateDict = Record<string, StateTensor>;

/** Options of the `loadStateDict` methods (key matching against the checkpoint). */
export interface LoadStateDictOptions {
  /** Ignore keys the model does not have (e.g. a classifier `head.*`, or decoder keys when loading an encoder). Default false. */
  allowUnexpected?: boolean;
  /** Prefix stripped from every key before matching (e.g. `'encoder.'`). Default `''`. */
  prefix?: string;
}

/** Options of the `stateDict` methods (layout of the exported checkpoint). */
export interface ExportStateDictOptions {
  /**
   * Write `pos_embed` / `decoder_pos_embed` with the zero class-token row first (`[1, 1+N, D]`, official MAE
   * and timm) or without it (`[1, N, D]`, MAE-CT). Default true.
   */
  posEmbedClsRow?: boolean;
}

/** How one reference key maps onto layer variables (internal). */
export interface ParamSpec {
  key: string;
  /** Reference shape. */
  shape: number[];
  /** Further accepted reference shapes (e.g. pos_embed without its class-token row). */
  altShapes?: number[][];
  /** Writes a reference-layout tensor into the variables (called inside a tidy). */
  load(t: tf.Tensor): void;
  /** Reads the variables as a reference-layout tensor (called inside a tidy). */
  save(opts: Required<ExportStateDictOptions>): tf.Tensor;
}

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** A parameter stored in the same layout (LayerNorm, biases, tokens): only the shape may differ. */
export function plainSpec(key: string, v: LayerVariable, shape: number[] = v.shape as number[]): ParamSpec {
  return {
    key,
    shape,
    load: (t) => v.write(tf.reshape(t, v.shape as number[])),
    save: () => tf.reshape(v.read(), shape),
  };
}

/** torch `nn.Linear.weight` `[out, in]` ↔ tfjs kernel `[in, out]`. */
export function linearSpec(key: string, v: LayerVariable): ParamSpec {
  const [i, o] = v.shape as number[];
  return { key, shape: [o, i], load: (t) => v.write(tf.transpose(t)), save: () => tf.transpose(v.read()) };
}

/** Fixed positional embedding `[1+N, D]` (with the class-token row), loadable with or without that row. */
export function posEmbedSpec(key: string, v: LayerVariable): ParamSpec {
  const [n1, d] = v.shape as number[];
  return {
    key,
    shape: [1, n1, d],
    altShapes: [[1, n1 - 1, d]],
    load: (t) => {
      const rows = tf.reshape(t, [t.shape[1]!, d]);
      v.write(t.shape[1] === n1 ? rows : tf.concat([tf.zeros([1, d]), rows], 0));
    },
    save: (opts) => {
      const all = v.read();
      return opts.posEmbedClsRow
        ? tf.reshape(all, [1, n1, d])
        : tf.reshape(tf.slice(all, [1, 0]), [1, n1 - 1, d]);
    },
  };
}

/** The reference keys of one timm `Block` under `prefix` (`blocks.3.`), incl. the packed `attn.qkv`. */
export function blockSpecs(prefix: string, w: BlockWeights): ParamSpec[] {
  const d = w.queryKernel.shape[0]!;
  const specs: ParamSpec[] = [
    plainSpec(`${prefix}norm1.weight`, w.norm1Gamma),
    plainSpec(`${prefix}norm1.bias`, w.norm1Beta),
    {
      // timm packs q, k, v as rows [0:D], [D:2D], [2D:3D] of one Linear (`Attention.qkv`).
      key: `${prefix}attn.qkv.weight`,
      shape: [3 * d, d],
      load: (t) => {
        const [q, k, v] = tf.split(t, 3, 0);
        w.queryKernel.write(tf.transpose(q));
        w.keyKernel.write(tf.transpose(k));
        w.valueKernel.write(tf.transpose(v));
      },
      save: () =>
        tf.concat(
          [
            tf.transpose(w.queryKernel.read()),
            tf.transpose(w.keyKernel.read()),
            tf.transpose(w.valueKernel.read()),
          ],
          0,
        ),
    },
  ];
  if (w.queryBias && w.keyBias && w.valueBias) {
    const [qb, kb, vb] = [w.queryBias, w.keyBias, w.valueBias];
    specs.push({
      key: `${prefix}attn.qkv.bias`,
      shape: [3 * d],
      load: (t) => {
        const [q, k, v] = tf.split(t, 3, 0);
        qb.write(q);
        kb.write(k);
        vb.write(v);
      },
      save: () => tf.concat([qb.read(), kb.read(), vb.read()], 0),
    });
  }
  specs.push(
    linearSpec(`${prefix}attn.proj.weight`, w.projKernel),
    plainSpec(`${prefix}attn.proj.bias`, w.projBias),
    plainSpec(`${prefix}norm2.weight`, w.norm2Gamma),
    plainSpec(`${prefix}norm2.bias`, w.norm2Beta),
    linearSpec(`${prefix}mlp.fc1.weight`, w.fc1Kernel),
    plainSpec(`${prefix}mlp.fc1.bias`, w.fc1Bias),
    linearSpec(`${prefix}mlp.fc2.weight`, w.fc2Kernel),
    plainSpec(`${prefix}mlp.fc2.bias`, w.fc2Bias),
  );
  return specs;
}

/**
 * Checks a whole state dict against `specs` first (listing every missing, mis-shaped and unexpected
 * key in one {@link CheckpointError}), then writes it: a bad checkpoint leaves the model unchanged.
 */
export function applyStateDict(specs: ParamSpec[], dict: StateDict, opts: LoadStateDictOptions = {}): void {
  const prefix = opts.prefix ?? '';
  const byKey = new Map<string, StateTensor>();
  const unexpected: string[] = [];
  for (const [k, t] of Object.entries(dict)) {
    if (k.startsWith(prefix)) byKey.set(k.slice(prefix.length), t);
    else unexpected.push(k);
  }
  const known = new Set(specs.map((s) => s.key));
  for (const k of byKey.keys()) if (!known.has(k)) unexpected.push(prefix + k);
  const missing: string[] = [];
  const misshaped: { key: string; expected: number[]; received: number[] }[] = [];
  for (const s of specs) {
    const t = byKey.get(s.key);
    if (!t) missing.push(prefix + s.key);
    else if (![s.shape, ...(s.altShapes ?? [])].some((shape) => same(shape, t.shape)))
      misshaped.push({ key: prefix + s.key, expected: s.shape, received: t.shape });
    else if (t.data.length !== t.shape.reduce((a, b) => a * b, 1))
      misshaped.push({ key: prefix + s.key, expected: t.shape, received: [t.data.length] });
  }
  if (missing.length || misshaped.length || (unexpected.length && !opts.allowUnexpected))
    throw new CheckpointError(missing, misshaped, opts.allowUnexpected ? [] : unexpected);
  for (const s of specs) {
    const t = byKey.get(s.key)!;
    tf.tidy(() => s.load(tf.tensor(t.data, t.shape, 'float32')));
  }
}

/** Reads every spec as a reference-layout tensor (copies; no tensors stay allocated). */
export function collectStateDict(specs: ParamSpec[], opts: ExportStateDictOptions = {}): StateDict {
  const full: Required<ExportStateDictOptions> = { posEmbedClsRow: opts.posEmbedClsRow ?? true };
  const out: StateDict = {};
  for (const s of specs) {
    tf.tidy(() => {
      const t = s.save(full);
      out[s.key] = { shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) };
    });
  }
  return out;
}
