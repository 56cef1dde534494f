// The "installed but not set up" path of useBestBackend, on every machine: where the real tfjs-node
// is set up (CI), backend.test.ts cannot reach it, so here `nativeStatus` looks at a fake tfjs-node
// package instead (the real status check, only its default folder changed).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { NativeBackendNotSetUpError, useBestBackend } from './index';
import { BUILD_MARKER, type BuildMarker } from './native/status';

const fake = vi.hoisted(() => ({ dir: '' }));

vi.mock('./native/status', async (importOriginal) => {
  const real = await importOriginal<typeof import('./native/status')>();
  return {
    ...real,
    nativeStatus: (variant: 'cpu' | 'gpu' = 'cpu', packageDir?: string | null) =>
      real.nativeStatus(
        variant,
        packageDir === undefined ? (variant === 'cpu' ? fake.dir : null) : packageDir,
      ),
  };
});

const root = mkdtempSync(join(tmpdir(), 'paperstack-not-set-up-'));
fake.dir = join(root, 'tfjs-node');
const marker = join(fake.dir, 'deps', BUILD_MARKER);

function writeBuildMarker(cacheDir: string): void {
  mkdirSync(join(fake.dir, 'deps', 'lib'), { recursive: true });
  writeFileSync(join(fake.dir, 'deps', 'lib', 'tfjs_binding.node'), '');
  const build: BuildMarker = {
    tensorflow: '2.21.0',
    tfVersion: '2.21.0',
    variant: 'cpu',
    cacheDir,
    binding: 'deps/lib/tfjs_binding.node',
    nodeModules: process.versions.modules,
    napi: 8,
  };
  writeFileSync(marker, JSON.stringify(build));
}

describe('useBestBackend with tfjs-node installed but not set up', () => {
  beforeEach(() => {
    rmSync(fake.dir, { recursive: true, force: true });
    mkdirSync(fake.dir, { recursive: true });
    writeFileSync(join(fake.dir, 'package.json'), '{"name":"@tensorflow/tfjs-node","version":"4.22.0"}');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('forced (option or PAPERSTACK_BACKEND), throws NativeBackendNotSetUpError naming the setup command', async () => {
    await expect(useBestBackend({ env: { PAPERSTACK_BACKEND: 'tensorflow' }, log: false })).rejects.toThrow(
      NativeBackendNotSetUpError,
    );
    await expect(useBestBackend({ backend: 'tensorflow', env: {}, log: false })).rejects.toThrow(
      '@tensorflow/tfjs-node is installed but its binding was not built ' +
        'against TensorFlow 2.21.0: run `npx paperstack-native setup` (in the paperstack repository: `pnpm native:setup`)',
    );
  });

  it('says which part is missing when the binding was built but its TensorFlow cache is half written', async () => {
    const cacheDir = join(root, 'cache');
    mkdirSync(cacheDir, { recursive: true });
    writeBuildMarker(cacheDir);
    await expect(useBestBackend({ backend: 'tensorflow', env: {}, log: false })).rejects.toThrow(
      `the TensorFlow cache ${cacheDir} is half written (no paperstack-cache.json): run \`npx paperstack-native setup\``,
    );
  });

  it('not forced, skips it with that sentence and picks the next backend', async () => {
    const lines: string[] = [];
    const choice = await useBestBackend({ env: {}, log: (l) => lines.push(l) });
    expect(choice.candidate).not.toBe('tensorflow');
    const native = choice.attempts.find((a) => a.candidate === 'tensorflow');
    expect(native).toMatchObject({ ok: false });
    expect(native?.detail).toMatch(
      /^@tensorflow\/tfjs-node is installed but .*: run `npx paperstack-native setup`/,
    );
    expect(lines[0]).toMatch(/skipped: .*tensorflow.*paperstack-native setup/);
  });
});
