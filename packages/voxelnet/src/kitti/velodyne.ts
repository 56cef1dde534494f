import { InvalidArgumentError, KittiFormatError } from '../errors';
import { readBytes } from './fs';

/**
 * Parses a KITTI velodyne scan: an N×4 row-major little-endian float32 matrix of
 * (x, y, z, reflectance) in the Velodyne frame (x forward, y left, z up; metres) — KITTI raw-data
 * devkit readme. Returns a new `Float32Array` of length 4N.
 *
 * @throws KittiFormatError when the byte length is not a multiple of 16 (a truncated file) or a
 *   value is not finite (`allowNonFinite` skips that check).
 */
export function parseVelodyne(
  bytes: ArrayBuffer | Uint8Array,
  file = 'velodyne',
  options: { allowNonFinite?: boolean } = {},
): Float32Array {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength % 16 !== 0) {
    throw new KittiFormatError(
      file,
      `velodyne scans hold 16-byte points (4 × float32), but the file has ${u8.byteLength} bytes ` +
        `(${Math.floor(u8.byteLength / 16)} whole points + ${u8.byteLength % 16} bytes): truncated or not a .bin scan`,
    );
  }
  const out = new Float32Array(u8.byteLength / 4);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  if (!options.allowNonFinite) {
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i])) {
        throw new KittiFormatError(
          file,
          `point ${Math.floor(i / 4)} has a non-finite ${'xyzr'[i % 4]} (${out[i]})`,
        );
      }
    }
  }
  return out;
}

/** Reads a KITTI velodyne `.bin` file (Node only); see {@link parseVelodyne}. */
export async function readVelodyne(
  path: string,
  options: { allowNonFinite?: boolean } = {},
): Promise<Float32Array> {
  return parseVelodyne(await readBytes(path), path, options);
}

/** Serialises points (N×4 float32, row-major) to the velodyne `.bin` byte layout. */
export function encodeVelodyne(points: Float32Array): Uint8Array {
  if (points.length % 4 !== 0) {
    throw new InvalidArgumentError(
      'encodeVelodyne',
      'points',
      'a flat N×4 array (length divisible by 4)',
      points.length,
    );
  }
  const out = new Uint8Array(points.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < points.length; i++) view.setFloat32(i * 4, points[i], true);
  return out;
}
