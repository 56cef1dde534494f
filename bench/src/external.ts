/**
 * `pnpm bench -- --external kernel-dre,voxelizer [--quick]`: the packages' own comparisons with a
 * Python reference, run the same way as the main table (issue 20): ours and the reference in one run,
 * the reference process with OPENBLAS/MKL/OMP_NUM_THREADS set to its thread count
 * ({@link referenceEnv}), its BLAS record judged by bench/src/blas.ts. Each writes
 * bench/results/<date>-<name>.json in the results format (cells named after the implementation), which
 * README markers can cite: `<!--bench:bench/results/<file>#<case>:<num>/<den>-->`.
 *
 * - kernel-dre: packages/kernel-dre/bench/sweep.ts (ours, one thread) vs sweep_reference.py
 *   (lugruber/dre_iter_reg `IteratedKulsif` looped as its GridSearchCV, densratio_py `densratio`).
 * - voxelizer: packages/voxelnet/scripts/bench.ts (ours) vs voxelize_reference.py (numpy port and
 *   second.pytorch's numba `points_to_voxel`) on a real KITTI scan.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeReference, type ReferenceReport } from './blas';
import { PYTHON, referenceEnv } from './python';
import type { Cell, ReferenceMeta, RunResults } from './report';

type Cells = Record<string, Cell>;
interface ExternalCase {
  id: string;
  name: string;
  group: string;
  cells: Cells;
}

const load = () => loadavg().map((x) => Number(x.toFixed(2)));
const iso = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '');
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  return r.stdout;
}

/** A Python with numba for the voxelizer reference: `PAPERSTACK_NUMBA_PYTHON`, else bench/.venv-torch, else {@link PYTHON}. */
function numbaPython(benchDir: string): string {
  if (process.env.PAPERSTACK_NUMBA_PYTHON) return process.env.PAPERSTACK_NUMBA_PYTHON;
  const venv = join(benchDir, '.venv-torch', 'bin', 'python3');
  return existsSync(venv) ? venv : PYTHON;
}

/**
 * A directory holding `subdir` of `repo`, as bench/python/reference.py finds it: the checkout named
 * by env `PAPERSTACK_REF_<OWNER>_<NAME>`, else an export of the bare mirror
 * (`$PAPERSTACK_MIRROR`, default /work/.mirror) at HEAD into a temporary directory, removed by the caller.
 */
function referencePath(repo: string, subdir: string, cleanup: string[]): string {
  const env = `PAPERSTACK_REF_${repo.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  const checkout = process.env[env];
  if (checkout) return checkout;
  const mirror = join(process.env.PAPERSTACK_MIRROR ?? '/work/.mirror', repo.replace('/', '+'), 'repo');
  if (!existsSync(mirror)) throw new Error(`reference ${repo} not available (set ${env} to a checkout)`);
  const out = mkdtempSync(join(tmpdir(), 'paperstack-ref-'));
  cleanup.push(out);
  const archive = spawnSync('git', ['--git-dir', mirror, 'archive', 'HEAD', subdir], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${repo} ${subdir}: ${archive.stderr}`);
  const tar = spawnSync('tar', ['-x', '-C', out], { input: archive.stdout });
  if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
  return out;
}

function kernelDre(repoRoot: string, quick: boolean, threads: number, log: (s: string) => void) {
  const n = quick ? 300 : 1000;
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  log(`kernel-dre: ours (sweep.ts --n ${n} --ulsif) …`);
  const ours = lastJson(
    run(tsx, ['bench/sweep.ts', '--n', String(n), '--ulsif'], join(repoRoot, 'packages', 'kernel-dre')),
  );
  log(`  ${JSON.stringify(ours)}`);
  const cleanup: string[] = [];
  const dre = referencePath('lugruber/dre_iter_reg', 'Exp_Kanamori', cleanup);
  const densratio = referencePath('hoxo-m/densratio_py', 'densratio', cleanup);
  log(`kernel-dre: reference (${PYTHON}, ${threads} thread(s)) …`);
  const ref = lastJson(
    run(
      PYTHON,
      [
        'packages/kernel-dre/bench/sweep_reference.py',
        '--dre-iter-reg',
        dre,
        '--densratio',
        densratio,
        '--n',
        String(n),
        '--threads',
        String(threads),
      ],
      repoRoot,
      referenceEnv(threads),
    ),
  );
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  const { reference, ...rest } = ref;
  log(`  ${JSON.stringify(rest)}`);
  const refCol = `reference-${threads}t`;
  const cell = (s: unknown): Cell =>
    typeof s === 'number' ? { ms: s * 1000, iterations: 1 } : { error: 'not measured' };
  const cases: ExternalCase[] = [
    {
      id: `kulsif-sweep-${n}`,
      name: `iterated KuLSIF full sweep (11 λ × t = 1…10, 80/20 split), n = m = ${n}, d = 50 vs lugruber/dre_iter_reg`,
      group: 'kernel-dre',
      cells: { ours: cell(ours.sweepSeconds), [refCol]: cell(ref.sweepSeconds) },
    },
    {
      id: `ulsif-grid-${n}`,
      name: `uLSIF on densratio's default grid (13 × 13 σ, λ; 100 centers), n = m = ${n}, d = 50 vs densratio_py`,
      group: 'kernel-dre',
      cells: { ours: cell(ours.ulsifSeconds), [refCol]: cell(ref.ulsifSeconds) },
    },
  ];
  const best = (ref.best ?? []) as number[];
  const detail =
    `ours chose (λ, t) = (${ours.lambda}, ${ours.t}), the reference (${Number(best[0]).toPrecision(2)}, ${best[1]}) ` +
    '(different draws of the same distributions)';
  return {
    cases,
    reference: { [refCol]: reference as ReferenceReport },
    threads: { [refCol]: threads },
    detail,
  };
}

