import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useBestBackend } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs test/threads-child.ts in a fresh Node process (the wasm backend initializes once per process). */
function child(threads: number) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'threads-child.ts'), String(threads)],
    {
      cwd: join(here, '..'),
      encoding: 'utf8',
      timeout: 90_000,
    },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  return {
    status: r.status,
    signal: r.signal,
    result: line ? JSON.parse(line) : undefined,
    stderr: r.stderr,
  };
}

describe('wasm threads in Node (useBestBackend({ wasmThreads }))', () => {
  it('runs the threaded SIMD binary with 2 threads, computes correctly, and lets Node exit', () => {
    const { status, signal, result, stderr } = child(2);
    expect(signal, stderr).toBeNull(); // not killed by the timeout: the workers do not hold the process
    expect(status, stderr).toBe(0);
    expect(result.threads).toEqual({ requested: 2, threads: 2 });
    expect(result.reason).toMatch(/2 wasm thread\(s\)/);
    expect(result.maxDiff).toBeLessThan(1e-3);
    expect(result.dwCenter).toBe(512); // conv2d filter gradient through the runtime kernels
  });

  it('rejects a bad thread count, naming the option', async () => {
    await expect(useBestBackend({ wasmThreads: 0, log: false })).rejects.toThrow(
      'useBestBackend: option wasmThreads: expected an integer from 1 to 8, received 0',
    );
    await expect(useBestBackend({ env: { PAPERSTACK_WASM_THREADS: 'two' }, log: false })).rejects.toThrow(
      "useBestBackend: env PAPERSTACK_WASM_THREADS: expected an integer from 1 to 8, received 'two'",
    );
  });
});
