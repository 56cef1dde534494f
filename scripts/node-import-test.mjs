// Imports every built package from plain Node, once as ESM and once as CJS, through its own
// name (package self-reference resolves the `exports` map to dist/, as for a user). Each
// publishable package ships test/smoke.mjs and test/smoke.cjs, which import it and compute a
// gradient through it. vitest resolves source and inlines modules, so it cannot catch a broken
// dist, a wrong exports map or an ESM/CJS mistake; this does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { publishablePackages } from './workspace.mjs';

// The package's own line (tfjs backends print banners around it).
const summary = (out) => {
  const line = out.split('\n').findLast((l) => /^(esm|cjs):/.test(l));
  return line ? `: ${line}` : '';
};

let failed = 0;
for (const { dir, pkg } of publishablePackages()) {
  for (const file of ['test/smoke.mjs', 'test/smoke.cjs']) {
    const path = join(dir, file);
    if (!existsSync(path)) {
      console.error(`FAIL ${pkg.name}: missing ${file}`);
      failed++;
      continue;
    }
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', env: { ...process.env } });
    const out = `${r.stdout}${r.stderr}`.trim();
    if (r.status === 0) {
      console.log(`ok   ${pkg.name} ${file}${summary(out)}`);
    } else {
      console.error(`FAIL ${pkg.name} ${file} (exit ${r.status})\n${out}`);
      failed++;
    }
  }
}
process.exit(failed ? 1 : 0);
