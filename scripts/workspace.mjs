// The workspace's publishable packages: packages/* that are not private.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function publishablePackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((d) => ({ dir: d, pkg: JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private);
}
