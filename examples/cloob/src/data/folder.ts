import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { PairedDataset } from './paired';

export interface FolderOptions {
  /** Images are resized (area-averaged) to `imageSize × imageSize` RGB. Default 16. */
  imageSize?: number;
  /** Captions are hashed into this many bag-of-words features. Default 512. */
  textDim?: number;
  /** Prompt template for zero-shot evaluation; `{}` is replaced by the label. Default 'a photo of a {}'. */
  template?: string;
}

export class DatasetFormatError extends Error {
  override name = 'DatasetFormatError';
}

/**
 * Loads a real paired image–caption dataset from a folder holding `pairs.tsv` and the images.
 * Each line of `pairs.tsv` is `<image path relative to the folder>\t<caption>\t<label>`; a first
 * line starting with `image\t` is a header and skipped; the label is used only for zero-shot
 * evaluation (prompts are `template` with the label). PNG and JPEG are decoded (pngjs, jpeg-js)
 * and area-resized to `imageSize²` RGB in [0, 1]; captions become L1-normalized hashed
 * bag-of-words counts (the hashing trick — no vocabulary file needed).
 */
export function loadPairedFolder(dir: string, opts: FolderOptions = {}): PairedDataset {
  const { imageSize = 16, textDim = 512, template = 'a photo of a {}' } = opts;
  let lines: string[];
  try {
    lines = readFileSync(join(dir, 'pairs.tsv'), 'utf8').split(/\r?\n/);
  } catch (err) {
    throw new DatasetFormatError(
      `loadPairedFolder: cannot read ${join(dir, 'pairs.tsv')}: ${(err as Error).message}`,
    );
  }
  const rows = lines
    .map((l, i) => ({ l, line: i + 1 }))
    .filter(({ l, line }) => l.trim() !== '' && !(line === 1 && l.startsWith('image\t')));
  if (rows.length === 0) throw new DatasetFormatError(`loadPairedFolder: ${dir}/pairs.tsv has no pairs`);

  const imageDim = imageSize * imageSize * 3;
  const images = new Float32Array(rows.length * imageDim);
  const texts = new Float32Array(rows.length * textDim);
  const labels = new Int32Array(rows.length);
  const classNames: string[] = [];
  rows.forEach(({ l, line }, i) => {
    const cols = l.split('\t');
    if (cols.length !== 3) {
      throw new DatasetFormatError(
        `loadPairedFolder: pairs.tsv line ${line}: expected 3 tab-separated columns (image, caption, label), received ${cols.length}`,
      );
    }
    const [path, caption, label] = cols;
    images.set(readImage(join(dir, path), imageSize, line), i * imageDim);
    texts.set(hashedBagOfWords(caption, textDim), i * textDim);
    let c = classNames.indexOf(label);
    if (c < 0) c = classNames.push(label) - 1;
    labels[i] = c;
  });
  const prompts = new Float32Array(classNames.length * textDim);
  classNames.forEach((name, c) => {
    prompts.set(hashedBagOfWords(template.replace('{}', name), textDim), c * textDim);
  });
  return { images, texts, labels, prompts, imageDim, textDim, classNames };
}

function readImage(path: string, size: number, line: number): Float32Array {
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    const bytes = readFileSync(path);
    const ext = extname(path).toLowerCase();
    if (ext === '.png') rgba = PNG.sync.read(bytes);
    else if (ext === '.jpg' || ext === '.jpeg') rgba = jpeg.decode(bytes, { useTArray: true });
    else throw new Error(`unsupported extension '${ext}' (expected .png, .jpg or .jpeg)`);
  } catch (err) {
    throw new DatasetFormatError(
      `loadPairedFolder: pairs.tsv line ${line}: image ${path}: ${(err as Error).message}`,
    );
  }
  return areaResize(rgba, size);
}

/** Area-averaging resize of RGBA bytes to `size × size` RGB floats in [0, 1], row-major HWC. */
function areaResize(img: { width: number; height: number; data: Uint8Array }, size: number): Float32Array {
  const out = new Float32Array(size * size * 3);
  const count = new Float32Array(size * size);
  for (let y = 0; y < img.height; y++) {
    const oy = Math.min(size - 1, Math.floor((y * size) / img.height));
    for (let x = 0; x < img.width; x++) {
      const ox = Math.min(size - 1, Math.floor((x * size) / img.width));
      const o = oy * size + ox;
      const p = (y * img.width + x) * 4;
      out[o * 3] += img.data[p];
      out[o * 3 + 1] += img.data[p + 1];
      out[o * 3 + 2] += img.data[p + 2];
      count[o]++;
    }
  }
  for (let o = 0; o < size * size; o++) {
    for (let ch = 0; ch < 3; ch++) out[o * 3 + ch] /= 255 * Math.max(1, count[o]);
  }
  return out;
}

/** Lower-cased word tokens hashed (FNV-1a) into `dim` buckets, L1-normalized counts. */
export function hashedBagOfWords(text: string, dim: number): Float32Array {
  const v = new Float32Array(dim);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const w of words) {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    v[(h >>> 0) % dim] += 1 / words.length;
  }
  return v;
}
