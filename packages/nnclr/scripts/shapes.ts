// A deterministic generator of small structured images ("shapes"): 10 classes of 16×16 grayscale
// line drawings with random position, size, stroke width and contrast, and the simple
// augmentations used for the two views. Pure JS (Float32Array), seeded.
import { Mulberry32 } from '../src/random';

export const SIDE = 16;
export const PIXELS = SIDE * SIDE;
export const CLASSES = [
  'horizontal bar',
  'vertical bar',
  'diagonal',
  'anti-diagonal',
  'plus',
  'cross',
  'square',
  'disc',
  'ring',
  'two dots',
] as const;

type Seg = [number, number, number, number];

function distToSeg(px: number, py: number, [ax, ay, bx, by]: Seg): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Renders one image of class `c` with nuisance parameters drawn from `rng`. */
export function render(c: number, rng: Mulberry32): Float32Array {
  const cx = 7.5 + (rng.next() - 0.5) * 7;
  const cy = 7.5 + (rng.next() - 0.5) * 7;
  const r = 2.5 + rng.next() * 3.5; // half size
  const w = 0.6 + rng.next() * 0.9; // half stroke width
  const ink = 0.6 + rng.next() * 0.4;
  const segs: Seg[] = [];
  let dist: (x: number, y: number) => number;
  switch (c) {
    case 0:
      segs.push([cx - r, cy, cx + r, cy]);
      break;
    case 1:
      segs.push([cx, cy - r, cx, cy + r]);
      break;
    case 2:
      segs.push([cx - r, cy - r, cx + r, cy + r]);
      break;
    case 3:
      segs.push([cx - r, cy + r, cx + r, cy - r]);
      break;
    case 4:
      segs.push([cx - r, cy, cx + r, cy], [cx, cy - r, cx, cy + r]);
      break;
    case 5:
      segs.push([cx - r, cy - r, cx + r, cy + r], [cx - r, cy + r, cx + r, cy - r]);
      break;
    case 6:
      segs.push([cx - r, cy - r, cx + r, cy - r], [cx + r, cy - r, cx + r, cy + r]);
      segs.push([cx + r, cy + r, cx - r, cy + r], [cx - r, cy + r, cx - r, cy - r]);
      break;
    default:
      break;
  }
  if (segs.length) dist = (x, y) => Math.min(...segs.map((s) => distToSeg(x, y, s)));
  else if (c === 7) dist = (x, y) => Math.max(0, Math.hypot(x - cx, y - cy) - r * 0.8);
  else if (c === 8) dist = (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r);
  else
    dist = (x, y) =>
      Math.min(Math.hypot(x - cx + r * 0.7, y - cy), Math.hypot(x - cx - r * 0.7, y - cy)) - 1.2;
  // A short distractor stroke anywhere, and background noise.
  const dx0 = rng.next() * SIDE;
  const dy0 = rng.next() * SIDE;
  const ang = rng.next() * Math.PI;
  const clutter: Seg = [dx0, dy0, dx0 + 3 * Math.cos(ang), dy0 + 3 * Math.sin(ang)];
  const img = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const d = dist(x, y) - w;
      const v = ink * Math.max(0, Math.min(1, 0.5 - d));
      const e = 0.8 * ink * Math.max(0, Math.min(1, 0.5 - (distToSeg(x, y, clutter) - 0.6)));
      img[y * SIDE + x] = Math.max(v, e) + 0.05 * gauss(rng);
    }
  }
  return img;
}

export interface Dataset {
  images: Float32Array[];
  labels: number[];
}

/** `n` images, classes balanced (round robin), from `seed`. */
export function makeDataset(n: number, seed: number): Dataset {
  const rng = new Mulberry32(seed);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % CLASSES.length;
    images.push(render(c, rng));
    labels.push(c);
  }
  return { images, labels };
}

function gauss(rng: Mulberry32): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * One augmented view: random translation by up to ±3 px (zero fill), contrast × U(0.6, 1.4),
 * random erasing of a 5×5 patch with p = 0.5, additive N(0, 0.1²) noise. `shiftOnly`: the
 * translation alone (the paper's "fewer augmentations" setting, §5).
 */
export function augment(img: Float32Array, rng: Mulberry32, shiftOnly = false): Float32Array {
  const sx = Math.floor(rng.next() * 7) - 3;
  const sy = Math.floor(rng.next() * 7) - 3;
  const gain = shiftOnly ? 1 : 0.6 + rng.next() * 0.8;
  const erase = !shiftOnly && rng.next() < 0.5;
  const ex = Math.floor(rng.next() * (SIDE - 5));
  const ey = Math.floor(rng.next() * (SIDE - 5));
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const ox = x - sx;
      const oy = y - sy;
      let v = ox >= 0 && ox < SIDE && oy >= 0 && oy < SIDE ? img[oy * SIDE + ox] * gain : 0;
      if (erase && x >= ex && x < ex + 5 && y >= ey && y < ey + 5) v = 0;
      out[y * SIDE + x] = shiftOnly ? v : v + 0.1 * gauss(rng);
    }
  }
  return out;
}
