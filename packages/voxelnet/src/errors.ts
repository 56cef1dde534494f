/** Base class of every error this package throws on purpose. */
export class VoxelNetError extends Error {
  override name = 'VoxelNetError';
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v == null) return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/**
 * A function argument is invalid. The message names the argument, what was expected and what was
 * received, e.g. `voxelize: points must have a length divisible by 4 (x, y, z, r); received 10`.
 */
export class InvalidArgumentError extends VoxelNetError {
  override name = 'InvalidArgumentError';
  constructor(
    readonly where: string,
    readonly argument: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`${where}: ${argument} must be ${expected}; received ${show(received)}`);
  }
}

/** A KITTI file (velodyne .bin, label_2, calib) is truncated or malformed. */
export class KittiFormatError extends VoxelNetError {
  override name = 'KittiFormatError';
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
  }
}
