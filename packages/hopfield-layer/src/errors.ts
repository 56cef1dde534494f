/**
 * Bad input to a Hopfield function or layer: the message names the argument, what was expected
 * and what was received.
 */
export class HopfieldError extends Error {
  override name = 'HopfieldError';
}

/** Shape as text for error messages: `[2,5,8]`. */
export function fmtShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d == null ? 'null' : String(d))).join(',')}]`;
}

export function checkPositiveFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HopfieldError(`${name}: expected a finite number > 0, received ${String(value)}`);
  }
}

export function checkPositiveInt(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new HopfieldError(`${name}: expected an integer > 0, received ${String(value)}`);
  }
}

/**
 * A per-head option: one value for every head or exactly one per head. Returns one value per head.
 */
export function perHead<T>(name: string, value: T | readonly T[], numHeads: number): T[] {
  if (Array.isArray(value)) {
    if (value.length !== numHeads) {
      throw new HopfieldError(
        `${name}: expected one value or ${numHeads} (one per head), received ${value.length} values`,
      );
    }
    return [...value];
  }
  return new Array<T>(numHeads).fill(value as T);
}
