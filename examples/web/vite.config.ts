import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..', 'packages');

export default defineConfig({
  root: here,
  // Relative asset URLs: the built app works from any sub-path (e.g. GitHub Pages).
  base: './',
  resolve: {
    // The workspace packages are used from source (as in the tests), so the app needs no prior build.
    alias: Object.fromEntries(
      readdirSync(packages).map((name) => [`@paperstack/${name}`, join(packages, name, 'src', 'index.ts')]),
    ),
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
