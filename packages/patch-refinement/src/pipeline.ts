// The two-stage detector (Patch Refinement §3, Fig. 1): scene → RPN (a VoxelNet bird's-eye-view
// detector, run with a low score threshold and a loose NMS for recall) → proposals → canonical
// patches → Local Refinement Network → refined boxes back in the LiDAR frame → rotated NMS →
// KITTI result objects. Each stage's wall time is measured.
import {
  type Detections,
  InvalidArgumentError,
  kitti,
  rotatedNms,
  type VoxelNet,
} from '@paperstack/voxelnet';
import { boxesFromCanonical, frameOf } from './canonical';
import type { LocalRefinementNetwork } from './lrn';
import { PatchExtractor, patchPoints } from './patch';

type KittiCalib = kitti.KittiCalib;
type KittiObject = kitti.KittiObject;
type KittiEvaluation = kitti.KittiEvaluation;
type EvaluateOptions = kitti.EvaluateOptions;

/** Options of {@link PatchRefinementDetector}. Defaults documented per field. */
export interface PipelineOptions {
  /** RPN proposals: minimum RPN score. Default 0.1 (recall first: the LRN rescoring removes false proposals). */
  proposalScoreThreshold?: number;
  /** RPN proposals: NMS BEV IoU. Default 0.5 (loose: near-duplicate proposals may refine to different boxes). */
  proposalNmsIoU?: number;
  /** RPN proposals: at most this many. Default 50. */
  maxProposals?: number;
  /** Final: minimum score. Default 0.05. */
  scoreThreshold?: number;
  /** Final: rotated BEV NMS IoU. Default 0.1 (voxelnet's detect default; cars do not overlap). */
  nmsIoU?: number;
  /** Final: at most this many detections. Default 100. */
  maxDetections?: number;
  /** Final score: the LRN confidence (`'lrn'`, default) or the product with the RPN score (`'product'`). */
  score?: 'lrn' | 'product';
  /** Patches per LRN batch. Default 16. */
  batchSize?: number;
}

/** A pipeline stage, as reported to `onProgress`. */
export type PipelineStage = 'rpn' | 'patches' | 'lrn' | 'nms';

/** Wall time per stage of one frame, milliseconds. */
export interface StageTimes {
  rpn: number;
  patches: number;
  lrn: number;
  nms: number;
}

/** Result of {@link PatchRefinementDetector.detect}: LiDAR boxes (N×7) and scores, best first. */
export interface RefinedDetections extends Detections {
  /** The RPN proposals the refinement started from. */
  proposals: Detections;
  times: StageTimes;
}

/**
 * RPN + LRN. The RPN is any voxelnet `VoxelNet` (its `detect` gives the BEV proposals); the LRN's
 * patch size and z slab define the patch extractor.
 *
 * @example
 * const detector = new PatchRefinementDetector(rpn, lrn);
 * const { boxes, scores } = await detector.detect(points); // points N×4, LiDAR frame
 */
export class PatchRefinementDetector {
  readonly rpn: VoxelNet;
  readonly lrn: LocalRefinementNetwork;
  readonly extractor: PatchExtractor;
  readonly options: Required<PipelineOptions>;

  constructor(rpn: VoxelNet, lrn: LocalRefinementNetwork, options: PipelineOptions = {}) {
    this.rpn = rpn;
    this.lrn = lrn;
    this.extractor = new PatchExtractor({ size: lrn.config.patchSize, zRange: lrn.config.zRange });
    this.options = {
      proposalScoreThreshold: 0.1,
      proposalNmsIoU: 0.5,
      maxProposals: 50,
      scoreThreshold: 0.05,
      nmsIoU: 0.1,
      maxDetections: 100,
      score: 'lrn',
      batchSize: 16,
      ...options,
    };
    const o = this.options;
    if (!(Number.isInteger(o.maxProposals) && o.maxProposals >= 0)) {
      throw new InvalidArgumentError(
        'PatchRefinementDetector',
        'options.maxProposals',
        'a non-negative integer',
        o.maxProposals,
      );
    }
    if (o.score !== 'lrn' && o.score !== 'product') {
      throw new InvalidArgumentError(
        'PatchRefinementDetector',
        'options.score',
        "'lrn' or 'product'",
        o.score,
      );
    }
  }

