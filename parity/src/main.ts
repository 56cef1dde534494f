// pnpm parity:sweep [--n 50] [--seed 1] [--families a,b | --package hopfield-layer] [--backends cpu,wasm,tensorflow]
//                   [--python /usr/bin/python3] [--out .parity-sweep] [--keep]
// Draws N fresh configurations per fixture family with the reference implementations
// (parity/python/sweep.py), feeds each through the package on every backend, prints the worst
// errors per family and backend, and exits 1 on any failure, 2 when the reference environment is
// missing (never silently green). See parity/README.md.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nativeStatus, useBestBackend } from '@paperstack/runtime';
import { type Fixture, loadFixture, useBackend } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { type Comparison, formatTable, SweepResults } from './compare';
import { type FamilyRunner, RUNNERS } from './families/index';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const argv = process.argv.slice(2);
const { values: opts } = parseArgs({
  // `pnpm parity:sweep -- --n 5` passes the `--` through: it must not end the options
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    n: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    families: { type: 'string', default: '' },
    package: { type: 'string', default: '' },
    // default: cpu and wasm, plus the native 'tensorflow' backend when @paperstack/runtime reports it set up
    backends: { type: 'string', default: '' },
    python: { type: 'string', default: process.env.PAPERSTACK_REF_PYTHON ?? '/usr/bin/python3' },
    out: { type: 'string', default: join(ROOT, '.parity-sweep') },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  // `pnpm parity:sweep -- --n 5` passes the `--` through
  allowPositionals: true,
});

if (opts.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(0, 6)
      .join('\n'),
  );
  process.exit(0);
}

function fail(msg: string, code: number): never {
  console.error(`parity-sweep: ${msg}`);
  process.exit(code);
}

const n = Number(opts.n);
const seed = Number(opts.seed);
if (!Number.isInteger(n) || n < 1) fail(`--n: expected a positive integer, received ${opts.n}`, 2);
if (!Number.isInteger(seed) || seed < 0)
  fail(`--seed: expected a non-negative integer, received ${opts.seed}`, 2);
const native = nativeStatus('cpu');
const backends = opts.backends
  ? opts.backends.split(',').filter(Boolean)
  : ['cpu', 'wasm', ...(native.ready ? ['tensorflow'] : [])];
const unknownBackend = backends.filter((b) => !['cpu', 'wasm', 'tensorflow'].includes(b));
if (unknownBackend.length)
  fail(`--backends: expected cpu, wasm or tensorflow, received ${unknownBackend}`, 2);
if (!opts.backends && !native.ready)
  console.log(`parity-sweep: native 'tensorflow' backend not compared (${native.detail})`);

// 1. The reference environment.
const py = opts.python;
const probe = spawnSync(py, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
if (probe.status !== 0) {
  fail(
    `the reference environment is not available: '${py} -c "import torch, numpy"' ${
      probe.error
        ? `failed (${probe.error.message})`
        : `exited ${probe.status}: ${probe.stderr.trim().split('\n').pop()}`
    }.\nInstall Debian's python3-torch and python3-numpy (or pass --python / set PAPERSTACK_REF_PYTHON), ` +
      'and make the reference repositories available (parity/README.md). Nothing was compared.',
    2,
  );
}
const script = join(ROOT, 'parity', 'python', 'sweep.py');
const list = spawnSync(py, [script, '--out', opts.out, '--list'], { encoding: 'utf8' });
if (list.status !== 0) fail(`${script} --list failed: ${list.stderr}`, 2);
const packageOf = JSON.parse(list.stdout) as Record<string, string>;
let families = opts.families ? opts.families.split(',').filter(Boolean) : Object.keys(packageOf);
if (opts.package) families = families.filter((f) => packageOf[f] === opts.package);
const unknown = families.filter((f) => !(f in packageOf));
if (unknown.length)
  fail(`unknown families ${unknown.join(', ')}; known: ${Object.keys(packageOf).join(', ')}`, 2);
if (families.length === 0) fail('no family selected', 2);

// 2. Reference draws.
if (!opts.keep) rmSync(opts.out, { recursive: true, force: true });
console.log(
  `parity-sweep: drawing ${n} configurations per family (seed ${seed}) with ${py} (torch ${probe.stdout.trim()})`,
);
const gen = spawnSync(
  py,
  [script, '--out', opts.out, '--n', String(n), '--seed', String(seed), '--families', families.join(',')],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OMP_NUM_THREADS: '1' } },
);
if (gen.status !== 0) {
  fail(
    `the reference generator failed (exit ${gen.status}); is every reference repository available? (parity/README.md)`,
    2,
  );
}
const manifest = JSON.parse(readFileSync(join(opts.out, 'manifest.json'), 'utf8')) as {
  families: Record<string, { package: string; files: string[] }>;
};

