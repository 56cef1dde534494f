import type { KittiCalib } from './calib';
import { readCalib } from './calib';
import type { EvaluateOptions, KittiEvaluation } from './evaluate';
import { evaluate } from './evaluate';
import { listDir } from './fs';
import type { KittiObject } from './labels';
import { readLabels } from './labels';
import { readVelodyne } from './velodyne';

/** One KITTI training frame: points, labels (if present) and calibration. */
export interface KittiFrame {
  id: string;
  /** N×4 (x, y, z, reflectance), Velodyne frame. */
  points: Float32Array;
  labels: KittiObject[] | null;
  calib: KittiCalib;
}

/** Frame ids (file stems) of a KITTI split folder (`<root>/velodyne/*.bin`). */
export async function listFrames(root: string): Promise<string[]> {
  return (await listDir(`${root}/velodyne`)).filter((f) => f.endsWith('.bin')).map((f) => f.slice(0, -4));
}

/** Reads `<root>/{velodyne,label_2,calib}/<id>` (labels are null when label_2 has no file). */
export async function readFrame(root: string, id: string): Promise<KittiFrame> {
  const points = await readVelodyne(`${root}/velodyne/${id}.bin`);
  const calib = await readCalib(`${root}/calib/${id}.txt`);
  let labels: KittiObject[] | null = null;
  try {
    labels = await readLabels(`${root}/label_2/${id}.txt`);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
  }
  return { id, points, labels, calib };
}

/**
 * Evaluates a result folder against a label folder, as the devkit's `evaluate_object gt_dir
 * result_dir` does: every `*.txt` in `resultDir` is a frame; its ground truth is the file of the
 * same name in `labelDir`.
 */
export async function evaluateFolders(
  labelDir: string,
  resultDir: string,
  options: EvaluateOptions = {},
): Promise<KittiEvaluation> {
  const files = (await listDir(resultDir)).filter((f) => f.endsWith('.txt'));
  const gt: KittiObject[][] = [];
  const det: KittiObject[][] = [];
  for (const f of files) {
    gt.push(await readLabels(`${labelDir}/${f}`));
    det.push(await readLabels(`${resultDir}/${f}`));
  }
  return evaluate(gt, det, options);
}
