// What the command lines of the DRE examples (this one and examples/dre-ensembling) share.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Preset } from '@paperstack/example-kit';
import type { OnProgress } from './report';

/** The value of option `--name` as a positive integer (throws, naming the option, otherwise). */
export function intOption(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} expects a positive integer, received '${v}'`);
  return n;
}

/** The value of `--preset` as a {@link Preset} (throws otherwise). */
export function presetOption(v: string | undefined): Preset {
  if (v !== 'quick' && v !== 'full') throw new Error(`--preset expects quick|full, received '${v}'`);
  return v;
}

/** `out`, or the `results/` folder of the example whose `src/main.ts` has URL `mainUrl`; created. */
export function resultsDir(out: string | undefined, mainUrl: string): string {
  const dir = out ?? join(dirname(fileURLToPath(mainUrl)), '..', 'results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Prints each progress report as one line. */
export const printProgress: OnProgress = (p) =>
  console.log(`[${p.stage} ${p.step}/${p.total}] ${p.info ? JSON.stringify(p.info) : ''}`);
