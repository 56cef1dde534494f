// Bitmaps for the Hopfield demo: glyphs as ±1 vectors (ink +1, paper −1) and seeded corruption
// (pixel flips and masking; a masked pixel is 0, i.e. "unknown" — neither ink nor paper).
import { uniform } from '@paperstack/example-kit';
import { FONT_5X7, GLYPH_COLS, GLYPH_ROWS } from './font';

/** A ±1 image, row-major. */
export interface Bitmap {
  width: number;
  height: number;
  data: Float32Array;
}

/** The glyph `ch` of the 5×7 font, each font pixel drawn as `scale`×`scale` pixels. */
export function glyphBitmap(ch: string, scale: number): Bitmap {
  const rows = FONT_5X7[ch];
  if (rows === undefined) throw new Error(`glyphBitmap: no glyph for '${ch}' in the 5×7 font`);
  if (!Number.isInteger(scale) || scale < 1)
    throw new Error(`glyphBitmap: scale must be an integer ≥ 1, got ${scale}`);
  const width = GLYPH_COLS * scale;
  const height = GLYPH_ROWS * scale;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[y * width + x] = rows[Math.floor(y / scale)][Math.floor(x / scale)] === '#' ? 1 : -1;
    }
  }
  return { width, height, data };
}

export type MaskMode = 'bottom' | 'right' | 'random';

export interface CorruptOptions {
  /** Probability of flipping each pixel's sign, 0…1. */
  noise: number;
  /** Fraction masked (set to 0), 0…1: the lower rows, the right columns, or random pixels. */
  mask: number;
  maskMode: MaskMode;
  seed: number;
}

/** A corrupted copy of `b`: first flips (`noise`), then the mask. The same seed gives the same copy. */
export function corrupt(b: Bitmap, opts: CorruptOptions): Bitmap {
  const rnd = uniform(opts.seed);
  const data = Float32Array.from(b.data);
  for (let i = 0; i < data.length; i++) if (rnd() < opts.noise) data[i] = -data[i];
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      const masked =
        opts.maskMode === 'bottom'
          ? y >= Math.round(b.height * (1 - opts.mask))
          : opts.maskMode === 'right'
            ? x >= Math.round(b.width * (1 - opts.mask))
            : rnd() < opts.mask;
      if (masked) data[y * b.width + x] = 0;
    }
  }
  return { width: b.width, height: b.height, data };
}
