// The KITTI object-detection metric: AP for 2D image boxes, bird's-eye-view and 3D boxes, per
// difficulty, with 11-point (AP|R11) and 40-point (AP|R40) interpolation.
//
// Follows the KITTI devkit `evaluate_object.cpp` (3D offline variant: qianguih/voxelnet
// kitti_eval/evaluate_object_3d_offline.cpp) rule by rule: the difficulty filters in `cleanData`
// (ground truth below MIN_HEIGHT / above MAX_OCCLUSION / MAX_TRUNCATION is ignored, not missed;
// Van is ignored for Car and Person_sitting for Pedestrian; detections shorter than MIN_HEIGHT —
// measured as an integer, as the devkit's int32 cast does — are ignored), the greedy matching of
// `computeStatistics` (highest score when collecting recall thresholds, highest overlap when
// counting TP/FP), DontCare regions absorbing unmatched detections (2D metric; for BEV/3D the
// devkit's DontCare boxes sit at −1000 m and never overlap), `getThresholds` with 41 recall
// samples, and the monotone precision envelope. IoU thresholds default to the official
// leaderboard's (car 0.7, pedestrian / cyclist 0.5 for every metric; OpenPCDet
// kitti_object_eval_python `overlap_0_7`); the 3D-offline devkit file uses 0.5 for car BEV/3D,
// available through `minOverlap`.
import { InvalidArgumentError } from '../errors';
import { rotatedOverlapArea } from '../geometry/rotated-iou';
import type { KittiObject } from './labels';

/**
 * A KITTI benchmark metric: `bbox` (2D image-box IoU), `bev` (rotated bird's-eye-view box IoU) or
 * `3d` (3D box IoU), as the devkit's image / ground / 3D overlaps.
 */
export type KittiMetric = 'bbox' | 'bev' | '3d';
/** All three metrics, in the devkit's order (the default of `EvaluateOptions.metrics`). */
export const KITTI_METRICS: readonly KittiMetric[] = ['bbox', 'bev', '3d'];
/** The devkit's difficulty levels; index d selects `MIN_HEIGHT[d]`, `MAX_OCCLUSION[d]`, `MAX_TRUNCATION[d]`. */
export const DIFFICULTIES = ['easy', 'moderate', 'hard'] as const;

/** Devkit difficulty definitions, indexed easy / moderate / hard. */
export const MIN_HEIGHT = [40, 25, 25] as const;
/**
 * Largest KITTI occlusion level a counted ground-truth object may have, per difficulty (0 fully
 * visible, 1 partly occluded, 2 largely occluded).
 */
export const MAX_OCCLUSION = [0, 1, 2] as const;
/** Largest truncated fraction (0…1, leaving the image) a counted ground-truth object may have, per difficulty. */
export const MAX_TRUNCATION = [0.15, 0.3, 0.5] as const;
/** Recall samples of the devkit (`N_SAMPLE_PTS`). */
export const N_SAMPLE_PTS = 41;

/** Options of {@link evaluate}. Every field is optional. */
export interface EvaluateOptions {
  /** Classes to evaluate (case-insensitive, as the devkit compares). Default `['Car']`. */
  classes?: string[];
  /** Metrics to compute. Default all three: `['bbox', 'bev', '3d']`. */
  metrics?: KittiMetric[];
  /**
   * IoU a detection must exceed to match, per class (lower case) and metric. Defaults: car 0.7,
   * pedestrian 0.5, cyclist 0.5 for every metric; other classes 0.5.
   */
  minOverlap?: Record<string, Partial<Record<KittiMetric, number>>>;
  /**
   * How box heights are compared with MIN_HEIGHT. `'devkit'` (default): ground truth is ignored
   * when `height < MIN_HEIGHT`, detections when `int(height) < MIN_HEIGHT` (evaluate_object.cpp).
   * `'python'`: ground truth when `height <= MIN_HEIGHT`, detections when `height < MIN_HEIGHT`
   * (OpenPCDet / second.pytorch kitti_object_eval_python).
   */
  heightRule?: 'devkit' | 'python';
}

