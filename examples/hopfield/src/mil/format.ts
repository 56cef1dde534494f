import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { MilDataset } from './dataset';

/**
 * The classic MIL benchmark file format (Andrews et al. 2003, NIPS; the Musk/Corel/TREC9 release
 * with Elephant, Fox and Tiger): one instance per line,
 *
 *     <instance_id>:<bag_id>:<label> <feature>:<value> <feature>:<value> …
 *
 * - ids are tokens without `:` or whitespace (integers in the original files);
 * - `label` is the instance label: `1` positive, `0` or `-1` negative; a bag is positive iff one
 *   of its instances is (the standard MIL assumption), so files that copy the bag label to every
 *   instance read the same;
 * - features are sparse `index:value` pairs, indices 1-based integers (increasing in the original
 *   files; any order is accepted, a repeated index is an error), absent features are 0;
 * - the instances of a bag need not be adjacent; bags keep the order of their first instance;
 * - blank lines and lines starting with `#` are skipped.
 */
export class MilFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MilFormatError';
  }
}

export interface ParseMilOptions {
  /** Dataset name. Default 'mil'. */
  name?: string;
  /** Feature dimension; indices above it are an error. Default: the largest index in the file. */
  dim?: number;
  /** Name used in error messages. Default: `name`. */
  source?: string;
}

/** Parses the text of a file in the classic MIL format (see {@link MilFormatError} for the format). */
export function parseMil(text: string, opts: ParseMilOptions = {}): MilDataset {
  const name = opts.name ?? 'mil';
  const src = opts.source ?? name;
  const fail = (line: number, msg: string): never => {
    throw new MilFormatError(`${src}, line ${line}: ${msg}`);
  };
  if (opts.dim !== undefined && !(Number.isInteger(opts.dim) && opts.dim > 0)) {
    throw new MilFormatError(`${src}: dim must be a positive integer, received ${opts.dim}`);
  }
  interface Row {
    id: string;
    label: number;
    idx: number[];
    val: number[];
  }
  const bagOrder: string[] = [];
  const bagRows = new Map<string, Row[]>();
  let maxIndex = 0;
  const lines = text.split(/\r?\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln].trim();
    if (line === '' || line.startsWith('#')) continue;
    const tokens = line.split(/\s+/);
    const head = tokens[0].split(':');
    if (head.length !== 3 || head.some((h) => h === '')) {
      fail(ln + 1, `expected '<instance_id>:<bag_id>:<label>' as the first field, received '${tokens[0]}'`);
    }
    const [id, bag, lab] = head;
    if (lab !== '1' && lab !== '0' && lab !== '-1' && lab !== '+1') {
      fail(ln + 1, `label must be 1, 0 or -1, received '${lab}'`);
    }
    const idx: number[] = [];
    const val: number[] = [];
    const seen = new Set<number>();
    for (let t = 1; t < tokens.length; t++) {
      const parts = tokens[t].split(':');
      if (parts.length !== 2) fail(ln + 1, `expected '<feature>:<value>', received '${tokens[t]}'`);
      const i = Number(parts[0]);
      const v = Number(parts[1]);
      if (!/^\d+$/.test(parts[0]) || !Number.isInteger(i) || i < 1) {
        fail(ln + 1, `feature index must be an integer ≥ 1, received '${parts[0]}'`);
      }
      if (parts[1] === '' || !Number.isFinite(v))
        fail(ln + 1, `feature ${i}: value must be a finite number, received '${parts[1]}'`);
      if (seen.has(i)) fail(ln + 1, `feature ${i} appears twice`);
      if (opts.dim !== undefined && i > opts.dim) fail(ln + 1, `feature index ${i} exceeds dim ${opts.dim}`);
      seen.add(i);
      idx.push(i);
      val.push(v);
      maxIndex = Math.max(maxIndex, i);
    }
    if (!bagRows.has(bag)) {
      bagRows.set(bag, []);
      bagOrder.push(bag);
    }
    bagRows.get(bag)!.push({ id, label: lab === '1' || lab === '+1' ? 1 : 0, idx, val });
  }
  if (bagOrder.length === 0) throw new MilFormatError(`${src}: no instances (empty file or only comments)`);
  const dim = opts.dim ?? maxIndex;
  if (dim === 0) throw new MilFormatError(`${src}: no features on any line`);
  const bags: Float32Array[] = [];
  const instanceLabels: Int32Array[] = [];
  const instanceIds: string[][] = [];
  const labels = new Int32Array(bagOrder.length);
  bagOrder.forEach((bagId, b) => {
    const rows = bagRows.get(bagId)!;
    const x = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      for (let k = 0; k < r.idx.length; k++) x[i * dim + r.idx[k] - 1] = r.val[k];
    });
    bags.push(x);
    instanceLabels.push(Int32Array.from(rows, (r) => r.label));
    instanceIds.push(rows.map((r) => r.id));
    labels[b] = rows.some((r) => r.label === 1) ? 1 : 0;
  });
  return { name, dim, bags, labels, bagIds: bagOrder, instanceLabels, instanceIds };
}

/** Reads a file in the classic MIL format; the name defaults to the file name without extension. */
export function loadMilFile(path: string, opts: Omit<ParseMilOptions, 'source'> = {}): MilDataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MilFormatError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const name = opts.name ?? basename(path).replace(/\.[^.]*$/, '');
  return parseMil(text, { ...opts, name, source: path });
}

/**
 * Writes `ds` in the classic MIL format (zeros omitted, indices increasing). Instance labels are
 * the dataset's `instanceLabels` when present, else the bag label; negatives are written as `-1`
 * (as in the Corel files). Values keep float32 precision (`toPrecision(9)` round-trips exactly).
 */
export function formatMil(ds: MilDataset): string {
  const out: string[] = [`# ${ds.name}: ${ds.bags.length} bags, ${ds.dim} features (classic MIL format)`];
  let instance = 0;
  ds.bags.forEach((bag, b) => {
    const n = bag.length / ds.dim;
    // instance labels only where they agree with the bag label (a positive bag has a positive instance)
    const inst = ds.instanceLabels?.[b];
    const consistent = inst !== undefined && inst.some((l) => l === 1) === (ds.labels[b] === 1);
    for (let i = 0; i < n; i++) {
      const lab = consistent ? inst[i] : ds.labels[b];
      const id = ds.instanceIds ? ds.instanceIds[b][i] : String(++instance);
      const feats: string[] = [];
      for (let j = 0; j < ds.dim; j++) {
        const v = bag[i * ds.dim + j];
        if (v !== 0) feats.push(`${j + 1}:${Number(v.toPrecision(9))}`);
      }
      out.push(`${id}:${ds.bagIds[b]}:${lab === 1 ? 1 : -1}${feats.length ? ' ' + feats.join(' ') : ''}`);
    }
  });
  return out.join('\n') + '\n';
}

export function writeMilFile(path: string, ds: MilDataset): void {
  writeFileSync(path, formatMil(ds));
}
