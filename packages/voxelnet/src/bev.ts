// Bird's-eye-view picture (SVG) of a point cloud with ground-truth and detected boxes.
import { rectangleCorners } from './geometry/rotated-iou';

/** Options of {@link renderBevSvg}. */
export interface BevOptions {
  /** [xmin, ymin, zmin, xmax, ymax, zmax] drawn. */
  range: readonly number[];
  /** Pixels per metre. Default 10. */
  scale?: number;
  /** Ground-truth LiDAR boxes (M×7), drawn in green. */
  groundTruth?: ArrayLike<number>;
  /** Detected LiDAR boxes (N×7), drawn in red with their scores. */
  detections?: ArrayLike<number>;
  scores?: ArrayLike<number>;
  /** At most this many points are drawn (evenly subsampled). Default 40000. */
  maxPoints?: number;
}

/**
 * Renders points (N×4, LiDAR frame) seen from above as an SVG string: x (forward) points up, y
 * (left) points left, points shaded by height.
 */
export function renderBevSvg(points: Float32Array, options: BevOptions): string {
  const { range, scale = 10, groundTruth = [], detections = [], scores = [], maxPoints = 40000 } = options;
  const [xmin, ymin, zmin, xmax, ymax, zmax] = range;
  const W = Math.round((ymax - ymin) * scale);
  const H = Math.round((xmax - xmin) * scale);
  // image coordinates: u = (ymax − y)·scale, v = (xmax − x)·scale
  const u = (y: number) => ((ymax - y) * scale).toFixed(1);
  const v = (x: number) => ((xmax - x) * scale).toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="#111"/>`,
  ];
  const n = points.length / 4;
  let inRange = 0;
  for (let i = 0; i < n; i++) {
    const x = points[i * 4];
    const y = points[i * 4 + 1];
    if (x >= xmin && x < xmax && y >= ymin && y < ymax) inRange++;
  }
  const step = Math.max(1, Math.ceil(inRange / maxPoints));
  let k = 0;
  const dots: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = points[i * 4];
    const y = points[i * 4 + 1];
    const z = points[i * 4 + 2];
    if (!(x >= xmin && x < xmax && y >= ymin && y < ymax)) continue;
    if (k++ % step) continue;
    const t = Math.min(1, Math.max(0, (z - zmin) / (zmax - zmin)));
    const g = Math.round(80 + 175 * t);
    dots.push(`<rect x="${u(y)}" y="${v(x)}" width="1" height="1" fill="rgb(${g},${g},${g})"/>`);
  }
  parts.push(...dots);
  const poly = (b: ArrayLike<number>, i: number, color: string, label?: string) => {
    const c = rectangleCorners(b[i * 7], b[i * 7 + 1], b[i * 7 + 3], b[i * 7 + 4], b[i * 7 + 6]);
    const pts = [0, 1, 2, 3].map((j) => `${u(c[j * 2 + 1])},${v(c[j * 2])}`).join(' ');
    // heading tick from the centre to the front edge
    const fx = b[i * 7] + (Math.cos(b[i * 7 + 6]) * b[i * 7 + 3]) / 2;
    const fy = b[i * 7 + 1] + (Math.sin(b[i * 7 + 6]) * b[i * 7 + 3]) / 2;
    parts.push(`<polygon points="${pts}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    parts.push(
      `<line x1="${u(b[i * 7 + 1])}" y1="${v(b[i * 7])}" x2="${u(fy)}" y2="${v(fx)}" stroke="${color}"/>`,
    );
    if (label)
      parts.push(`<text x="${u(c[1])}" y="${v(c[0])}" fill="${color}" font-size="10">${label}</text>`);
  };
  for (let i = 0; i < groundTruth.length / 7; i++) poly(groundTruth, i, '#3c3');
  for (let i = 0; i < detections.length / 7; i++)
    poly(detections, i, '#f44', scores[i] !== undefined ? scores[i].toFixed(2) : undefined);
  parts.push('</svg>');
  return parts.join('\n');
}