/** AP of one class and metric. APs are in percent (0–100), as the devkit prints them. */
export interface KittiMetricResult {
  /** AP|R11: mean precision at recall 0, 0.1, …, 1 — [easy, moderate, hard]. */
  ap11: [number, number, number];
  /** AP|R40: mean precision at recall 1/40, …, 1 — [easy, moderate, hard]. */
  ap40: [number, number, number];
  /** Interpolated precision at the 41 recall samples, per difficulty (devkit `stats_*.txt`). */
  precision: [number[], number[], number[]];
  /** Ground-truth boxes that count (the recall denominator), per difficulty. */
  numGroundTruth: [number, number, number];
}

/** Results by class (as given in `classes`) and metric. */
export type KittiEvaluation = Record<string, Partial<Record<KittiMetric, KittiMetricResult>>>;

const DEFAULT_OVERLAP: Record<string, number> = { car: 0.7, pedestrian: 0.5, cyclist: 0.5 };

/** 2D image-box overlap; `criterion` −1: IoU, 0: over the area of `a` (devkit `imageBoxOverlap`). */
export function imageBoxOverlap(a: readonly number[], b: readonly number[], criterion: -1 | 0 = -1): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  if (criterion === 0) return inter / areaA;
  return inter / (areaA + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/** Rotated overlap on the ground plane (camera x, z) of two label objects (devkit `groundBoxOverlap`). */
function groundArea(d: KittiObject, g: KittiObject): number {
  // devkit toPolygon rotates the (l, w) rectangle by −ry in the (x, z) plane
  return rotatedOverlapArea(
    d.location[0],
    d.location[2],
    d.dimensions[2],
    d.dimensions[1],
    -d.rotationY,
    g.location[0],
    g.location[2],
    g.dimensions[2],
    g.dimensions[1],
    -g.rotationY,
  );
}

/** BEV IoU of two label objects (camera frame). */
export function groundBoxOverlap(d: KittiObject, g: KittiObject): number {
  const inter = groundArea(d, g);
  if (inter <= 0) return 0;
  const ad = d.dimensions[2] * d.dimensions[1];
  const ag = g.dimensions[2] * g.dimensions[1];
  return inter / (ad + ag - inter);
}

/** 3D IoU of two label objects: ground overlap × overlap of [y − h, y] (camera y points down). */
export function box3dOverlap(d: KittiObject, g: KittiObject): number {
  const ymax = Math.min(d.location[1], g.location[1]);
  const ymin = Math.max(d.location[1] - d.dimensions[0], g.location[1] - g.dimensions[0]);
  if (ymax - ymin <= 0) return 0;
  const inter = groundArea(d, g) * (ymax - ymin);
  if (inter <= 0) return 0;
  const vd = d.dimensions[0] * d.dimensions[1] * d.dimensions[2];
  const vg = g.dimensions[0] * g.dimensions[1] * g.dimensions[2];
  return inter / (vd + vg - inter);
}

const OVERLAP_FN: Record<KittiMetric, (d: KittiObject, g: KittiObject) => number> = {
  bbox: (d, g) => imageBoxOverlap(d.bbox, g.bbox),
  bev: groundBoxOverlap,
  '3d': box3dOverlap,
};

interface CleanFrame {
  ignoredGt: Int8Array;
  ignoredDet: Int8Array;
  dontCare: number[][];
  nGt: number;
}

function cleanData(
  cls: string,
  gt: readonly KittiObject[],
  det: readonly KittiObject[],
  difficulty: number,
  rule: 'devkit' | 'python',
): CleanFrame {
  const ignoredGt = new Int8Array(gt.length);
  let nGt = 0;
  const dontCare: number[][] = [];
  gt.forEach((g, i) => {
    const type = g.type.toLowerCase();
    const height = g.bbox[3] - g.bbox[1];
    let validClass: number;
    if (type === cls) validClass = 1;
    else if (cls === 'pedestrian' && type === 'person_sitting') validClass = 0;
    else if (cls === 'car' && type === 'van') validClass = 0;
    else validClass = -1;
    const tooSmall = rule === 'devkit' ? height < MIN_HEIGHT[difficulty] : height <= MIN_HEIGHT[difficulty];
    const ignore =
      g.occluded > MAX_OCCLUSION[difficulty] || g.truncated > MAX_TRUNCATION[difficulty] || tooSmall;
    if (validClass === 1 && !ignore) {
      ignoredGt[i] = 0;
      nGt++;
    } else if (validClass === 0 || (ignore && validClass === 1)) ignoredGt[i] = 1;
    else ignoredGt[i] = -1;
    if (type === 'dontcare') dontCare.push(g.bbox);
  });
  const ignoredDet = new Int8Array(det.length);
  det.forEach((d, i) => {
    const validClass = d.type.toLowerCase() === cls ? 1 : -1;
    const raw = Math.abs(d.bbox[1] - d.bbox[3]);
    const height = rule === 'devkit' ? Math.trunc(raw) : raw;
    if (height < MIN_HEIGHT[difficulty]) ignoredDet[i] = 1;
    else ignoredDet[i] = validClass === 1 ? 0 : -1;
  });
  return { ignoredGt, ignoredDet, dontCare, nGt };
}

interface Stats {
  tp: number;
  fp: number;
  fn: number;
  v: number[];
}

const NO_DETECTION = -10000000;

function computeStatistics(
  gt: readonly KittiObject[],
  det: readonly KittiObject[],
  clean: CleanFrame,
  overlaps: Float64Array, // det × gt
  dcOverlaps: Float64Array | null, // det × dontCare (criterion 0), 2D metric only
  minOverlap: number,
  computeFp: boolean,
  thresh: number,
): Stats {
  const { ignoredGt, ignoredDet, dontCare } = clean;
  const stat: Stats = { tp: 0, fp: 0, fn: 0, v: [] };
  const nd = det.length;
  const ng = gt.length;
  const assigned = new Uint8Array(nd);
  const belowThresh = new Uint8Array(nd);
  if (computeFp) for (let i = 0; i < nd; i++) if ((det[i].score ?? 0) < thresh) belowThresh[i] = 1;
  for (let i = 0; i < ng; i++) {
    if (ignoredGt[i] === -1) continue;
    let detIdx = -1;
    let valid = NO_DETECTION;
    let maxOverlap = 0;
    let assignedIgnoredDet = false;
    for (let j = 0; j < nd; j++) {
      if (ignoredDet[j] === -1 || assigned[j] || belowThresh[j]) continue;
      const overlap = overlaps[j * ng + i];
      const score = det[j].score ?? 0;
      if (!computeFp && overlap > minOverlap && score > valid) {
        detIdx = j;
        valid = score;
      } else if (
        computeFp &&
        overlap > minOverlap &&
        (overlap > maxOverlap || assignedIgnoredDet) &&
        ignoredDet[j] === 0
      ) {
        maxOverlap = overlap;
        detIdx = j;
        valid = 1;
        assignedIgnoredDet = false;
      } else if (computeFp && overlap > minOverlap && valid === NO_DETECTION && ignoredDet[j] === 1) {
        detIdx = j;
        valid = 1;
        assignedIgnoredDet = true;
      }
    }
    if (valid === NO_DETECTION && ignoredGt[i] === 0) stat.fn++;
    else if (valid !== NO_DETECTION && (ignoredGt[i] === 1 || ignoredDet[detIdx] === 1)) assigned[detIdx] = 1;
    else if (valid !== NO_DETECTION) {
      stat.tp++;
      stat.v.push(det[detIdx].score ?? 0);
      assigned[detIdx] = 1;
    }
  }
  if (computeFp) {
    for (let i = 0; i < nd; i++) {
      if (!(assigned[i] || ignoredDet[i] === -1 || ignoredDet[i] === 1 || belowThresh[i])) stat.fp++;
    }
    let nStuff = 0;
    if (dcOverlaps) {
      for (let c = 0; c < dontCare.length; c++) {
        for (let j = 0; j < nd; j++) {
          if (assigned[j] || ignoredDet[j] === -1 || ignoredDet[j] === 1 || belowThresh[j]) continue;
          if (dcOverlaps[j * dontCare.length + c] > minOverlap) {
            assigned[j] = 1;
            nStuff++;
          }
        }
      }
    }
    stat.fp -= nStuff;
  }
  return stat;
}

/** Devkit `getThresholds`: the scores at which recall crosses each of the 41 recall samples. */
export function getThresholds(scores: number[], nGroundTruth: number): number[] {
  const v = [...scores].sort((a, b) => b - a);
  const t: number[] = [];
  let current = 0;
  for (let i = 0; i < v.length; i++) {
    const l = (i + 1) / nGroundTruth;
    const r = i < v.length - 1 ? (i + 2) / nGroundTruth : l;
    if (r - current < current - l && i < v.length - 1) continue;
    t.push(v[i]);
    current += 1 / (N_SAMPLE_PTS - 1);
  }
  return t;
}

function checkFrames(name: string, frames: unknown): asserts frames is KittiObject[][] {
  if (!Array.isArray(frames) || frames.some((f) => !Array.isArray(f))) {
    throw new InvalidArgumentError(
      'evaluate',
      name,
      'an array (frames) of arrays of KittiObject',
      typeof frames,
    );
  }
}

/**
 * Evaluates detections against ground truth, frame by frame (`groundTruth[i]` and `detections[i]`
 * are the label and result objects of the same frame), exactly as the KITTI devkit does.
 * Detections need a `score`. Returns AP|R11 and AP|R40 (percent) per class, metric and difficulty.
 *
 * @example
 * const res = kitti.evaluate(gtFrames, detFrames);
 * res.Car['3d'].ap40; // [easy, moderate, hard]
 */
export function evaluate(
  groundTruth: readonly (readonly KittiObject[])[],
  detections: readonly (readonly KittiObject[])[],
  options: EvaluateOptions = {},
): KittiEvaluation {
  checkFrames('groundTruth', groundTruth);
  checkFrames('detections', detections);
  if (groundTruth.length !== detections.length) {
    throw new InvalidArgumentError(
      'evaluate',
      'detections',
      `one array per ground-truth frame (${groundTruth.length})`,
      `${detections.length} frames`,
    );
  }
  const { classes = ['Car'], metrics = [...KITTI_METRICS], heightRule = 'devkit' } = options;
  detections.forEach((frame, fi) => {
    frame.forEach((d, di) => {
      if (typeof d.score !== 'number' || !Number.isFinite(d.score)) {
        throw new InvalidArgumentError(
          'evaluate',
          `detections[${fi}][${di}].score`,
          'a finite number',
          d.score,
        );
      }
    });
  });
  for (const m of metrics) {
    if (!KITTI_METRICS.includes(m))
      throw new InvalidArgumentError('evaluate', 'metrics', `one of ${KITTI_METRICS}`, m);
  }
  const out: KittiEvaluation = {};
  for (const className of classes) {
    const cls = className.toLowerCase();
    out[className] = {};
    for (const metric of metrics) {
      const minOverlap = options.minOverlap?.[cls]?.[metric] ?? DEFAULT_OVERLAP[cls] ?? 0.5;
      const fn = OVERLAP_FN[metric];
      // overlaps per frame, det × gt, shared by the three difficulties
      const overlaps = groundTruth.map((gt, f) => {
        const det = detections[f];
        const o = new Float64Array(det.length * gt.length);
        for (let j = 0; j < det.length; j++) {
          if (det[j].type.toLowerCase() !== cls) continue;
          for (let i = 0; i < gt.length; i++) o[j * gt.length + i] = fn(det[j], gt[i]);
        }
        return o;
      });
      const result: KittiMetricResult = {
        ap11: [0, 0, 0],
        ap40: [0, 0, 0],
        precision: [[], [], []],
        numGroundTruth: [0, 0, 0],
      };
      for (let diff = 0; diff < 3; diff++) {
        let nGt = 0;
        const v: number[] = [];
        const cleans: CleanFrame[] = [];
        const dcs: (Float64Array | null)[] = [];
        for (let f = 0; f < groundTruth.length; f++) {
          const gt = groundTruth[f];
          const det = detections[f];
          const clean = cleanData(cls, gt, det, diff, heightRule);
          cleans.push(clean);
          nGt += clean.nGt;
          let dc: Float64Array | null = null;
          if (metric === 'bbox' && clean.dontCare.length) {
            dc = new Float64Array(det.length * clean.dontCare.length);
            for (let j = 0; j < det.length; j++) {
              for (let c = 0; c < clean.dontCare.length; c++) {
                dc[j * clean.dontCare.length + c] = imageBoxOverlap(det[j].bbox, clean.dontCare[c], 0);
              }
            }
          }
          dcs.push(dc);
          const s = computeStatistics(gt, det, clean, overlaps[f], dc, minOverlap, false, 0);
          v.push(...s.v);
        }
        const thresholds = getThresholds(v, nGt);
        const tp = new Float64Array(thresholds.length);
        const fp = new Float64Array(thresholds.length);
        const fnc = new Float64Array(thresholds.length);
        for (let f = 0; f < groundTruth.length; f++) {
          for (let t = 0; t < thresholds.length; t++) {
            const s = computeStatistics(
              groundTruth[f],
              detections[f],
              cleans[f],
              overlaps[f],
              dcs[f],
              minOverlap,
              true,
              thresholds[t],
            );
            tp[t] += s.tp;
            fp[t] += s.fp;
            fnc[t] += s.fn;
          }
        }
        const precision = new Array<number>(N_SAMPLE_PTS).fill(0);
        for (let t = 0; t < thresholds.length; t++)
          precision[t] = tp[t] + fp[t] > 0 ? tp[t] / (tp[t] + fp[t]) : 0;
        for (let t = 0; t < thresholds.length; t++) {
          let m = 0;
          for (let k = t; k < N_SAMPLE_PTS; k++) m = Math.max(m, precision[k]);
          precision[t] = m;
        }
        let s11 = 0;
        for (let i = 0; i < N_SAMPLE_PTS; i += 4) s11 += precision[i];
        let s40 = 0;
        for (let i = 1; i < N_SAMPLE_PTS; i++) s40 += precision[i];
        result.ap11[diff] = (s11 / 11) * 100;
        result.ap40[diff] = (s40 / 40) * 100;
        result.precision[diff] = precision;
        result.numGroundTruth[diff] = nGt;
      }
      out[className][metric] = result;
    }
  }
  return out;
}

/** A plain-text table of an evaluation (one line per class × metric, AP|R11 and AP|R40). */
export function formatEvaluation(res: KittiEvaluation): string {
  const lines = ['class      metric  AP|R11 easy/mod/hard     AP|R40 easy/mod/hard'];
  for (const [cls, byMetric] of Object.entries(res)) {
    for (const [metric, r] of Object.entries(byMetric)) {
      if (!r) continue;
      const f = (a: number[]) => a.map((x) => x.toFixed(2).padStart(6)).join(' ');
      lines.push(`${cls.padEnd(10)} ${metric.padEnd(6)}  ${f(r.ap11)}    ${f(r.ap40)}`);
    }
  }
  return lines.join('\n');
}
