/**
 * Bad input to a public function of this package. `argument` names the offending argument,
 * `expected` and `received` describe the shape or value that was wanted and the one that came.
 */
export class NnclrInputError extends Error {
  override name = 'NnclrInputError';
  constructor(
    readonly where: string,
    readonly argument: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${where}: ${argument} must be ${expected}, received ${received}`);
  }
}

/** A shape as `[a,b]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function assertPositiveInt(where: string, argument: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new NnclrInputError(where, argument, `an integer >= ${min}`, String(v));
  }
  return v;
}

export function assertPositiveNumber(where: string, argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new NnclrInputError(where, argument, 'a finite number > 0', String(v));
  }
  return v;
}

export function assertInRange(where: string, argument: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new NnclrInputError(where, argument, `a number in [${lo}, ${hi}]`, String(v));
  }
  return v;
}
