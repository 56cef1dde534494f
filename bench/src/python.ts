import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TorchSpec } from './cases';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'python', 'torch_cases.py');
/** Debian's interpreter, where python3-torch lives; `PAPERSTACK_PYTHON` overrides. */
export const PYTHON = process.env.PAPERSTACK_PYTHON ?? '/usr/bin/python3';

export interface TorchRun {
  /** PyTorch version, or why it is unavailable. */
  torch: string;
  available: boolean;
  /** id → threads ("1" | "2") → median ms. */
  results: Record<string, Record<string, number>>;
  errors: Record<string, string>;
}

/** Runs the PyTorch counterparts in one child process; never throws (no torch → available: false). */
export function runTorch(
  cases: { id: string; torch: TorchSpec }[],
  opts: { budgetS: number; minIters: number; threads: number[]; singleShotS?: number; python?: string },
): TorchRun {
  const python = opts.python ?? PYTHON;
  const spec = {
    threads: opts.threads,
    budget_s: opts.budgetS,
    min_iters: opts.minIters,
    ...(opts.singleShotS !== undefined ? { single_shot_s: opts.singleShotS } : {}),
    cases: cases.map((c) => ({ id: c.id, kind: c.torch.kind, params: c.torch.params })),
  };
  const child = spawnSync(python, [SCRIPT], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: String(Math.max(...opts.threads)) },
  });
  const none = (why: string): TorchRun => ({
    torch: `n/a (${why})`,
    available: false,
    results: {},
    errors: {},
  });
  if (child.error) return none(`${python}: ${child.error.message}`);
  if (child.status !== 0)
    return none(`${PYTHON} exited ${child.status}: ${child.stderr.trim().split('\n').pop()}`);
  try {
    const out = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
    if (out.error) return none(out.error);
    return { torch: out.torch, available: true, results: out.results, errors: out.errors };
  } catch (err) {
    return none(`unreadable output: ${String(err)}`);
  }
}
