/**
 * Bad input to a public function or layer: names the argument, what was expected and what was received.
 */
export class MaectInputError extends Error {
  override name = 'MaectInputError';
  constructor(
    readonly argument: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${argument}: expected ${expected}, received ${received}`);
  }
}

/** A state dict that does not fit a model: lists every missing, mis-shaped and unexpected key. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(
    readonly missing: string[],
    readonly misshaped: { key: string; expected: number[]; received: number[] }[],
    readonly unexpected: string[],
  ) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
    if (misshaped.length)
      parts.push(
        `mis-shaped keys: ${misshaped.map((m) => `${m.key} expected [${m.expected}] received [${m.received}]`).join('; ')}`,
      );
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
    super(`state dict does not match the model: ${parts.join('; ')}`);
  }
}

/** Malformed safetensors bytes. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
