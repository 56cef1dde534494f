import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject, type ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/** Tests run against source: `@paperstack/<name>` resolves to `packages/<name>/src/index.ts`. */
const alias = Object.fromEntries(
  readdirSync(join(root, 'packages')).map((name) => [
    `@paperstack/${name}`,
    join(root, 'packages', name, 'src', 'index.ts'),
  ]),
);

/** The vitest project of one package or example (call from its `vitest.config.ts`). */
export function paperstackProject(name: string, overrides: ViteUserConfig['test'] = {}) {
  return defineProject({
    resolve: { alias },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
