/**
 * A labelled image set as the loaders return it: pixels row-major `[n, height, width, channels]`
 * (HWC), in their stored type; divide by `scale` for values in [0, 1].
 */
export interface ImageSet {
  /** Which data set and split, e.g. `cifar10/test`. */
  name: string;
  /** `[n, height, width, channels]` row-major. */
  pixels: Uint8Array | Float32Array;
  /** Dividing a pixel by `scale` gives [0, 1] (255 for bytes, 16 for sklearn digits, 1 for MNIST). */
  scale: number;
  /** `[n]` class of each image, an index into `classNames`. */
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  classNames: readonly string[];
}

/** Values per image (`height · width · channels`). */
export const imageDim = (set: ImageSet): number => set.height * set.width * set.channels;

/**
 * The images `rows` (default all) as float32 in [0, 1], `[rows.length, height, width, channels]`
 * row-major.
 * @throws RangeError naming the first row outside `[0, n)`.
 */
export function toFloat32(set: ImageSet, rows?: ArrayLike<number>): Float32Array {
  const d = imageDim(set);
  const count = rows ? rows.length : set.n;
  const out = new Float32Array(count * d);
  const inv = 1 / set.scale;
  for (let r = 0; r < count; r++) {
    const i = rows ? rows[r] : r;
    if (!(Number.isInteger(i) && i >= 0 && i < set.n))
      throw new RangeError(`toFloat32: expected rows of ${set.name} in [0, ${set.n}), received ${i} at ${r}`);
    const from = i * d;
    if (set.scale === 1) out.set(set.pixels.subarray(from, from + d), r * d);
    else for (let k = 0; k < d; k++) out[r * d + k] = set.pixels[from + k] * inv;
  }
  return out;
}

/** A new set of the images `rows` of `set` (pixels copied, same type and scale). */
export function selectRows(set: ImageSet, rows: ArrayLike<number>, name = set.name): ImageSet {
  const d = imageDim(set);
  const pixels =
    set.pixels instanceof Uint8Array ? new Uint8Array(rows.length * d) : new Float32Array(rows.length * d);
  const labels = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    if (!(Number.isInteger(i) && i >= 0 && i < set.n))
      throw new RangeError(
        `selectRows: expected rows of ${set.name} in [0, ${set.n}), received ${i} at ${r}`,
      );
    pixels.set(set.pixels.subarray(i * d, (i + 1) * d), r * d);
    labels[r] = set.labels[i];
  }
  return { ...set, name, pixels, labels, n: rows.length };
}

/**
 * Row indices of `perClass` images of every class: the images of each class in their stored
 * order, from the `offset`-th one on; grouped by class (all of class 0, then class 1, …).
 * Deterministic, so two calls with offsets `0` and `perClass` give disjoint splits.
 * @throws RangeError when a class has fewer than `offset + perClass` images (naming the class).
 */
export function perClassRows(set: ImageSet, perClass: number, offset = 0): Int32Array {
  if (!(Number.isInteger(perClass) && perClass >= 1))
    throw new RangeError(`perClassRows: expected perClass to be a positive integer, received ${perClass}`);
  if (!(Number.isInteger(offset) && offset >= 0))
    throw new RangeError(`perClassRows: expected offset to be a non-negative integer, received ${offset}`);
  const classes = set.classNames.length;
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < set.n; i++) {
    const list = byClass[set.labels[i]];
    if (list.length < offset + perClass) list.push(i);
  }
  const out = new Int32Array(classes * perClass);
  byClass.forEach((list, c) => {
    if (list.length < offset + perClass) {
      let have = 0;
      for (let i = 0; i < set.n; i++) if (set.labels[i] === c) have++;
      throw new RangeError(
        `perClassRows: expected ${set.name} to hold at least ${offset + perClass} images of class ${c} (${set.classNames[c]}), received ${have}`,
      );
    }
    out.set(list.slice(offset, offset + perClass), c * perClass);
  });
  return out;
}
