import { describe, expect, it } from 'vitest';
import { renderBevSvg } from './bev';

describe('renderBevSvg', () => {
  it('draws points in range, ground-truth and detected boxes with scores', () => {
    const pts = new Float32Array([5, 0, -1, 0.5, 6, 1, -1.5, 0.2, 100, 0, 0, 0]);
    const svg = renderBevSvg(pts, {
      range: [0, -10, -3, 20, 10, 1],
      groundTruth: [10, 0, -1, 4, 1.6, 1.5, 0],
      detections: [10.2, 0.1, -1, 4, 1.6, 1.5, 0.1],
      scores: [0.87],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect /g)?.length).toBe(3); // background + 2 points in range
    expect(svg.match(/<polygon /g)?.length).toBe(2);
    expect(svg).toContain('>0.87</text>');
    // x forward is up: the box at x = 10 of a 20 m range sits mid-height (y ≈ 100 px at 10 px/m)
    expect(svg).toMatch(/<line x1="100\.0" y1="100\.0"/);
  });
});
