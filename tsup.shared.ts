import { defineConfig, type Options } from 'tsup';

/**
 * The build every publishable package uses: ESM (`.js`) + CJS (`.cjs`) with matching
 * `.d.ts` / `.d.cts`, sourcemaps, tfjs left external (peer dependency).
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    external: [/^@tensorflow\//, /^@paperstack\//],
    ...overrides,
  });
}
