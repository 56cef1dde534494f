import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ChecksumError } from './errors';

/** Where and how the loaders find and fetch data (every field optional). */
export interface DataOptions {
  /**
   * The cache folder; data sets live in sub-folders of it. Default: env `PAPERSTACK_DATA_DIR`, else
   * `$XDG_CACHE_HOME/paperstack`, else `~/.cache/paperstack`. Never inside the repository.
   */
  cacheDir?: string;
  /** Never download: use the cache (or a local install) only. Default: env `PAPERSTACK_OFFLINE` = `1`. */
  offline?: boolean;
  /** The npm registry base URL. Default: env `npm_config_registry`, else `https://registry.npmjs.org/`. */
  registry?: string;
  /** Receives one line per slow step (download, decode). Default: none. */
  log?: (line: string) => void;
}

/** {@link DataOptions} with every default filled in. */
export interface ResolvedDataOptions {
  cacheDir: string;
  offline: boolean;
  registry: string;
  log: (line: string) => void;
}

export function resolveDataOptions(opts: DataOptions = {}): ResolvedDataOptions {
  const env = process.env;
  const cacheDir =
    opts.cacheDir ??
    env.PAPERSTACK_DATA_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'paperstack');
  let registry = opts.registry ?? env.npm_config_registry ?? 'https://registry.npmjs.org/';
  if (!registry.endsWith('/')) registry += '/';
  return {
    cacheDir,
    offline: opts.offline ?? env.PAPERSTACK_OFFLINE === '1',
    registry,
    log: opts.log ?? (() => {}),
  };
}

/** Hex sha256 of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws {@link ChecksumError} unless `bytes` hash to `expected`. */
export function verifySha256(file: string, bytes: Uint8Array, expected: string): void {
  const received = sha256(bytes);
  if (received !== expected) throw new ChecksumError(file, expected, received);
}

/** Writes a file atomically (temporary name, then rename), creating its folder. */
export function writeAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Downloads `url` and checks its sha256 against the pinned `sha`.
 * @throws Error with the URL and the cause when the request fails (offline, HTTP error).
 * @throws ChecksumError when the bytes are not the pinned ones.
 */
export async function downloadPinned(url: string, sha: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(`GET ${url} failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (!res.ok) throw new Error(`GET ${url} failed: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  verifySha256(url, bytes, sha);
  return bytes;
}
