// Localisation diagnostic, independent of the KITTI ranking (used by localisation.ts and by
// runPatchRefinementExperiment): on held-out synthetic scenes,
// (a) RPN proposals: for every proposal matched to a ground-truth car (BEV IoU ≥ 0.3), its 3D IoU
//     before and after LRN refinement;
// (b) oracle-jittered proposals (ground truth moved by N(0, 0.4 m) and turned by U(±π/8), as in
//     LRN training, with the anchor's size and height): 3D IoU before and after refinement — the
//     LRN alone, without RPN errors beyond the simulated ones.
import {
  boxesFromCanonical,
  frameOf,
  type LocalRefinementNetwork,
  PatchExtractor,
  patchPoints,
} from '@paperstack/patch-refinement';
import { bevIoU, iou3d, Random, type Scene, type VoxelNet } from '@paperstack/voxelnet';

/** 3D IoUs of one kind of proposal with their cars, summarised. */
export interface IoUSummary {
  n: number;
  mean: number;
  /** Share with 3D IoU ≥ 0.5 and ≥ 0.7. */
  atLeast05: number;
  atLeast07: number;
}

/** Result of {@link localisationStudy}: 3D IoU before → after refinement. */
export interface LocalisationStudy {
  rpnProposals: { before: IoUSummary; after: IoUSummary };
  oracleJitter: { before: IoUSummary; after: IoUSummary };
}

const summary = (a: number[]): IoUSummary => ({
  n: a.length,
  mean: a.reduce((x, y) => x + y, 0) / Math.max(1, a.length),
  atLeast05: a.filter((x) => x >= 0.5).length / Math.max(1, a.length),
  atLeast07: a.filter((x) => x >= 0.7).length / Math.max(1, a.length),
});

/** Measures how the LRN moves RPN proposals and jittered ground truth towards their cars (see the file comment). */
export async function localisationStudy(
  rpn: VoxelNet,
  lrn: LocalRefinementNetwork,
  scenes: readonly Scene[],
  options: { seed?: number } = {},
): Promise<LocalisationStudy> {
  const ex = new PatchExtractor({ size: lrn.config.patchSize, zRange: lrn.config.zRange });
  const rng = new Random(options.seed ?? 123);
  const stats = {
    rpn: { before: [] as number[], after: [] as number[] },
    oracle: { before: [] as number[], after: [] as number[] },
  };
  async function refineAll(points: Float32Array, proposals: Float32Array | Float64Array) {
    const patches = ex.extract(points, proposals);
    const list = Array.from({ length: patches.numPatches }, (_, i) => patchPoints(patches, i));
    const ref = await lrn.refine(list);
    return ref.map((x, i) => ({
      box: boxesFromCanonical(x.box, frameOf(proposals, i)),
      empty: list[i].length === 0,
    }));
  }
  for (const scene of scenes) {
    const gt = scene.boxes;
    const M = gt.length / 7;
    if (M === 0) continue;
    const props = await rpn.detect(scene.points, { scoreThreshold: 0.1, nmsIoU: 0.5, maxDetections: 50 });
    const P = props.scores.length;
    if (P > 0) {
      const refined = await refineAll(scene.points, props.boxes);
      const bev = bevIoU(props.boxes, gt);
      for (let i = 0; i < P; i++) {
        let j = 0;
        for (let k = 1; k < M; k++) if (bev[i * M + k] > bev[i * M + j]) j = k;
        if (bev[i * M + j] < 0.3 || refined[i].empty) continue;
        const g = gt.subarray(j * 7, j * 7 + 7);
        stats.rpn.before.push(iou3d(props.boxes.subarray(i * 7, i * 7 + 7), g)[0]);
        stats.rpn.after.push(iou3d(refined[i].box, g)[0]);
      }
    }
    const jittered = new Float64Array(gt.length);
    for (let j = 0; j < M; j++) {
      jittered.set(gt.subarray(j * 7, j * 7 + 7), j * 7);
      jittered[j * 7] += rng.normal(0, 0.4);
      jittered[j * 7 + 1] += rng.normal(0, 0.4);
      jittered[j * 7 + 2] = -1.0; // the RPN anchor height
      jittered[j * 7 + 3] = 3.9; // anchor size: the proposal knows nothing of the car's extent
      jittered[j * 7 + 4] = 1.6;
      jittered[j * 7 + 5] = 1.56;
      jittered[j * 7 + 6] += rng.uniform(-Math.PI / 8, Math.PI / 8);
    }
    const refined = await refineAll(scene.points, jittered);
    for (let j = 0; j < M; j++) {
      const g = gt.subarray(j * 7, j * 7 + 7);
      stats.oracle.before.push(iou3d(jittered.subarray(j * 7, j * 7 + 7), g)[0]);
      stats.oracle.after.push(iou3d(refined[j].box, g)[0]);
    }
  }
  return {
    rpnProposals: { before: summary(stats.rpn.before), after: summary(stats.rpn.after) },
    oracleJitter: { before: summary(stats.oracle.before), after: summary(stats.oracle.after) },
  };
}
