// Which pipelines a demo run executes (`--only`, `--full`).
import type { Pipeline } from './report/types';

/** `--only hopfield` selects every `hopfield-*` pipeline; an exact name selects that one. */
export const matchesOnly = (only: string, name: string): boolean =>
  name === only || name.startsWith(`${only}-`);

/**
 * The pipelines to run, in order: those `only` selects (all when empty), without the `fullOnly`
 * ones unless `full` is set or `only` names one exactly.
 */
export function selectPipelines<P extends Pick<Pipeline, 'name' | 'fullOnly'>>(
  pipelines: readonly P[],
  only: readonly string[] | undefined,
  full: boolean,
): P[] {
  const picked = only?.length ? pipelines.filter((p) => only.some((o) => matchesOnly(o, p.name))) : pipelines;
  return picked.filter((p) => full || !p.fullOnly || only?.includes(p.name));
}
