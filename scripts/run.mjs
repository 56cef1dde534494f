// Entry point of the README's commands (`npm run demo`, `npm test`, `npm run bench`,
// `pnpm native:setup`): works on a fresh clone with only Node and npm. Installs pnpm and the workspace when needed, builds the
// packages (turbo cache makes this a no-op when nothing changed), then runs the task.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '12.4.2';
const [task, ...rest] = process.argv.slice(2);
// `pnpm <task> -- --flag` passes the `--` through (npm strips it): drop it.
const args = rest[0] === '--' ? rest.slice(1) : rest;

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}

function must(status, what) {
  if (status !== 0) {
    console.error(`paperstack: ${what} failed (exit ${status})`);
    process.exit(status);
  }
}

const [pm, pmArgs] = pnpm();
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const modules = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
if (!existsSync(modules) || statSync(lock).mtimeMs > statSync(modules).mtimeMs) {
  must(run(pm, [...pmArgs, 'install', '--frozen-lockfile']), 'pnpm install');
}
must(run(pm, [...pmArgs, 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only']), 'build');

switch (task) {
  case 'test':
    process.exit(run(pm, [...pmArgs, 'exec', 'vitest', 'run', ...args]));
    break;
  // tsx directly (not `pnpm start`, which would read flags such as --help as its own)
  case 'demo':
    process.exit(run(tsx, ['src/main.ts', ...args], { cwd: join(root, 'examples', 'demo') }));
    break;
  // The native TensorFlow backend (packages/runtime/README.md): `pnpm native:setup [-- --gpu]`.
  case 'native-setup':
    process.exit(
      run(process.execPath, [join(root, 'packages', 'runtime', 'dist', 'cli.js'), 'setup', ...args]),
    );
    break;
  case 'bench':
    process.exit(run(tsx, ['src/main.ts', ...args], { cwd: join(root, 'bench') }));
    break;
  default:
    console.error(
      `usage: node scripts/run.mjs <test|demo|bench|native-setup> [args…]  (got ${task ?? 'nothing'})`,
    );
    process.exit(2);
}
