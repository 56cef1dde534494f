/**
 * A deterministic generator of small structured images ("shapes"): 10 classes of 16×16 grayscale
 * line drawings with random position, size, stroke width, contrast, a distractor stroke and
 * background noise. Pure JS (Float32Array) on the shared seeded stream of `@paperstack/example-kit`,
 * so the same seed gives the same images on every machine and backend.
 *
 * Issue 6 asks for a small image dataset that ships in a well-kept npm package or that the example
 * generates deterministically; none of the former fit, so this is the latter.
 */
import { uniform } from '@paperstack/example-kit';

/** Side length of an image in pixels. */
export const SIDE = 16;
/** Pixels per image (`SIDE²`), the encoder's input size. */
export const PIXELS = SIDE * SIDE;
/** The class names, in label order. */
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

/** A labelled set of images: `images[i]` (row-major, `PIXELS` values) has class `labels[i]`. */
export interface Dataset {
  images: Float32Array[];
  labels: number[];
}

type Seg = [number, number, number, number];

function distToSeg(px: number, py: number, [ax, ay, bx, by]: Seg): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/**
 * A standard normal draw from `rand` (Box–Muller, two uniforms per draw). Unlike the kit's
 * `normal(seed)`, it shares the caller's stream, so images and views need one generator each.
 */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Renders one image of class `c` (an index into {@link CLASSES}) with nuisance parameters drawn
 * from `rand` (uniform [0, 1)): centre ±3.5 px, half size 2.5–6 px, half stroke 0.6–1.5 px, ink
 * 0.6–1, a 3 px distractor stroke anywhere, and N(0, 0.05²) pixel noise.
 */
export function renderShape(c: number, rand: () => number): Float32Array {
  if (!Number.isInteger(c) || c < 0 || c >= CLASSES.length)
    throw new RangeError(`renderShape: c must be an integer in [0, ${CLASSES.length}), received ${c}`);
  const cx = 7.5 + (rand() - 0.5) * 7;
  const cy = 7.5 + (rand() - 0.5) * 7;
  const r = 2.5 + rand() * 3.5; // half size
  const w = 0.6 + rand() * 0.9; // half stroke width
  const ink = 0.6 + rand() * 0.4;
  const segs: Seg[] = [];
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
  let dist: (x: number, y: number) => number;
  if (segs.length) dist = (x, y) => Math.min(...segs.map((s) => distToSeg(x, y, s)));
  else if (c === 7) dist = (x, y) => Math.max(0, Math.hypot(x - cx, y - cy) - r * 0.8);
  else if (c === 8) dist = (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r);
  else
    dist = (x, y) =>
      Math.min(Math.hypot(x - cx + r * 0.7, y - cy), Math.hypot(x - cx - r * 0.7, y - cy)) - 1.2;
  // A short distractor stroke anywhere, and background noise.
  const dx0 = rand() * SIDE;
  const dy0 = rand() * SIDE;
  const ang = rand() * Math.PI;
  const clutter: Seg = [dx0, dy0, dx0 + 3 * Math.cos(ang), dy0 + 3 * Math.sin(ang)];
  const img = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const d = dist(x, y) - w;
      const v = ink * Math.max(0, Math.min(1, 0.5 - d));
      const e = 0.8 * ink * Math.max(0, Math.min(1, 0.5 - (distToSeg(x, y, clutter) - 0.6)));
      img[y * SIDE + x] = Math.max(v, e) + 0.05 * gaussian(rand);
    }
  }
  return img;
}

/** `n` images with classes balanced (round robin: image i has class i mod 10), from `seed`. */
export function makeShapes(n: number, seed: number): Dataset {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`makeShapes: n must be a non-negative integer, received ${n}`);
  const rand = uniform(seed);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % CLASSES.length;
    images.push(renderShape(c, rand));
    labels.push(c);
  }
  return { images, labels };
}

/** The images of `data` as one row-major `[n, values per image]` buffer (for a tensor). */
export function stackImages(images: readonly Float32Array[]): Float32Array {
  const dim = images[0]?.length ?? PIXELS;
  const out = new Float32Array(images.length * dim);
  images.forEach((im, i) => {
    out.set(im, i * dim);
  });
  return out;
}