// 3. Our side, per backend.
const results = new SweepResults();
const fixtures = new Map<string, Fixture[]>();
for (const f of families) {
  fixtures.set(
    f,
    manifest.families[f].files.map((file) => loadFixture(file, opts.out)),
  );
}

function judge(family: string, backend: string, runner: FamilyRunner, fx: Fixture): void {
  const kind = runner.classify?.(fx) ?? 'normal';
  if (kind.startsWith('skip:')) {
    results.addSkipped(family, backend, fx.case, kind.slice(5).trim());
    return;
  }
  const r = runDraw(runner, fx);
  results.addDraw(family, backend, fx.case, r.comparisons, r.error, kind === 'ill-conditioned');
}

function runDraw(runner: FamilyRunner, fx: Fixture): { comparisons: Comparison[]; error?: unknown } {
  const before = tf.memory().numTensors;
  try {
    const comparisons = runner.run(fx);
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) return { comparisons, error: new Error(`${leaked} tensors leaked by the draw`) };
    return { comparisons };
  } catch (error) {
    return { comparisons: [], error };
  }
}

const hostFamilies = families.filter((f) => RUNNERS[packageOf[f]].kind === 'host');
const tfFamilies = families.filter((f) => RUNNERS[packageOf[f]].kind === 'tfjs');
// (host families run no tfjs ops, but the leak check reads the engine: give it a backend)
if (hostFamilies.length > 0) await useBackend('cpu');
for (const f of hostFamilies) {
  for (const fx of fixtures.get(f) ?? []) {
    judge(f, 'host (float64)', RUNNERS[packageOf[f]], fx);
  }
}
if (tfFamilies.length > 0) {
  for (const backend of backends) {
    try {
      if (backend === 'tensorflow') await useBestBackend({ backend: 'tensorflow', log: false });
      else await useBackend(backend as 'cpu' | 'wasm');
    } catch (e) {
      fail(`backend ${backend} failed to initialize: ${e instanceof Error ? e.message : e}`, 2);
    }
    for (const f of tfFamilies) {
      for (const fx of fixtures.get(f) ?? []) {
        judge(f, backend, RUNNERS[packageOf[f]], fx);
      }
    }
  }
}

// 4. Report.
console.log('');
console.log(formatTable(results));
console.log('');
if (results.skipped.length > 0) {
  console.log(`parity-sweep: ${results.skipped.length} draws not compared:`);
  for (const x of results.skipped) console.log(`  ${x.family} [${x.backend}] ${x.draw}: ${x.what}`);
}
if (results.failures.length > 0) {
  console.log(`parity-sweep: ${results.failures.length} failures:`);
  const shown = results.failures.slice(0, 60);
  for (const x of shown) console.log(`  ${x.family} [${x.backend}] ${x.draw}: ${x.what}`);
  if (results.failures.length > shown.length)
    console.log(`  … ${results.failures.length - shown.length} more`);
  console.log(`(draws kept under ${opts.out}; rerun a family with --families <name> --seed ${seed})`);
  process.exit(1);
}
console.log(
  `parity-sweep: 0 failures (${families.length} families, N = ${n}, seed ${seed}, backends ${[
    hostFamilies.length ? 'host' : '',
    ...(tfFamilies.length ? backends : []),
  ]
    .filter(Boolean)
    .join(', ')})`,
);