  /**
   * Detects objects in one cloud (flat N×4 float32, LiDAR frame). An empty cloud, a cloud with no
   * point in the RPN's range, no proposals or only empty patches give no detections.
   */
  async detect(
    points: Float32Array,
    options: { onProgress?: (stage: PipelineStage, times: Partial<StageTimes>) => void } = {},
  ): Promise<RefinedDetections> {
    if (!(points instanceof Float32Array) || points.length % 4 !== 0) {
      throw new InvalidArgumentError(
        'PatchRefinementDetector.detect',
        'points',
        'a Float32Array N×4',
        points instanceof Float32Array ? `length ${points.length}` : Object.prototype.toString.call(points),
      );
    }
    const o = this.options;
    const times: StageTimes = { rpn: 0, patches: 0, lrn: 0, nms: 0 };
    const none = (proposals: Detections): RefinedDetections => ({
      boxes: new Float32Array(0),
      scores: new Float32Array(0),
      proposals,
      times,
    });
    let t = performance.now();
    const proposals =
      points.length === 0
        ? { boxes: new Float32Array(0), scores: new Float32Array(0) }
        : await this.rpn.detect(points, {
            scoreThreshold: o.proposalScoreThreshold,
            nmsIoU: o.proposalNmsIoU,
            maxDetections: o.maxProposals,
          });
    times.rpn = performance.now() - t;
    options.onProgress?.('rpn', { ...times });
    const P = proposals.scores.length;
    if (P === 0) return none(proposals);
    t = performance.now();
    const patches = this.extractor.extract(points, proposals.boxes);
    const list = Array.from({ length: P }, (_, i) => patchPoints(patches, i));
    times.patches = performance.now() - t;
    options.onProgress?.('patches', { ...times });
    t = performance.now();
    const refined = await this.lrn.refine(list, { batchSize: o.batchSize });
    const boxes: number[] = [];
    const scores: number[] = [];
    refined.forEach((r, i) => {
      if (r.empty) return; // an empty patch: nothing to refine
      const s = o.score === 'product' ? r.score * proposals.scores[i] : r.score;
      if (s < o.scoreThreshold) return;
      boxes.push(...boxesFromCanonical(r.box, frameOf(proposals.boxes, i)));
      scores.push(s);
    });
    times.lrn = performance.now() - t;
    options.onProgress?.('lrn', { ...times });
    t = performance.now();
    const keep = rotatedNms(boxes, scores, { iouThreshold: o.nmsIoU, maxOutput: o.maxDetections });
    const outBoxes = new Float32Array(keep.length * 7);
    const outScores = new Float32Array(keep.length);
    keep.forEach((k, j) => {
      for (let c = 0; c < 7; c++) outBoxes[j * 7 + c] = boxes[k * 7 + c];
      outScores[j] = scores[k];
    });
    times.nms = performance.now() - t;
    options.onProgress?.('nms', { ...times });
    return { boxes: outBoxes, scores: outScores, proposals, times };
  }

  /** {@link detect}, written as KITTI result objects through `calib` (for `kitti.writeResults` / `kitti.evaluate`). */
  async detectKitti(points: Float32Array, calib: KittiCalib): Promise<KittiObject[]> {
    const d = await this.detect(points);
    return kitti.lidarBoxesToObjects(d.boxes, d.scores, calib);
  }
}

/** A frame to evaluate on: points, KITTI labels (camera frame) and calibration. */
export interface PipelineFrame {
  points: Float32Array;
  labels: KittiObject[];
  calib: KittiCalib;
}

/** Progress of {@link evaluatePipeline}, after every frame. */
export interface EvaluationProgress {
  frame: number;
  frames: number;
  elapsedMs: number;
}

/** Result of {@link evaluatePipeline}. */
export interface PipelineEvaluation {
  /** KITTI metric of the refined detections (RPN + LRN). */
  refined: KittiEvaluation;
  /** KITTI metric of the RPN alone on the same frames (its own `detect` with `rpnDetect` options). */
  rpn: KittiEvaluation;
  /** Mean stage times per frame (ms); `rpnAlone` is the RPN-only detection time. */
  times: StageTimes & { rpnAlone: number };
  refinedDetections: KittiObject[][];
  rpnDetections: KittiObject[][];
}

/**
 * Runs the pipeline and the RPN alone on every frame and evaluates both with voxelnet's KITTI
 * metric — the comparison of the paper's claim (local refinement improves 3D localisation).
 */
export async function evaluatePipeline(
  detector: PatchRefinementDetector,
  frames: readonly PipelineFrame[],
  options: {
    /** RPN-alone detection options. Default score ≥ 0.05, NMS 0.1, 100 boxes. */
    rpnDetect?: { scoreThreshold?: number; nmsIoU?: number; maxDetections?: number };
    evaluate?: EvaluateOptions;
    onProgress?: (p: EvaluationProgress) => void;
  } = {},
): Promise<PipelineEvaluation> {
  if (frames.length === 0)
    throw new InvalidArgumentError('evaluatePipeline', 'frames', 'at least one frame', 0);
  const refinedDetections: KittiObject[][] = [];
  const rpnDetections: KittiObject[][] = [];
  const times = { rpn: 0, patches: 0, lrn: 0, nms: 0, rpnAlone: 0 };
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    const d = await detector.detect(f.points);
    for (const k of ['rpn', 'patches', 'lrn', 'nms'] as const) times[k] += d.times[k] / frames.length;
    refinedDetections.push(kitti.lidarBoxesToObjects(d.boxes, d.scores, f.calib));
    const t = performance.now();
    const r =
      f.points.length === 0
        ? { boxes: new Float32Array(0), scores: new Float32Array(0) }
        : await detector.rpn.detect(f.points, {
            scoreThreshold: 0.05,
            nmsIoU: 0.1,
            maxDetections: 100,
            ...options.rpnDetect,
          });
    times.rpnAlone += (performance.now() - t) / frames.length;
    rpnDetections.push(kitti.lidarBoxesToObjects(r.boxes, r.scores, f.calib));
    options.onProgress?.({ frame: i + 1, frames: frames.length, elapsedMs: performance.now() - t0 });
  }
  const labels = frames.map((f) => f.labels);
  return {
    refined: kitti.evaluate(labels, refinedDetections, options.evaluate),
    rpn: kitti.evaluate(labels, rpnDetections, options.evaluate),
    times,
    refinedDetections,
    rpnDetections,
  };
}
