import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveInt, fmtShape, NnclrInputError } from './errors';
import { l2Normalize } from './normalize';
import { gaussians, Mulberry32 } from './random';

/** Options of {@link SupportSet}; every default is stated here once. */
export interface SupportSetOptions {
  /** Number of rows L of the queue (paper: 98,304; solo-learn / MAE-CT: 65,536). Required. */
  size: number;
  /** Embedding dimension d (paper: 256). Required. */
  dim: number;
  /**
   * How the queue starts. `'random'` (default; lightly, solo-learn, MAE-CT): L2-normalised N(0, 1)
   * rows drawn from `seed` (by this package's own generator: any integer seed, 0 included), all L rows valid from the first lookup. `'empty'`: no row is valid until
   * enqueued; lookups search only the rows written so far.
   */
  init?: 'random' | 'empty';
  /**
   * What a row holds. `'normalized'` (default; paper §3.1, solo-learn, MAE-CT): enqueued rows are
   * L2-normalised first, and lookups return unit rows. `'raw'` (lightly `NNMemoryBankModule`): rows
   * are stored as given, cosine similarity normalises copies of them, and lookups return the raw
   * rows.
   */
  storage?: 'normalized' | 'raw';
  /**
   * What happens when a batch reaches the end of the queue. `'ring'` (default): FIFO with
   * wrap-around, the batch continues at row 0 (solo-learn / MAE-CT when L is a multiple of the
   * batch, and the paper's FIFO queue in general). `'truncate'` (lightly `MemoryBankModule`): only
   * the rows that fit before the end are written, the rest of the batch is dropped, and the write
   * pointer goes back to 0.
   */
  overflow?: 'ring' | 'truncate';
  /**
   * Rows per storage block (default `min(size, 1024)`). The queue is kept as ⌈L / blockSize⌉
   * tensors; an enqueue rebuilds only the blocks it writes into, never the whole queue.
   */
  blockSize?: number;
  /** Seed of the random initial rows and of the top-k draw. Default 0. */
  seed?: number;
}

/** Options of {@link SupportSet.lookup}. */
export interface LookupOptions {
  /**
   * `0` or `1` (default): the nearest neighbour (argmax of cosine similarity, paper Eq. 1).
   * `k > 1`: one of the k most similar rows, drawn uniformly with the set's seeded generator
   * (MAE-CT `find_nn(topk=k)`).
   */
  topk?: number;
  /**
   * One id per query row (`[batch]`), typically the sample's index in the dataset. Queue rows that
   * were enqueued with the same id get similarity −1 for that query, so a sample does not find its
   * own embedding from an earlier epoch (MAE-CT `exclude_self_from_queue`). Ids < 0 exclude nothing.
   */
  excludeIndices?: ArrayLike<number> | tf.Tensor1D;
}

/** Result of {@link SupportSet.lookup}. The caller owns (and disposes) `neighbours`. */
export interface LookupResult {
  /** `[batch, dim]`: the chosen queue rows. Constant: no gradient flows into the queue. */
  neighbours: tf.Tensor2D;
  /** `[batch]`: their row positions in the queue. */
  indices: Int32Array;
}

/** Everything needed to rebuild a {@link SupportSet} exactly (see `getState` / `setState`). */
export interface SupportSetState {
  size: number;
  dim: number;
  /** `[size * dim]`, row-major, rows in queue position order. */
  rows: Float32Array;
  /** `[size]`: id given with each row at enqueue; −1 for none. */
  ids: Int32Array;
  /** `[size]`: label given with each row at enqueue; −1 for none. */
  labels: Int32Array;
  /** Next row to write. */
  pointer: number;
  /** Rows valid for lookup (a prefix of the queue; `size` once full or with `init: 'random'`). */
  filled: number;
  /** State of the top-k draw generator. */
  rngState: number;
}

const WHERE = 'SupportSet';

/** `x` (int32) clamped to [0, max] (int32 ops: wasm's clipByValue reads its input as float32). */
function clampInt(x: tf.Tensor, max: number): tf.Tensor {
  return tf.minimum(tf.maximum(x, tf.scalar(0, 'int32')), tf.scalar(max, 'int32'));
}

