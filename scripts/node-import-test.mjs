// Imports every built package from plain Node, once as ESM and once as CJS, through its own
// name (package self-reference resolves the `exports` map to dist/, as for a user). Each
// publishable package ships test/smoke.mjs and test/smoke.cjs, which import it and compute a
// gradient through it. vitest resolves source and inlines modules, so it cannot catch a broken
// dist, a wrong exports map or an ESM/CJS mistake; this does.
//
// When the native backend is set up (`pnpm native:setup`; required with PAPERSTACK_REQUIRE_NATIVE=1),
// every smoke file runs a second time on it: @tensorflow/tfjs-node preloaded with --require and
// PAPERSTACK_SMOKE_BACKEND=tensorflow, which the smoke files pass to tf.setBackend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE_ENV_DEFAULTS, nativeStatus } from '../packages/runtime/dist/index.js';
import { publishablePackages } from './workspace.mjs';

// The package's own line (tfjs backends print banners around it).
const summary = (out) => {
  const line = out.split('\n').findLast((l) => /^(esm|cjs):/.test(l));
  return line ? `: ${line}` : '';
};

const native = nativeStatus('cpu');
if (!native.ready && process.env.PAPERSTACK_REQUIRE_NATIVE === '1') {
  console.error(`FAIL PAPERSTACK_REQUIRE_NATIVE=1 but the native backend is not set up: ${native.detail}`);
  process.exit(1);
}
const runs = [{ label: '', args: [], env: {} }];
if (native.ready) {
  runs.push({
    label: ' [tensorflow]',
    args: ['--require', native.packageDir],
    // the environment useBestBackend gives TensorFlow (runtime's NATIVE_ENV_DEFAULTS), unless set
    env: { ...NATIVE_ENV_DEFAULTS, ...process.env, PAPERSTACK_SMOKE_BACKEND: 'tensorflow' },
  });
} else {
  console.log(`(native backend not set up, smoke files run on cpu only: ${native.detail})`);
}

let failed = 0;
for (const { dir, pkg } of publishablePackages()) {
  for (const file of ['test/smoke.mjs', 'test/smoke.cjs']) {
    const path = join(dir, file);
    if (!existsSync(path)) {
      console.error(`FAIL ${pkg.name}: missing ${file}`);
      failed++;
      continue;
    }
    for (const run of runs) {
      const r = spawnSync(process.execPath, [...run.args, file], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ...run.env },
      });
      const out = `${r.stdout}${r.stderr}`.trim();
      if (r.status === 0) {
        console.log(`ok   ${pkg.name} ${file}${run.label}${summary(out)}`);
      } else {
        console.error(`FAIL ${pkg.name} ${file}${run.label} (exit ${r.status})\n${out}`);
        failed++;
      }
    }
  }
}
process.exit(failed ? 1 : 0);
