import * as tf from '@tensorflow/tfjs-core';
import { MaectInputError, shapeString } from './errors';
import { seededRandom } from './random';

/** Augmentation of a contrastive view (MAE-CT `yamls`: "min aug" or the BYOL-like set). */
export interface AugmentOptions {
  /** Output side. Default: the input side. */
  size?: number;
  /** Random-resized-crop area range. Default [0.08, 1] (MAE-CT stage 2/3). */
  scale?: [number, number];
  /** Aspect-ratio range. Default [3/4, 4/3]. */
  ratio?: [number, number];
  /** Horizontal flip probability. Default 0.5. */
  flip?: number;
  /**
   * `'min'` (default; MAE-CT): crop + flip only. `'byol'`: also color jitter (p 0.8: brightness 0.4,
   * contrast 0.4, saturation 0.2; no hue), grayscale (p 0.2), Gaussian blur (p `blur`) and solarize
   * (p `solarize`), as MAE-CT_aug's asymmetric views (view 1: blur 1.0, solarize 0; view 2: blur 0.1,
   * solarize 0.2).
   */
  preset?: 'min' | 'byol';
  /** BYOL blur probability. Default 1.0. */
  blur?: number;
  /** BYOL solarize probability. Default 0. */
  solarize?: number;
  /** Seed of every random choice. */
  seed: number;
}

/**
 * torchvision `RandomResizedCrop` box sampling (10 tries of area/log-ratio, then the central crop
 * clamped to the ratio range), returned normalized `[y1, x1, y2, x2]`.
 */
function sampleBox(
  h: number,
  w: number,
  scale: [number, number],
  ratio: [number, number],
  rand: () => number,
) {
  const area = h * w;
  for (let i = 0; i < 10; i++) {
    const target = area * (scale[0] + rand() * (scale[1] - scale[0]));
    const logR = Math.log(ratio[0]) + rand() * (Math.log(ratio[1]) - Math.log(ratio[0]));
    const ar = Math.exp(logR);
    const cw = Math.round(Math.sqrt(target * ar));
    const ch = Math.round(Math.sqrt(target / ar));
    if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
      const top = Math.floor(rand() * (h - ch + 1));
      const left = Math.floor(rand() * (w - cw + 1));
      return [top, left, ch, cw];
    }
  }
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < ratio[0]) ch = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) cw = Math.round(h * ratio[1]);
  return [Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw];
}

/**
 * One augmented view of a batch `[batch, height, width, channels]` (values in any range; crop and
 * flip are one `cropAndResize`, bilinear, with flipped boxes). Seeded; no gradient is needed or kept.
 */
export function augment(images: tf.Tensor4D, opts: AugmentOptions): tf.Tensor4D {
  if (images.rank !== 4)
    throw new MaectInputError(
      'images',
      'a rank-4 tensor [batch, height, width, channels]',
      shapeString(images.shape),
    );
  const [n, h, w, c] = images.shape;
  const size = opts.size ?? h;
  const scale = opts.scale ?? [0.08, 1];
  const ratio = opts.ratio ?? [3 / 4, 4 / 3];
  const flip = opts.flip ?? 0.5;
  if (!(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1))
    throw new MaectInputError('scale', '0 < min ≤ max ≤ 1', `[${scale}]`);
  const rand = seededRandom(opts.seed);
  const boxes: number[] = [];
  for (let i = 0; i < n; i++) {
    const [top, left, ch, cw] = sampleBox(h, w, scale, ratio, rand);
    // cropAndResize samples box corners at pixel centres: y = y1·(h−1) … y2·(h−1).
    const y1 = top / (h - 1);
    const y2 = (top + ch - 1) / (h - 1);
    let x1 = left / (w - 1);
    let x2 = (left + cw - 1) / (w - 1);
    if (rand() < flip) [x1, x2] = [x2, x1];
    boxes.push(y1, x1, y2, x2);
  }
  return tf.tidy(() => {
    let out: tf.Tensor4D = tf.image.cropAndResize(
      images,
      tf.tensor2d(boxes, [n, 4]),
      tf.range(0, n, 1, 'int32') as tf.Tensor1D,
      [size, size],
      'bilinear',
    );
    if (opts.preset === 'byol') out = byolColor(out, c, rand, opts.blur ?? 1, opts.solarize ?? 0);
    return out;
  });
}