function toIntArray(where: string, name: string, v: ArrayLike<number> | tf.Tensor, n: number): Int32Array {
  let arr: ArrayLike<number>;
  if (v instanceof tf.Tensor) {
    if (v.rank !== 1)
      throw new NnclrInputError(where, name, `a 1-D tensor [${n}]`, `shape ${fmtShape(v.shape)}`);
    arr = v.dataSync() as ArrayLike<number>;
  } else arr = v;
  if (arr.length !== n) throw new NnclrInputError(where, name, `${n} values (one per row)`, `${arr.length}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = arr[i];
    if (!Number.isInteger(x)) throw new NnclrInputError(where, `${name}[${i}]`, 'an integer', String(x));
    out[i] = x;
  }
  return out;
}

/**
 * The support set Q of NNCLR (Dwibedi et al. 2021, §3.1): a fixed-size FIFO queue of embeddings
 * kept on the tfjs backend, searched by cosine similarity for each query's nearest neighbour.
 *
 * Storage is a ring of fixed-size blocks, so that an enqueue of B rows rebuilds only the one or
 * two blocks it writes into (tfjs tensors are immutable; a single `[L, d]` tensor would have to be
 * copied whole on every step). Each block is stored transposed, `[d, blockSize]`, because a plain
 * `matMul(z, keysᵀ)` is about 10× faster on wasm than `matMul(z, keys, false, true)` (measured,
 * tfjs 4.22). Ids and labels of the rows live in JS typed arrays. Matches lightly
 * `NNMemoryBankModule` (`storage: 'raw', overflow: 'truncate'`), solo-learn `NNCLR.find_nn` /
 * `dequeue_and_enqueue` and MAE-CT `ContrastiveHeadBase.find_nn` (defaults, with `topk` and
 * `excludeIndices`).
 *
 * The set owns its tensors: call `dispose()` when done.
 */
export class SupportSet {
  readonly size: number;
  readonly dim: number;
  readonly storage: 'normalized' | 'raw';
  readonly overflow: 'ring' | 'truncate';
  readonly blockSize: number;
  private blocks: tf.Tensor2D[] = [];
  private readonly ids: Int32Array;
  private readonly labels: Int32Array;
  private ptr = 0;
  private valid: number;
  private readonly rng: Mulberry32;
  private disposed = false;

  constructor(options: SupportSetOptions) {
    if (options == null || typeof options !== 'object') {
      throw new NnclrInputError(WHERE, 'options', 'an object with size and dim', String(options));
    }
    const { init = 'random', storage = 'normalized', overflow = 'ring', seed = 0 } = options;
    this.size = assertPositiveInt(WHERE, 'options.size', options.size);
    this.dim = assertPositiveInt(WHERE, 'options.dim', options.dim);
    this.blockSize = assertPositiveInt(
      WHERE,
      'options.blockSize',
      options.blockSize ?? Math.min(this.size, 1024),
    );
    if (init !== 'random' && init !== 'empty') {
      throw new NnclrInputError(WHERE, 'options.init', "'random' or 'empty'", String(init));
    }
    if (storage !== 'normalized' && storage !== 'raw') {
      throw new NnclrInputError(WHERE, 'options.storage', "'normalized' or 'raw'", String(storage));
    }
    if (overflow !== 'ring' && overflow !== 'truncate') {
      throw new NnclrInputError(WHERE, 'options.overflow', "'ring' or 'truncate'", String(overflow));
    }
    if (!Number.isInteger(seed)) throw new NnclrInputError(WHERE, 'options.seed', 'an integer', String(seed));
    this.storage = storage;
    this.overflow = overflow;
    this.ids = new Int32Array(this.size).fill(-1);
    this.labels = new Int32Array(this.size).fill(-1);
    this.rng = new Mulberry32(seed);
    this.valid = init === 'random' ? this.size : 0;
    const all = tf.tidy(() =>
      init === 'random'
        ? l2Normalize(tf.tensor2d(gaussians(this.size * this.dim, seed ^ 0x5eed), [this.size, this.dim]))
        : tf.zeros([this.size, this.dim]),
    ) as tf.Tensor2D;
    this.blocks = this.split(all);
    all.dispose();
  }

  /** Rows that lookups search: `size` once the queue is full (or from the start with `init: 'random'`). */
  get filled(): number {
    return this.valid;
  }

  /** Position the next enqueued row goes to. */
  get pointer(): number {
    return this.ptr;
  }

  private split(all: tf.Tensor2D): tf.Tensor2D[] {
    const out: tf.Tensor2D[] = [];
    for (let start = 0; start < this.size; start += this.blockSize) {
      const rows = Math.min(this.blockSize, this.size - start);
      out.push(tf.keep(tf.tidy(() => tf.transpose(tf.slice(all, [start, 0], [rows, this.dim])))));
    }
    return out;
  }

  private check(): void {
    if (this.disposed) throw new NnclrInputError(WHERE, 'this', 'a live support set', 'a disposed one');
  }

  private checkBatch(where: string, name: string, z: tf.Tensor): void {
    if (!(z instanceof tf.Tensor)) throw new NnclrInputError(where, name, 'a tf.Tensor', typeof z);
    if (z.rank !== 2 || z.shape[1] !== this.dim || z.shape[0] < 1) {
      throw new NnclrInputError(where, name, `shape [batch >= 1, ${this.dim}]`, `shape ${fmtShape(z.shape)}`);
    }
  }

  /**
   * Cosine similarity of every row of `z` (`[batch, dim]`) with every valid queue row:
   * `[batch, filled]`. Differentiable in `z` (the queue is a constant). With `storage: 'raw'` the
   * queue rows are normalised block by block, never as one `[L, d]` copy.
   */
  similarities(z: tf.Tensor2D): tf.Tensor2D {
    this.check();
    this.checkBatch(`${WHERE}.similarities`, 'z', z);
    if (this.valid === 0) {
      throw new NnclrInputError(
        `${WHERE}.similarities`,
        'support set',
        'non-empty (enqueue first)',
        'an empty queue',
      );
    }
    return tf.tidy(() => {
      const zn = l2Normalize(z);
      const parts: tf.Tensor2D[] = [];
      for (let b = 0; b * this.blockSize < this.valid; b++) {
        const rows = Math.min(this.blockSize, this.valid - b * this.blockSize);
        let keysT = this.blocks[b];
        if (rows < keysT.shape[1]) keysT = tf.slice(keysT, [0, 0], [this.dim, rows]);
        if (this.storage === 'raw') {
          // Columns are rows of the queue: normalise along axis 0 (F.normalize's floor 1e-12).
          const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(keysT), 0, true), 1e-24));
          keysT = tf.div(keysT, norm);
        }
        parts.push(tf.matMul(zn, keysT));
      }
      return parts.length === 1 ? parts[0] : tf.concat(parts, 1);
    });
  }

  /**
   * Finds a neighbour in the queue for every row of `z` (`[batch, dim]`; need not be normalised).
   * The search is not differentiated (paper §3.1: the neighbour is a constant positive), so the
   * result has no gradient path and costs no `gather` gradient (which wasm lacks).
   */
  lookup(z: tf.Tensor2D, options: LookupOptions = {}): LookupResult {
    const where = `${WHERE}.lookup`;
    const { topk, exclude } = this.lookupArgs(where, z, options);
    const batch = z.shape[0];
    const indices = tf.tidy(() => {
      const sims = this.searchScores(z, exclude);
      if (topk <= 1) return tf.argMax(sims, 1).dataSync() as Int32Array;
      const cand = tf.topk(sims, topk, true).indices.dataSync() as Int32Array;
      const out = new Int32Array(batch);
      for (let i = 0; i < batch; i++) out[i] = cand[i * topk + this.rng.int(topk)];
      return out;
    });
    return { neighbours: this.rowsAt(indices), indices: Int32Array.from(indices) };
  }

  /**
   * {@link lookup} without reading anything back, for backends that cannot read synchronously
   * (webgpu in Node): the same neighbours (and the same draws of the seeded generator for
   * `topk > 1`), chosen and gathered on the backend, and their positions as an int32 tensor
   * `[batch]`. Safe inside a gradient tape (`tf.variableGrads`): the search runs inside a custom
   * gradient that is zero, so `neighbours` is a constant and no `argMax`/`topk`/`gather` gradient is
   * needed. The caller owns (and disposes) both tensors.
   */
  lookupOnDevice(
    z: tf.Tensor2D,
    options: LookupOptions = {},
  ): { neighbours: tf.Tensor2D; indices: tf.Tensor1D } {
    const { topk, exclude } = this.lookupArgs(`${WHERE}.lookupOnDevice`, z, options);
    const batch = z.shape[0];
    // One draw per row, in lookup's order, before the search (the draws do not depend on it).
    const pick =
      topk > 1 ? Int32Array.from({ length: batch }, (_, i) => i * topk + this.rng.int(topk)) : null;
    let indices: tf.Tensor1D | null = null;
    const search = tf.customGrad(((q: tf.Tensor2D) => {
      const idx = tf.tidy(() => {
        const sims = this.searchScores(q, exclude);
        if (!pick) return tf.argMax(sims, 1);
        return tf.gather(tf.reshape(tf.topk(sims, topk, true).indices, [-1]), tf.tensor1d(pick, 'int32'));
      }) as tf.Tensor1D;
      indices = tf.keep(idx);
      // Row i comes from the block holding position idx[i]: gather each block at the clamped local
      // position and keep it where the position falls in that block (exact: x·1 + 0).
      const rows = tf.addN(
        this.blocks.map((block, b) => {
          const local = tf.sub(idx, tf.scalar(b * this.blockSize, 'int32'));
          const inBlock = tf.logicalAnd(tf.greaterEqual(local, 0), tf.less(local, block.shape[1]));
          const picked = tf.transpose(tf.gather(block, clampInt(local, block.shape[1] - 1), 1));
          return tf.mul(picked, tf.expandDims(tf.cast(inBlock, 'float32'), 1));
        }),
      );
      return { value: rows, gradFunc: () => tf.zerosLike(q) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (q: tf.Tensor2D) => tf.Tensor2D;
    const neighbours = search(z);
    return { neighbours, indices: indices as unknown as tf.Tensor1D };
  }

  /** Checks shared by {@link lookup} and {@link lookupOnDevice}: `topk` and the ids to exclude. */
  private lookupArgs(
    where: string,
    z: tf.Tensor2D,
    options: LookupOptions,
  ): { topk: number; exclude: Int32Array | null } {
    this.check();
    this.checkBatch(where, 'z', z);
    if (this.valid === 0)
      throw new NnclrInputError(where, 'support set', 'non-empty (enqueue first)', 'an empty queue');
    const topk = options.topk ?? 1;
    if (!Number.isInteger(topk) || topk < 0 || topk > this.valid) {
      throw new NnclrInputError(
        where,
        'options.topk',
        `an integer in [0, ${this.valid}] (rows in the queue)`,
        String(topk),
      );
    }
    const exclude =
      options.excludeIndices == null
        ? null
        : toIntArray(where, 'options.excludeIndices', options.excludeIndices, z.shape[0]);
    return { topk, exclude };
  }

  /** Cosine similarities `[batch, filled]`, −1 where a queue row has the query's id in `exclude`. */
  private searchScores(z: tf.Tensor2D, exclude: Int32Array | null): tf.Tensor2D {
    let sims = this.similarities(z);
    const mask = exclude ? this.exclusionMask(exclude) : null;
    if (mask) {
      const m = tf.tensor2d(mask, [z.shape[0], this.valid], 'bool');
      sims = tf.where(m, tf.fill(sims.shape, -1), sims);
    }
    return sims;
  }

  /** `[batch * filled]` 1 where the queue row's id equals the query's id, or null if none does. */
  private exclusionMask(exclude: Int32Array): Uint8Array | null {
    const byId = new Map<number, number[]>();
    exclude.forEach((id, i) => {
      if (id < 0) return;
      const list = byId.get(id);
      if (list) list.push(i);
      else byId.set(id, [i]);
    });
    if (byId.size === 0) return null;
    let mask: Uint8Array | null = null;
    for (let pos = 0; pos < this.valid; pos++) {
      const rows = byId.get(this.ids[pos]);
      if (!rows) continue;
      mask ??= new Uint8Array(exclude.length * this.valid);
      for (const r of rows) mask[r * this.valid + pos] = 1;
    }
    return mask;
  }

  /**
   * The queue rows at `positions` (`[n]`) as a `[n, dim]` tensor (a constant). Gathers from each
   * block involved, then restores the requested order.
   */
  rowsAt(positions: ArrayLike<number>): tf.Tensor2D {
    this.check();
    const n = positions.length;
    if (n === 0) throw new NnclrInputError(`${WHERE}.rowsAt`, 'positions', 'at least one position', '0');
    const byBlock = new Map<number, { local: number[]; at: number[] }>();
    for (let i = 0; i < n; i++) {
      const p = positions[i];
      if (!Number.isInteger(p) || p < 0 || p >= this.size) {
        throw new NnclrInputError(
          `${WHERE}.rowsAt`,
          `positions[${i}]`,
          `an integer in [0, ${this.size})`,
          String(p),
        );
      }
      const b = Math.floor(p / this.blockSize);
      let g = byBlock.get(b);
      if (!g) {
        g = { local: [], at: [] };
        byBlock.set(b, g);
      }
      g.local.push(p - b * this.blockSize);
      g.at.push(i);
    }
    return tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      const order: number[] = [];
      for (const [b, g] of byBlock) {
        parts.push(tf.gather(this.blocks[b], tf.tensor1d(g.local, 'int32'), 1));
        order.push(...g.at);
      }
      // [dim, n] in block order → [n, dim] in the requested order.
      const grouped = parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor2D);
      if (order.every((v, i) => v === i)) return tf.transpose(grouped);
      const inverse = new Int32Array(n);
      order.forEach((dst, src) => {
        inverse[dst] = src;
      });
      return tf.transpose(tf.gather(grouped, tf.tensor1d(inverse, 'int32'), 1));
    });
  }

  /** Ids stored with the rows at `positions` (e.g. a lookup's `indices`). */
  idsAt(positions: ArrayLike<number>): Int32Array {
    return Int32Array.from(positions, (p) => this.ids[p]);
  }

  /** Labels stored with the rows at `positions`; compare with the batch's labels for "nn accuracy". */
  labelsAt(positions: ArrayLike<number>): Int32Array {
    return Int32Array.from(positions, (p) => this.labels[p]);
  }

  /**
   * Writes the rows of `z` (`[batch, dim]`) into the queue in FIFO order, with an optional id
   * and label per row (for `excludeIndices` and nearest-neighbour accuracy). The values are copied:
   * later changes to `z` (or its disposal) do not affect the queue, and no gradient flows.
   */
  enqueue(
    z: tf.Tensor2D,
    ids?: ArrayLike<number> | tf.Tensor1D,
    labels?: ArrayLike<number> | tf.Tensor1D,
  ): void {
    const where = `${WHERE}.enqueue`;
    this.check();
    this.checkBatch(where, 'z', z);
    const n = z.shape[0];
    const idArr = ids == null ? new Int32Array(n).fill(-1) : toIntArray(where, 'ids', ids, n);
    const labelArr = labels == null ? new Int32Array(n).fill(-1) : toIntArray(where, 'labels', labels, n);
    // Segments (queue position, source row, length) to write.
    const segments: [number, number, number][] = [];
    if (this.overflow === 'truncate') {
      // lightly MemoryBankModule._dequeue_and_enqueue: cut at the end, reset the pointer.
      if (this.ptr + n >= this.size) {
        segments.push([this.ptr, 0, this.size - this.ptr]);
        this.valid = this.size;
        this.ptr = 0;
      } else {
        segments.push([this.ptr, 0, n]);
        this.ptr += n;
        this.valid = Math.max(this.valid, this.ptr);
      }
    } else {
      // Ring: only the newest `size` rows of an oversized batch can survive.
      const m = Math.min(n, this.size);
      const start = (this.ptr + n - m) % this.size;
      const first = Math.min(m, this.size - start);
      segments.push([start, n - m, first]);
      if (m > first) segments.push([0, n - m + first, m - first]);
      this.valid = Math.min(this.size, this.valid + n);
      this.ptr = (this.ptr + n) % this.size;
    }
    const rows = tf.tidy(() => (this.storage === 'normalized' ? l2Normalize(z) : tf.clone(z)));
    try {
      for (const [pos, src, len] of segments) {
        this.write(pos, rows, src, len);
        this.ids.set(idArr.subarray(src, src + len), pos);
        this.labels.set(labelArr.subarray(src, src + len), pos);
      }
    } finally {
      rows.dispose();
    }
  }

  /** Copies `rows[src : src+len]` to queue positions `[pos, pos+len)` (no wrap inside). */
  private write(pos: number, rows: tf.Tensor2D, src: number, len: number): void {
    let done = 0;
    while (done < len) {
      const p = pos + done;
      const b = Math.floor(p / this.blockSize);
      const old = this.blocks[b];
      const blockRows = old.shape[1];
      const at = p - b * this.blockSize;
      const take = Math.min(len - done, blockRows - at);
      const next = tf.tidy(() => {
        const piece = tf.transpose(tf.slice(rows, [src + done, 0], [take, this.dim]));
        if (take === blockRows) return piece;
        const parts: tf.Tensor2D[] = [];
        if (at > 0) parts.push(tf.slice(old, [0, 0], [this.dim, at]));
        parts.push(piece);
        if (at + take < blockRows) {
          parts.push(tf.slice(old, [0, at + take], [this.dim, blockRows - at - take]));
        }
        return tf.concat(parts, 1) as tf.Tensor2D;
      });
      this.blocks[b] = tf.keep(next);
      old.dispose();
      done += take;
    }
  }

  /** The whole queue `[size, dim]`, rows in position order (a copy; for inspection and tests). */
  toTensor(): tf.Tensor2D {
    this.check();
    return tf.tidy(() =>
      tf.transpose(this.blocks.length === 1 ? this.blocks[0] : (tf.concat(this.blocks, 1) as tf.Tensor2D)),
    );
  }

  /** A snapshot of the complete state (synchronous read of the queue). */
  getState(): SupportSetState {
    this.check();
    const all = this.toTensor();
    const rows = Float32Array.from(all.dataSync() as Float32Array);
    all.dispose();
    return {
      size: this.size,
      dim: this.dim,
      rows,
      ids: Int32Array.from(this.ids),
      labels: Int32Array.from(this.labels),
      pointer: this.ptr,
      filled: this.valid,
      rngState: this.rng.state,
    };
  }

  /**
   * Restores a state from `getState()` (or built by hand, e.g. a reference bank). Rows are taken
   * as they are: with `storage: 'normalized'` pass normalised rows.
   */
  setState(state: SupportSetState): void {
    const where = `${WHERE}.setState`;
    this.check();
    if (state == null || typeof state !== 'object')
      throw new NnclrInputError(where, 'state', 'a SupportSetState', String(state));
    if (state.size !== this.size || state.dim !== this.dim) {
      throw new NnclrInputError(
        where,
        'state',
        `size ${this.size} and dim ${this.dim}`,
        `size ${state.size} and dim ${state.dim}`,
      );
    }
    if (state.rows?.length !== this.size * this.dim) {
      throw new NnclrInputError(
        where,
        'state.rows',
        `${this.size * this.dim} values`,
        String(state.rows?.length),
      );
    }
    for (const k of ['ids', 'labels'] as const) {
      if (state[k]?.length !== this.size) {
        throw new NnclrInputError(where, `state.${k}`, `${this.size} values`, String(state[k]?.length));
      }
    }
    if (!Number.isInteger(state.pointer) || state.pointer < 0 || state.pointer >= this.size) {
      throw new NnclrInputError(
        where,
        'state.pointer',
        `an integer in [0, ${this.size})`,
        String(state.pointer),
      );
    }
    if (!Number.isInteger(state.filled) || state.filled < 0 || state.filled > this.size) {
      throw new NnclrInputError(
        where,
        'state.filled',
        `an integer in [0, ${this.size}]`,
        String(state.filled),
      );
    }
    const all = tf.tensor2d(state.rows, [this.size, this.dim], 'float32');
    const next = this.split(all);
    all.dispose();
    tf.dispose(this.blocks);
    this.blocks = next;
    this.ids.set(state.ids);
    this.labels.set(state.labels);
    this.ptr = state.pointer;
    this.valid = state.filled;
    this.rng.state = state.rngState ?? 0;
  }

  /** Frees the queue's tensors. */
  dispose(): void {
    if (this.disposed) return;
    tf.dispose(this.blocks);
    this.blocks = [];
    this.disposed = true;
  }
}
