import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReferenceReport } from './blas';
import type { TorchSpec } from './cases';

const PYTHON_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'python');
const SCRIPT = join(PYTHON_DIR, 'torch_cases.py');
/** bench/python/blas_env.py: the BLAS record and probe every reference script prints. */
export const BLAS_ENV_PY = join(PYTHON_DIR, 'blas_env.py');
/** Debian's interpreter, where python3-torch lives; `PAPERSTACK_PYTHON` overrides. */
export const PYTHON = process.env.PAPERSTACK_PYTHON ?? '/usr/bin/python3';

/**
 * The environment of a reference (PyTorch / NumPy) process that runs on `threads` threads:
 * OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and OMP_NUM_THREADS set to it (torch.set_num_threads alone
 * does not bind OpenBLAS-pthread's own pool; OpenBLAS otherwise obeys OMP_NUM_THREADS), and
 * OPENBLAS_CORETYPE removed, so that OpenBLAS picks the kernels for the CPU it finds. The machines
 * of this project export OPENBLAS_CORETYPE=Haswell, which halves OpenBLAS's float32 GEMM on their
 * AVX-512 CPUs (bench/NOTES.md); `PAPERSTACK_KEEP_OPENBLAS_CORETYPE=1` keeps it.
 */
export function referenceEnv(threads: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (base.PAPERSTACK_KEEP_OPENBLAS_CORETYPE !== '1') delete env.OPENBLAS_CORETYPE;
  const t = String(threads);
  env.OPENBLAS_NUM_THREADS = t;
  env.MKL_NUM_THREADS = t;
  env.OMP_NUM_THREADS = t;
  return env;
}

/** The thread variables of {@link referenceEnv}, as recorded in the results. */
export const REFERENCE_THREAD_VARS = ['OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'OMP_NUM_THREADS'] as const;

export interface TorchRun {
  /** PyTorch version, or why it is unavailable. */
  torch: string;
  available: boolean;
  /** id → threads ("1" | "2") → median ms. */
  results: Record<string, Record<string, number>>;
  errors: Record<string, string>;
  /** threads ("1" | "2") → what BLAS that process ran on (bench/python/blas_env.py). */
  reference: Record<string, ReferenceReport>;
}

/**
 * Runs the PyTorch counterparts, one child process per thread count (each with
 * {@link referenceEnv}); never throws (no torch → available: false).
 */
export function runTorch(
  cases: { id: string; torch: TorchSpec }[],
  opts: {
    budgetS: number;
    minIters: number;
    threads: number[];
    singleShotS?: number;
    python?: string;
    probe?: boolean;
  },
): TorchRun {
  const python = opts.python ?? PYTHON;
  const none = (why: string): TorchRun => ({
    torch: `n/a (${why})`,
    available: false,
    results: {},
    errors: {},
    reference: {},
  });
  if (cases.length === 0) return none('no PyTorch cases in this run');
  const run: TorchRun = { torch: '', available: true, results: {}, errors: {}, reference: {} };
  for (const threads of opts.threads) {
    const spec = {
      threads: [threads],
      budget_s: opts.budgetS,
      min_iters: opts.minIters,
      probe: opts.probe ?? true,
      ...(opts.singleShotS !== undefined ? { single_shot_s: opts.singleShotS } : {}),
      cases: cases.map((c) => ({ id: c.id, kind: c.torch.kind, params: c.torch.params })),
    };
    const child = spawnSync(python, [SCRIPT], {
      input: JSON.stringify(spec),
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      env: referenceEnv(threads),
    });
    if (child.error) return none(`${python}: ${child.error.message}`);
    if (child.status !== 0)
      return none(`${python} exited ${child.status}: ${child.stderr.trim().split('\n').pop()}`);
    let out: {
      error?: string;
      torch: string;
      reference: ReferenceReport;
      results: Record<string, Record<string, number>>;
      errors: Record<string, string>;
    };
    try {
      out = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
    } catch (err) {
      return none(`unreadable output: ${String(err)}`);
    }
    if (out.error) return none(out.error);
    run.torch = out.torch;
    run.reference[String(threads)] = out.reference;
    for (const [id, byThreads] of Object.entries(out.results)) {
      run.results[id] = { ...run.results[id], ...byThreads };
    }
    for (const [id, e] of Object.entries(out.errors)) run.errors[id] ??= e;
  }
  return run;
}

/**
 * bench/python/blas_env.py alone (no cases) under {@link referenceEnv}: for the packages' own
 * benchmark scripts and `--check-blas`. Throws when the interpreter cannot run it.
 */
export function probeReference(threads: number, python = PYTHON): ReferenceReport {
  const child = spawnSync(python, [BLAS_ENV_PY, String(threads)], {
    encoding: 'utf8',
    env: referenceEnv(threads),
  });
  if (child.error) throw child.error;
  if (child.status !== 0)
    throw new Error(`${python} ${BLAS_ENV_PY} exited ${child.status}: ${child.stderr.trim()}`);
  return JSON.parse(child.stdout) as ReferenceReport;
}
