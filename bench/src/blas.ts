/**
 * Judging the BLAS a reference (PyTorch / NumPy) run used, from the record bench/python/blas_env.py
 * prints (issue 20). Pure functions, unit-tested: a run on a reference (netlib) BLAS, on a BLAS whose
 * thread pool does not match the column, or whose probe is under the floor, may not write BENCHMARKS.md.
 */

/** What bench/python/blas_env.py `report()` returns (one Python process, one thread count). */
export interface ReferenceReport {
  python: string;
  env: Record<string, string>;
  torch: {
    version?: string;
    file?: string;
    blasInfo?: string;
    mkl?: string | null;
    numThreads?: number;
    interopThreads?: number;
    error?: string;
  };
  numpy: { version?: string; file?: string; blas?: string; error?: string };
  probe?: { op: string; gflops: Record<string, { median: number; best: number } | { error: string }> };
  libraries: string[];
  threadpools:
    | {
        user_api: string;
        internal_api: string;
        filepath: string;
        version: string | null;
        num_threads: number;
        threading_layer?: string;
        architecture?: string;
      }[]
    | null;
}

/**
 * Lowest acceptable float32 GEMM rate of the probe (2048³, best of 5) per process, GFLOP/s. Measured
 * on the project's 2-vCPU AMD EPYC (AVX-512): OpenBLAS 0.3.21 one thread 115–180 (90 with its kernels
 * forced to Haswell); netlib's reference BLAS is an order of magnitude below the floor.
 */
export const BLAS_FLOOR_GFLOPS = 40;

/** The one command that gives Debian's PyTorch and NumPy an optimized BLAS (bench/NOTES.md). */
export const BLAS_FIX =
  'apt-get install -y python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread ' +
  "(Debian's alternatives then point libblas.so.3 at OpenBLAS; check with " +
  '`update-alternatives --display libblas.so.3-x86_64-linux-gnu`)';

export interface BlasVerdict {
  ok: boolean;
  /** One line for the table header: torch, its BLAS, numpy's, the probe. */
  summary: string;
  /** Why the run may not write BENCHMARKS.md (empty when ok). */
  problems: string[];
}

const NETLIB = /\/(blas|lapack)\/lib(c?blas|lapack)\.so/;

function blasPools(r: ReferenceReport) {
  return (r.threadpools ?? []).filter((p) => p.user_api === 'blas');
}

function describePool(p: NonNullable<ReferenceReport['threadpools']>[number]): string {
  const name = { openblas: 'OpenBLAS', mkl: 'MKL', blis: 'BLIS' }[p.internal_api] ?? p.internal_api;
  const arch = p.architecture ? `, ${p.architecture} kernels` : '';
  const layer = p.threading_layer ? ` ${p.threading_layer}` : '';
  return `${name} ${p.version ?? '?'}${layer}${arch}, ${p.num_threads} thread(s) (${p.filepath})`;
}

function probeText(r: ReferenceReport): string {
  const g = r.probe?.gflops ?? {};
  const one = (k: string) => {
    const v = g[k];
    if (v === undefined) return undefined;
    return 'error' in v ? `${k} error` : `${k} ${v.best} GFLOP/s (median ${v.median})`;
  };
  const parts = ['torch', 'numpy'].map(one).filter((x) => x !== undefined);
  return parts.length ? `probe ${r.probe!.op}, best of 5: ${parts.join(', ')}` : 'no probe';
}

/**
 * Whether `r` (a process that was meant to run on `threads` threads) used an optimized BLAS with
 * that many threads and reached the floor.
 */
export function judgeReference(r: ReferenceReport, threads: number, floor = BLAS_FLOOR_GFLOPS): BlasVerdict {
  const problems: string[] = [];
  const reference = r.libraries.filter((l) => NETLIB.test(l));
  if (reference.length) problems.push(`the reference (netlib) BLAS is loaded: ${reference.join(', ')}`);
  const pools = blasPools(r);
  const torchMkl = r.torch.blasInfo === 'mkl';
  if (pools.length === 0 && !torchMkl)
    problems.push(
      `no optimized BLAS found (torch BLAS_INFO=${r.torch.blasInfo ?? 'n/a'}; threadpoolctl saw ${r.threadpools === null ? 'nothing: not installed' : 'no BLAS'})`,
    );
  for (const p of pools)
    if (p.num_threads !== threads)
      problems.push(`${describePool(p)} runs ${p.num_threads} thread(s), the column is ${threads}`);
  if (r.torch.numThreads !== undefined && r.torch.numThreads !== threads)
    problems.push(`torch.get_num_threads() is ${r.torch.numThreads}, the column is ${threads}`);
  for (const [lib, v] of Object.entries(r.probe?.gflops ?? {})) {
    if ('error' in v) problems.push(`the ${lib} probe failed: ${v.error}`);
    else if (v.best < floor)
      problems.push(`the ${lib} probe reached ${v.best} GFLOP/s, under the floor of ${floor} GFLOP/s`);
  }
  if (!r.probe) problems.push('no GFLOP/s probe was run');
  const torchBlas = torchMkl
    ? `MKL linked into torch (${r.torch.mkl ?? 'BLAS_INFO=mkl'})`
    : pools.length
      ? `BLAS_INFO=${r.torch.blasInfo} at build time; loaded: ${pools.map(describePool).join('; ')}`
      : `BLAS_INFO=${r.torch.blasInfo}`;
  const numpyBlas = r.numpy.error
    ? `NumPy n/a (${r.numpy.error})`
    : `NumPy ${r.numpy.version} (build: ${r.numpy.blas})`;
  const torchText = r.torch.error
    ? `${r.python}, PyTorch ${r.torch.error}`
    : `PyTorch ${r.torch.version ?? 'n/a'} (${r.python}) — ${torchBlas}`;
  const summary =
    `${torchText}; ${numpyBlas}; ` +
    `${probeText(r)}; env ${Object.entries(r.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`;
  return { ok: problems.length === 0, summary, problems };
}

/** The refusal printed instead of writing BENCHMARKS.md. */
export function refusal(column: string, verdict: BlasVerdict): string {
  return [
    `bench: not writing BENCHMARKS.md: the reference of column ${column} does not qualify:`,
    ...verdict.problems.map((p) => `  - ${p}`),
    `  found: ${verdict.summary}`,
    `  fix: ${BLAS_FIX}; or run a Python with PyPI's torch: PAPERSTACK_PYTHON=/path/to/venv/bin/python3 (bench/NOTES.md).`,
    '  The results file is written all the same (bench/results/); BENCHMARKS.md is left as it is.',
  ].join('\n');
}