function voxelizer(repoRoot: string, benchDir: string, quick: boolean, log: (s: string) => void) {
  const bin = process.env.PAPERSTACK_KITTI_BIN ?? '/work/shared/data/kitti/training/velodyne/000002.bin';
  if (!existsSync(bin)) throw new Error(`no KITTI scan at ${bin} (set PAPERSTACK_KITTI_BIN)`);
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  log(`voxelizer: ours (scripts/bench.ts ${bin} voxelize) …`);
  const lines = run(tsx, ['scripts/bench.ts', bin, 'voxelize'], join(repoRoot, 'packages', 'voxelnet'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.bench === 'voxelize');
  const ms = (prefix: string): Cell => {
    const r = lines.find((l) => String(l.impl).startsWith(prefix));
    return typeof r?.ms === 'number' ? { ms: r.ms, iterations: 25 } : { error: 'not measured' };
  };
  const python = numbaPython(benchDir);
  log(`voxelizer: numpy and numba (${python}, 1 thread) …`);
  const ref = lastJson(
    run(
      python,
      ['packages/voxelnet/scripts/voxelize_reference.py', bin, quick ? '5' : '25'],
      repoRoot,
      referenceEnv(1),
    ),
  ) as {
    points: number;
    numpy: { ms: number; voxels: number };
    numba: {
      ms?: number;
      voxels?: number;
      compileMs?: number;
      numba?: string;
      source?: string;
      error?: string;
    };
    reference: ReferenceReport;
  };
  log(`  numpy ${ref.numpy.ms.toFixed(2)} ms; numba ${ref.numba.ms?.toFixed(2) ?? ref.numba.error}`);
  const cases: ExternalCase[] = [
    {
      id: 'voxelize-000002',
      name: `voxelize KITTI scan ${bin.split('/').pop()} (${ref.points} points), paper car grid, T = 35, K = 20,000`,
      group: 'voxelizer',
      cells: {
        ours: ms('typescript, deterministic'),
        'ours-reservoir': ms('typescript, random sampling (reservoir'),
        'ours-shuffle': ms("typescript, random sampling (sampling: 'shuffle'"),
        numpy: { ms: ref.numpy.ms, iterations: quick ? 5 : 25 },
        numba:
          ref.numba.ms !== undefined
            ? { ms: ref.numba.ms, iterations: quick ? 5 : 25 }
            : { error: ref.numba.error ?? 'not measured' },
      },
    },
  ];
  const detail =
    `numba ${ref.numba.numba ?? 'n/a'} running ${ref.numba.source ?? 'second.pytorch'} points_to_voxel ` +
    `(first call, compiling, ${ref.numba.compileMs?.toFixed(0) ?? '?'} ms, not counted); voxels: numpy ${ref.numpy.voxels}, numba ${ref.numba.voxels ?? 'n/a'}`;
  return { cases, reference: { numpy: ref.reference }, threads: { numpy: 1 }, detail };
}

export const EXTERNAL = ['kernel-dre', 'voxelizer'] as const;

/** Runs the named external comparisons; returns the results files written. */
export function runExternal(
  names: string[],
  opts: { repoRoot: string; benchDir: string; quick: boolean; commit: string; dreThreads: number },
): string[] {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const written: string[] = [];
  for (const name of names) {
    if (!(EXTERNAL as readonly string[]).includes(name))
      throw new Error(`--external: expected one of ${EXTERNAL.join(', ')}, received '${name}'`);
    const started = new Date();
    const startLoad = load();
    log(`${name}: load average ${startLoad.join(', ')}`);
    const r =
      name === 'kernel-dre'
        ? kernelDre(opts.repoRoot, opts.quick, opts.dreThreads, log)
        : voxelizer(opts.repoRoot, opts.benchDir, opts.quick, log);
    const reference: Record<string, ReferenceMeta> = {};
    for (const [col, report] of Object.entries(r.reference)) {
      const t = (r.threads as Record<string, number>)[col];
      const verdict = judgeReference(report, t);
      reference[col] = { threads: t, ...verdict, report };
      log(`  ${col}: ${verdict.ok ? 'ok' : 'REFUSED'}: ${verdict.summary}`);
      for (const p of verdict.problems) log(`    - ${p}`);
    }
    const results = {
      meta: {
        date: iso(started),
        ended: iso(new Date()),
        commit: opts.commit,
        node: process.version,
        cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
        torch: '',
        quick: opts.quick,
        load: { start: startLoad, end: load() },
        note: r.detail,
        reference,
      },
      cases: r.cases,
    } as unknown as RunResults;
    const dir = join(opts.benchDir, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${iso(started).slice(0, 10)}-${name}${opts.quick ? '-quick' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${file}`);
    written.push(file);
  }
  return written;
}
