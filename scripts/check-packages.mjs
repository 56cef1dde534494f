// Validates what users will install: every publishable package is packed as pnpm publishes it
// (catalog: and workspace: replaced), then checked by publint (package.json/exports/files) and
// @arethetypeswrong/cli (types resolve for node10, node16 CJS/ESM and bundlers).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishablePackages, root } from './workspace.mjs';

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  return r.status ?? 1;
}

let failed = 0;
for (const { dir, pkg } of publishablePackages()) {
  console.log(`\n== ${pkg.name}`);
  const out = mkdtempSync(join(tmpdir(), 'paperstack-pack-'));
  try {
    if (run('pnpm', ['pack', '--pack-destination', out], dir) !== 0) {
      failed++;
      continue;
    }
    const tarball = join(
      out,
      readdirSync(out).find((f) => f.endsWith('.tgz')),
    );
    if (run('pnpm', ['exec', 'publint', 'run', tarball, '--strict'], root) !== 0) failed++;
    if (run('pnpm', ['exec', 'attw', tarball, '--format', 'table-flipped'], root) !== 0) failed++;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
if (failed) {
  console.error(`\ncheck:packages: ${failed} check(s) failed`);
  process.exit(1);
}
console.log('\ncheck:packages: all publishable packages pass publint and attw');
