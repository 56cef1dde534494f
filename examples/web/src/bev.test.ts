import { describe, expect, it } from 'vitest';
import { colormap, fitView, footprint, pixelToWorld, worldToPixel } from './bev';

describe('bird’s-eye-view geometry', () => {
  const view = { cx: 20, cy: -3, scale: 8 };

  it('draws x forward as up and y left as left; pixelToWorld inverts worldToPixel', () => {
    const [px0, py0] = worldToPixel(view, 640, 480, 20, -3);
    expect([px0, py0]).toEqual([320, 240]);
    const [, pyFront] = worldToPixel(view, 640, 480, 21, -3);
    expect(pyFront).toBeLessThan(py0);
    const [pxLeft] = worldToPixel(view, 640, 480, 20, -2);
    expect(pxLeft).toBeLessThan(px0);
    const [x, y] = pixelToWorld(view, 640, 480, ...worldToPixel(view, 640, 480, 31.5, 7.25));
    expect(x).toBeCloseTo(31.5, 10);
    expect(y).toBeCloseTo(7.25, 10);
  });

  it('box footprints rotate counter-clockwise from x toward y', () => {
    const c = footprint([10, 0, -1, 4, 2, 1.5, Math.PI / 2]);
    // heading +90°: the front (length axis) points along +y
    const frontMid = [(c[0][0] + c[3][0]) / 2, (c[0][1] + c[3][1]) / 2];
    expect(frontMid[0]).toBeCloseTo(10, 10);
    expect(frontMid[1]).toBeCloseTo(2, 10);
  });

  it('fitView shows the whole rectangle', () => {
    const v = fitView(0, 70.4, -40, 40, 640, 640);
    for (const [x, y] of [
      [0, -40],
      [70.4, 40],
    ]) {
      const [px, py] = worldToPixel(v, 640, 640, x, y);
      expect(px).toBeGreaterThanOrEqual(0);
      expect(px).toBeLessThanOrEqual(640);
      expect(py).toBeGreaterThanOrEqual(0);
      expect(py).toBeLessThanOrEqual(640);
    }
  });

  it('colormap is clamped to its end colours', () => {
    expect(colormap(-1)).toEqual(colormap(0));
    expect(colormap(2)).toEqual(colormap(1));
  });
});
