import { describe, expect, it } from 'vitest';
import { FONT_5X7, GLYPH_COLS, GLYPH_ROWS } from './font';
import { corrupt, glyphBitmap } from './patterns';

describe('glyph patterns', () => {
  it('every glyph is 5×7 and distinct', () => {
    const seen = new Set<string>();
    for (const [ch, rows] of Object.entries(FONT_5X7)) {
      expect(rows, ch).toHaveLength(GLYPH_ROWS);
      for (const r of rows) expect(r, ch).toMatch(new RegExp(`^[.#]{${GLYPH_COLS}}$`));
      expect(seen.has(rows.join()), `${ch} duplicates another glyph`).toBe(false);
      seen.add(rows.join());
    }
  });

  it('scales a glyph to ±1 pixels', () => {
    const b = glyphBitmap('1', 3);
    expect([b.width, b.height]).toEqual([15, 21]);
    expect(new Set(b.data)).toEqual(new Set([1, -1]));
    expect(b.data[0 * 15 + 7]).toBe(1); // top of the stem
    expect(b.data[0]).toBe(-1);
  });

  it('corrupts deterministically: flips at the given rate, masks the lower rows with 0', () => {
    const b = glyphBitmap('8', 4);
    const opts = { noise: 0.2, mask: 0.25, maskMode: 'bottom' as const, seed: 5 };
    const c = corrupt(b, opts);
    expect(corrupt(b, opts).data).toEqual(c.data);
    const rows = Math.round(b.height * 0.25);
    const top = b.width * (b.height - rows);
    expect(Array.from(c.data.subarray(top)).every((v) => v === 0)).toBe(true);
    let flips = 0;
    for (let i = 0; i < top; i++) if (c.data[i] !== b.data[i]) flips++;
    expect(flips / top).toBeGreaterThan(0.12);
    expect(flips / top).toBeLessThan(0.28);
    expect(corrupt(b, { ...opts, seed: 6 }).data).not.toEqual(c.data);
  });
});
