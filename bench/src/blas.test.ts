import { describe, expect, it } from 'vitest';
import { BLAS_FLOOR_GFLOPS, judgeReference, type ReferenceReport, refusal } from './blas';
import { referenceEnv } from './python';

/** The record of Debian's python3-torch 1.13 after `apt-get install libopenblas0-pthread` (measured here). */
function openblas(threads: number, gflops = 115): ReferenceReport {
  const t = String(threads);
  return {
    python: '/usr/bin/python3 3.11.2',
    env: { OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, OMP_NUM_THREADS: t },
    torch: { version: '1.13.0a0', blasInfo: 'generic', mkl: null, numThreads: threads, interopThreads: 2 },
    numpy: { version: '1.24.2', blas: 'libraries blas,blas' },
    probe: {
      op: 'float32 matmul 2048x2048x2048',
      gflops: { numpy: { median: 160, best: 171 }, torch: { median: gflops - 5, best: gflops } },
    },
    libraries: [
      '/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0',
      '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3',
      '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so',
    ],
    threadpools: [
      {
        user_api: 'openmp',
        internal_api: 'openmp',
        filepath: '/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0',
        version: null,
        num_threads: threads,
      },
      {
        user_api: 'blas',
        internal_api: 'openblas',
        filepath: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so',
        version: '0.3.21',
        num_threads: threads,
        threading_layer: 'pthreads',
        architecture: 'Cooperlake',
      },
    ],
  };
}

/** The same torch before OpenBLAS: libblas.so.3 is netlib's reference BLAS (the old BENCHMARKS.md run). */
function netlib(): ReferenceReport {
  const r = openblas(1, 7.6);
  r.libraries = ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3', '/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0'];
  r.threadpools = r.threadpools!.filter((p) => p.user_api !== 'blas');
  r.probe!.gflops.numpy = { median: 7.5, best: 7.9 };
  return r;
}

describe('judging the reference BLAS', () => {
  it('accepts OpenBLAS with the column thread count and a probe above the floor, and names it', () => {
    const v = judgeReference(openblas(1), 1);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.summary).toContain('OpenBLAS 0.3.21 pthreads, Cooperlake kernels, 1 thread(s)');
    expect(v.summary).toContain('torch 115 GFLOP/s');
    expect(v.summary).toContain('OPENBLAS_NUM_THREADS=1');
  });

  it('refuses the netlib reference BLAS, with what it found and the command that fixes it', () => {
    const v = judgeReference(netlib(), 1);
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toMatch(
      /reference \(netlib\) BLAS is loaded: \/usr\/lib\/x86_64-linux-gnu\/blas\/libblas.so.3/,
    );
    expect(v.problems.join('\n')).toMatch(/no optimized BLAS found/);
    expect(v.problems.join('\n')).toMatch(/torch probe reached 7.6 GFLOP\/s, under the floor/);
    const text = refusal('torch-1t', v);
    expect(text).toContain('not writing BENCHMARKS.md');
    expect(text).toContain(
      'apt-get install -y python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread',
    );
  });

  it('refuses a probe under the floor and a BLAS pool that ignores the column thread count', () => {
    expect(judgeReference(openblas(1, BLAS_FLOOR_GFLOPS - 1), 1).problems).toEqual([
      `the torch probe reached ${BLAS_FLOOR_GFLOPS - 1} GFLOP/s, under the floor of ${BLAS_FLOOR_GFLOPS} GFLOP/s`,
    ]);
    // "1 thread" PyTorch whose OpenBLAS still runs 2 threads (set_num_threads does not bind it)
    const r = openblas(1);
    r.threadpools![1].num_threads = 2;
    expect(judgeReference(r, 1).problems).toEqual([
      expect.stringMatching(/OpenBLAS 0.3.21 .* runs 2 thread\(s\), the column is 1/),
    ]);
  });

  it('accepts PyPI torch with MKL linked in (no BLAS library to see) on its BLAS_INFO and probe', () => {
    const r = openblas(1, 59);
    r.torch.blasInfo = 'mkl';
    r.torch.mkl = 'Intel(R) oneAPI Math Kernel Library Version 2024.2';
    r.libraries = [];
    r.threadpools = [];
    const v = judgeReference(r, 1);
    expect(v.ok).toBe(true);
    expect(v.summary).toContain('MKL linked into torch (Intel(R) oneAPI Math Kernel Library Version 2024.2)');
  });

  it('runs each reference process with its thread count in every BLAS variable and OpenBLAS picking its kernels', () => {
    const env = referenceEnv(2, { OPENBLAS_CORETYPE: 'Haswell', OMP_NUM_THREADS: '8', PATH: '/bin' });
    expect(env).toEqual({
      OPENBLAS_NUM_THREADS: '2',
      MKL_NUM_THREADS: '2',
      OMP_NUM_THREADS: '2',
      PATH: '/bin',
    });
    expect(
      referenceEnv(1, { OPENBLAS_CORETYPE: 'Haswell', PAPERSTACK_KEEP_OPENBLAS_CORETYPE: '1' })
        .OPENBLAS_CORETYPE,
    ).toBe('Haswell');
  });
});
