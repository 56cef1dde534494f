// Bird's-eye view of a LiDAR scene: points (coloured by height or reflectance), 3D boxes as rotated
// footprints with a heading tick, range rings, and optionally the VoxelNet voxel occupancy.
// LiDAR frame: x forward (drawn up), y left (drawn left), z up.

/** A view: the world point at the canvas centre and the zoom in pixels per metre. */
export interface BevView {
  cx: number;
  cy: number;
  scale: number;
}

export interface BevBox {
  /** x, y, z, dx (length), dy (width), dz (height), heading — LiDAR frame. */
  box: ArrayLike<number>;
  label: string;
  color: string;
}

export interface BevLayers {
  /** N×4: x, y, z, reflectance. */
  points: Float32Array;
  boxes: readonly BevBox[];
  colorBy: 'height' | 'reflectance';
  /** BEV cells (x-index, y-index) of occupied voxels, with the grid's origin and cell size. */
  voxels?: { cells: Int32Array; origin: [number, number]; size: [number, number] } | null;
}

/** Canvas pixel of a world point (x, y). */
export function worldToPixel(
  view: BevView,
  width: number,
  height: number,
  x: number,
  y: number,
): [number, number] {
  return [width / 2 - (y - view.cy) * view.scale, height / 2 - (x - view.cx) * view.scale];
}

/** World point (x, y) of a canvas pixel. */
export function pixelToWorld(
  view: BevView,
  width: number,
  height: number,
  px: number,
  py: number,
): [number, number] {
  return [view.cx + (height / 2 - py) / view.scale, view.cy + (width / 2 - px) / view.scale];
}

/** The view that shows the rectangle [xmin, xmax] × [ymin, ymax] whole. */
export function fitView(
  xmin: number,
  xmax: number,
  ymin: number,
  ymax: number,
  width: number,
  height: number,
): BevView {
  const scale = Math.min(height / (xmax - xmin), width / (ymax - ymin)) * 0.95;
  return { cx: (xmin + xmax) / 2, cy: (ymin + ymax) / 2, scale };
}

/** The four footprint corners (x, y) of a box, front-left first, counter-clockwise seen from above. */
export function footprint(box: ArrayLike<number>): [number, number][] {
  const [x, y, , l, w, , yaw] = Array.from(box);
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  return [
    [l / 2, w / 2],
    [-l / 2, w / 2],
    [-l / 2, -w / 2],
    [l / 2, -w / 2],
  ].map(([u, v]) => [x + c * u - s * v, y + s * u + c * v]);
}

// A compact perceptual colour map (turbo, 9 stops), interpolated linearly.
const TURBO = [
  [48, 18, 59],
  [70, 107, 227],
  [40, 187, 236],
  [49, 241, 153],
  [163, 253, 61],
  [237, 208, 58],
  [251, 128, 34],
  [208, 47, 5],
  [122, 4, 3],
];

export function colormap(t: number): [number, number, number] {
  const u = Math.max(0, Math.min(1, t)) * (TURBO.length - 1);
  const i = Math.min(Math.floor(u), TURBO.length - 2);
  const f = u - i;
  const a = TURBO[i];
  const b = TURBO[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Draws the scene; returns the number of points that fell on the canvas. */
export function drawBev(ctx: CanvasRenderingContext2D, view: BevView, layers: BevLayers): number {
  const { width, height } = ctx.canvas;
  ctx.fillStyle = '#0b0f19';
  ctx.fillRect(0, 0, width, height);

  // voxel occupancy under everything else
  if (layers.voxels) {
    const { cells, origin, size } = layers.voxels;
    ctx.fillStyle = 'rgba(90, 140, 255, 0.28)';
    for (let i = 0; i < cells.length; i += 2) {
      const x0 = origin[0] + cells[i] * size[0];
      const y0 = origin[1] + cells[i + 1] * size[1];
      const [px, py] = worldToPixel(view, width, height, x0 + size[0], y0 + size[1]);
      ctx.fillRect(px, py, Math.max(1, size[1] * view.scale), Math.max(1, size[0] * view.scale));
    }
  }

  // range rings every 10 m and the ego vehicle
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.15)';
  ctx.fillStyle = 'rgba(255, 255, 255, 0.45)';
  ctx.font = '11px system-ui, sans-serif';
  const [ox, oy] = worldToPixel(view, width, height, 0, 0);
  for (let r = 10; r <= 80; r += 10) {
    ctx.beginPath();
    ctx.arc(ox, oy, r * view.scale, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.fillText(`${r} m`, ox + 3, oy - r * view.scale - 3);
  }
  ctx.fillStyle = '#ffffff';
  ctx.beginPath();
  ctx.moveTo(ox, oy - 8);
  ctx.lineTo(ox - 5, oy + 5);
  ctx.lineTo(ox + 5, oy + 5);
  ctx.closePath();
  ctx.fill();

  // points: written straight into the pixels (100k+ points per KITTI scan)
  const img = ctx.getImageData(0, 0, width, height);
  const px = img.data;
  const pts = layers.points;
  let drawn = 0;
  const dot = view.scale > 12 ? 1 : 0; // 2×2 dots when zoomed in
  for (let i = 0; i + 3 < pts.length; i += 4) {
    const [u, v] = worldToPixel(view, width, height, pts[i], pts[i + 1]);
    const x = Math.floor(u);
    const y = Math.floor(v);
    if (x < 0 || y < 0 || x >= width - dot || y >= height - dot) continue;
    // height: −1.9 m (below KITTI's ground at −1.73 m) … +0.6 m
    const t = layers.colorBy === 'height' ? (pts[i + 2] + 1.9) / 2.5 : pts[i + 3];
    const [r, g, b] = colormap(t);
    for (let dy = 0; dy <= dot; dy++) {
      for (let dx = 0; dx <= dot; dx++) {
        const k = ((y + dy) * width + x + dx) * 4;
        px[k] = r;
        px[k + 1] = g;
        px[k + 2] = b;
        px[k + 3] = 255;
      }
    }
    drawn++;
  }
  ctx.putImageData(img, 0, 0);

  // boxes
  ctx.lineWidth = 2;
  for (const b of layers.boxes) {
    const corners = footprint(b.box).map(([x, y]) => worldToPixel(view, width, height, x, y));
    ctx.strokeStyle = b.color;
    ctx.beginPath();
    ctx.moveTo(corners[0][0], corners[0][1]);
    for (const [x, y] of corners.slice(1)) ctx.lineTo(x, y);
    ctx.closePath();
    ctx.stroke();
    // heading: from the centre to the middle of the front edge
    const [cx, cy] = worldToPixel(view, width, height, b.box[0], b.box[1]);
    ctx.beginPath();
    ctx.moveTo(cx, cy);
    ctx.lineTo((corners[0][0] + corners[3][0]) / 2, (corners[0][1] + corners[3][1]) / 2);
    ctx.stroke();
    if (b.label) {
      ctx.fillStyle = b.color;
      ctx.fillText(b.label, corners[0][0] + 3, corners[0][1] - 3);
    }
  }
  return drawn;
}
