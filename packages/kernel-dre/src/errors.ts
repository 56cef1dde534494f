/**
 * Bad input to a kernel-dre function: names the argument, what was expected and what was received.
 * Thrown before any work is done, never as a silent NaN.
 */
export class DREInputError extends Error {
  override name = 'DREInputError';
  constructor(
    /** The argument (or option path, e.g. `options.lambda`) that was wrong. */
    readonly argument: string,
    /** What the function accepts. */
    readonly expected: string,
    /** What it got. */
    readonly received: string,
  ) {
    super(`${argument}: expected ${expected}, received ${received}`);
  }
}

/** `predict` / coefficients were asked for before `fit`. */
export class DRENotFittedError extends Error {
  override name = 'DRENotFittedError';
  constructor(estimator: string) {
    super(`${estimator}: call fit(numerator, denominator) before predict() or reading coefficients`);
  }
}

/** A linear system that should be positive definite was not (numerically). */
export class DRENumericalError extends Error {
  override name = 'DRENumericalError';
}

/** Short description of any value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (ArrayBuffer.isView(v))
    return `${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'object') {
    const shape = (v as { shape?: unknown }).shape;
    if (Array.isArray(shape)) return `tensor of shape [${shape}]`;
    return `object with keys {${Object.keys(v as object).join(', ')}}`;
  }
  return typeof v;
}

/** Checks a positive finite number option. */
export function positive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new DREInputError(name, 'a positive finite number', describe(v));
  }
  return v;
}

/** Checks a positive integer option. */
export function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new DREInputError(name, 'a positive integer', describe(v));
  }
  return v;
}
