import { InvalidArgumentError } from '@paperstack/voxelnet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxesFromCanonical, boxesToCanonical, pointsFromCanonical, pointsToCanonical } from './canonical';

const coord = fc.double({ min: -100, max: 100, noNaN: true });
const angle = fc.double({ min: -10, max: 10, noNaN: true });
const frame = fc.record({ cx: coord, cy: coord, heading: angle });
const box = fc.tuple(
  coord,
  coord,
  coord,
  fc.double({ min: 0.1, max: 10, noNaN: true }),
  fc.double({ min: 0.1, max: 10, noNaN: true }),
  fc.double({ min: 0.1, max: 5, noNaN: true }),
  angle,
);

describe('canonical frame', () => {
  it('hand-computed case: a point 1 m ahead of a proposal facing +y lands on +u', () => {
    const f = { cx: 10, cy: 5, heading: Math.PI / 2 };
    const p = pointsToCanonical([10, 6, -1, 0.5], f, 4, new Float64Array(4));
    expect(p[0]).toBeCloseTo(1, 12);
    expect(p[1]).toBeCloseTo(0, 12);
    expect(Array.from(p.subarray(2))).toEqual([-1, 0.5]);
    const b = boxesToCanonical([10, 7, -1, 4, 1.6, 1.5, Math.PI / 2 + 0.1], f);
    expect(b[0]).toBeCloseTo(2, 12);
    expect(b[1]).toBeCloseTo(0, 12);
    expect(b[6]).toBeCloseTo(0.1, 12);
    expect(Array.from(b.subarray(2, 6))).toEqual([-1, 4, 1.6, 1.5]);
  });

  it('boxes round-trip through the frame (float64, ≤ 1e-9)', () => {
    fc.assert(
      fc.property(frame, fc.array(box, { maxLength: 5 }), (f, bs) => {
        const flat = bs.flat();
        const back = boxesFromCanonical(boxesToCanonical(flat, f), f);
        for (let i = 0; i < flat.length; i++)
          expect(Math.abs(back[i] - flat[i])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(flat[i])));
        const fwd = boxesToCanonical(boxesFromCanonical(flat, f), f);
        for (let i = 0; i < flat.length; i++)
          expect(Math.abs(fwd[i] - flat[i])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(flat[i])));
      }),
      { numRuns: 300 },
    );
  });

  it('points round-trip in float64 and float32; distances to the centre and z are preserved', () => {
    fc.assert(
      fc.property(
        frame,
        fc.array(fc.tuple(coord, coord, coord, fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 8 }),
        (f, ps) => {
          const flat = ps.flat();
          const c64 = pointsToCanonical(flat, f, 4, new Float64Array(flat.length));
          const back = pointsFromCanonical(c64, f, 4, new Float64Array(flat.length));
          for (let i = 0; i < flat.length; i++) expect(Math.abs(back[i] - flat[i])).toBeLessThanOrEqual(1e-9);
          for (let i = 0; i < flat.length; i += 4) {
            expect(Math.hypot(c64[i], c64[i + 1])).toBeCloseTo(
              Math.hypot(flat[i] - f.cx, flat[i + 1] - f.cy),
              9,
            );
            expect(c64[i + 2]).toBe(flat[i + 2]);
          }
          // float32 storage: within float32 rounding of coordinates up to ~300 m
          const back32 = pointsFromCanonical(pointsToCanonical(Float32Array.from(flat), f), f);
          for (let i = 0; i < flat.length; i++)
            expect(Math.abs(back32[i] - Math.fround(flat[i]))).toBeLessThanOrEqual(1e-4);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a box centred on the frame with its heading maps to the origin with heading 0', () => {
    fc.assert(
      fc.property(box, (b) => {
        const c = boxesToCanonical(b, { cx: b[0], cy: b[1], heading: b[6] });
        expect(Math.abs(c[0])).toBeLessThan(1e-12);
        expect(Math.abs(c[1])).toBeLessThan(1e-12);
        expect(Math.abs(c[6])).toBeLessThan(1e-12);
      }),
    );
  });

  it('rejects bad input with a typed error naming the argument', () => {
    expect(() => boxesToCanonical([1, 2, 3], { cx: 0, cy: 0, heading: 0 })).toThrow(InvalidArgumentError);
    expect(() => boxesToCanonical([1, 2, 3], { cx: 0, cy: 0, heading: 0 })).toThrow(
      /boxes must be a flat N×7 array; received length 3/,
    );
    expect(() => pointsToCanonical([1, 2, 3, 4], { cx: Number.NaN, cy: 0, heading: 0 })).toThrow(
      /frame must be finite/,
    );
  });
});
