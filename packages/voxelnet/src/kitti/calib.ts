import { KittiFormatError } from '../errors';
import { readText } from './fs';

/**
 * A KITTI object `calib/*.txt` file: row-major matrices as `Float64Array`s.
 * Projection of a Velodyne point into image_2 (devkit readme): x = P2 · R0_rect · Tr_velo_to_cam · X,
 * with R0_rect and Tr_velo_to_cam padded to 4×4.
 */
export interface KittiCalib {
  /** 3×4 camera projection matrices (P2 is the left colour camera, image_2). */
  P0: Float64Array;
  P1: Float64Array;
  P2: Float64Array;
  P3: Float64Array;
  /** 3×3 rectifying rotation of the reference camera. */
  R0_rect: Float64Array;
  /** 3×4 rigid transform Velodyne → reference camera. */
  Tr_velo_to_cam: Float64Array;
  /** 3×4 rigid transform IMU → Velodyne (absent in some third-party calib files). */
  Tr_imu_to_velo?: Float64Array;
}

const SIZES: Record<string, number> = {
  P0: 12,
  P1: 12,
  P2: 12,
  P3: 12,
  R0_rect: 9,
  Tr_velo_to_cam: 12,
  Tr_imu_to_velo: 12,
};
const REQUIRED = ['P0', 'P1', 'P2', 'P3', 'R0_rect', 'Tr_velo_to_cam'] as const;

/**
 * Parses a calib file's text (`KEY: v1 v2 …` lines; unknown keys are ignored).
 * @throws KittiFormatError for a missing matrix, a wrong value count or a non-numeric value.
 */
export function parseCalib(text: string, file = 'calib'): KittiCalib {
  const found: Record<string, Float64Array> = {};
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0)
      throw new KittiFormatError(file, `expected 'KEY: values', found '${line.slice(0, 60)}'`, li + 1);
    const key = line.slice(0, colon).trim();
    const size = SIZES[key];
    if (size === undefined) continue;
    const parts = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '');
    if (parts.length !== size) {
      throw new KittiFormatError(
        file,
        `${key} needs ${size} values, found ${parts.length} (truncated file?)`,
        li + 1,
      );
    }
    const m = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      m[i] = Number(parts[i]);
      if (!Number.isFinite(m[i])) {
        throw new KittiFormatError(
          file,
          `${key} value ${i + 1} is not a finite number: '${parts[i]}'`,
          li + 1,
        );
      }
    }
    found[key] = m;
  }
  for (const k of REQUIRED) {
    if (!found[k]) {
      throw new KittiFormatError(file, `missing ${k} (needs ${REQUIRED.join(', ')}; truncated file?)`);
    }
  }
  return found as unknown as KittiCalib;
}

/** Reads a KITTI calib file (Node only); see {@link parseCalib}. */
export async function readCalib(path: string): Promise<KittiCalib> {
  return parseCalib(await readText(path), path);
}

/**
 * An idealised KITTI-like calibration (our own round numbers, not a KITTI frame's): focal length
 * 720 px, principal point (610, 173), image_2 45 px right of the reference camera, identity
 * rectification, and a Velodyne mounted 0.27 m behind and 0.08 m above the camera with the usual
 * axis swap (camera x = −velo y, y = −velo z, z = velo x). Used by the synthetic scene generator
 * and when a frame has no calib file.
 */
export function defaultCalib(): KittiCalib {
  return parseCalib(
    [
      'P0: 720 0 610 0 0 720 173 0 0 0 1 0',
      'P1: 720 0 610 -388 0 720 173 0 0 0 1 0',
      'P2: 720 0 610 45 0 720 173 0 0 0 1 0',
      'P3: 720 0 610 -340 0 720 173 0 0 0 1 0',
      'R0_rect: 1 0 0 0 1 0 0 0 1',
      'Tr_velo_to_cam: 0 -1 0 0 0 0 -1 -0.08 1 0 0 -0.27',
    ].join('\n'),
    'defaultCalib',
  );
}