function perSample(n: number, f: (i: number) => number): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: n }, (_, i) => f(i)),
    [n, 1, 1, 1],
  );
}

/** BYOL photometric part for images in [0, 1] (torchvision ColorJitter order fixed: b, c, s). */
function byolColor(
  x: tf.Tensor4D,
  c: number,
  rand: () => number,
  pBlur: number,
  pSolarize: number,
): tf.Tensor4D {
  const n = x.shape[0];
  const gray = (t: tf.Tensor4D) =>
    c === 3
      ? (tf.sum(tf.mul(t, tf.tensor1d([0.299, 0.587, 0.114])), -1, true) as tf.Tensor4D)
      : (tf.mean(t, -1, true) as tf.Tensor4D);
  const jitter = Array.from({ length: n }, () => rand() < 0.8);
  const b = perSample(n, (i) => (jitter[i] ? 0.6 + rand() * 0.8 : 1));
  const ct = perSample(n, (i) => (jitter[i] ? 0.6 + rand() * 0.8 : 1));
  const s = perSample(n, (i) => (jitter[i] ? 0.8 + rand() * 0.4 : 1));
  let y = tf.clipByValue(tf.mul(x, b), 0, 1) as tf.Tensor4D;
  const mean = tf.mean(gray(y), [1, 2, 3], true);
  y = tf.clipByValue(tf.add(tf.mul(tf.sub(y, mean), ct), mean), 0, 1) as tf.Tensor4D;
  const g = gray(y);
  y = tf.clipByValue(tf.add(tf.mul(tf.sub(y, g), s), g), 0, 1) as tf.Tensor4D;
  const toGray = perSample(n, () => (rand() < 0.2 ? 1 : 0));
  y = tf.add(tf.mul(y, tf.sub(1, toGray)), tf.mul(gray(y), toGray)) as tf.Tensor4D;
  // Gaussian blur, σ ∈ [0.1, 2] pixels at 224 px, scaled by side/224; kernel 2·⌈3σ⌉+1 (≥ 3, ≤ side).
  const side = y.shape[1];
  const blurred: tf.Tensor4D[] = [];
  for (let i = 0; i < n; i++) {
    const img = tf.slice(y, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    if (rand() >= pBlur) {
      blurred.push(img);
      continue;
    }
    const sigma = (0.1 + rand() * 1.9) * (side / 224);
    const r = Math.max(1, Math.min(Math.ceil(3 * sigma), Math.floor((side - 1) / 2)));
    const k = Array.from({ length: 2 * r + 1 }, (_, j) => Math.exp(-((j - r) ** 2) / (2 * sigma * sigma)));
    const sum = k.reduce((a, v) => a + v, 0);
    const k1 = tf.tensor1d(k.map((v) => v / sum));
    const chans = tf.transpose(img, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H, W, 1]
    const kh = tf.reshape(k1, [2 * r + 1, 1, 1, 1]) as tf.Tensor4D;
    const kw = tf.reshape(k1, [1, 2 * r + 1, 1, 1]) as tf.Tensor4D;
    const bl = tf.conv2d(tf.conv2d(chans, kh, 1, 'same'), kw, 1, 'same');
    blurred.push(tf.transpose(bl, [3, 1, 2, 0]) as tf.Tensor4D);
  }
  y = tf.concat(blurred, 0);
  const sol = perSample(n, () => (rand() < pSolarize ? 1 : 0));
  const solarized = tf.where(tf.greaterEqual(y, 0.5), tf.sub(1, y), y);
  return tf.add(tf.mul(y, tf.sub(1, sol)), tf.mul(solarized, sol)) as tf.Tensor4D;
}
