import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The TensorFlow release whose wheel `paperstack-native setup` builds tfjs-node's binding against. */
export const TENSORFLOW_VERSION = '2.21.0';

/** `cpu`: `tensorflow-cpu` wheel + `@tensorflow/tfjs-node`; `gpu`: `tensorflow` (CUDA 12) + `-gpu`. */
export type NativeVariant = 'cpu' | 'gpu';

/** The command that sets the native backend up, as error messages name it. */
export const SETUP_COMMAND = 'npx paperstack-native setup';

/** The npm package whose binding each variant builds. */
export const TFJS_NODE_PACKAGES: Record<NativeVariant, string> = {
  cpu: '@tensorflow/tfjs-node',
  gpu: '@tensorflow/tfjs-node-gpu',
};

/** Written last into the cache folder: its presence (and the sizes it lists) mean "complete". */
export const CACHE_MARKER = 'paperstack-cache.json';
/** Written last into tfjs-node's `deps/` after the built binding loaded and computed. */
export const BUILD_MARKER = 'paperstack-native.json';

/** The contents of `paperstack-cache.json` in a complete cache folder. */
export interface CacheMarker {
  tensorflow: string;
  variant: NativeVariant;
  /** The wheel (file name) or folder it was extracted from. */
  source: string;
  /** Every extracted file (relative to the cache folder) with its size in bytes. */
  files: Record<string, number>;
}

/** The contents of `deps/paperstack-native.json` in a tfjs-node package that setup built. */
export interface BuildMarker {
  tensorflow: string;
  /** `TF_Version()` of the loaded library. */
  tfVersion: string;
  variant: NativeVariant;
  cacheDir: string;
  /** The built addon, relative to the package folder. */
  binding: string;
  /** `process.versions.modules` and `napi` of the Node that built it. */
  nodeModules: string;
  napi: number;
}

/**
 * The cache root: env `PAPERSTACK_CACHE_DIR`, else `$XDG_CACHE_HOME/paperstack`, else
 * `~/.cache/paperstack`. TensorFlow goes to `<root>/tensorflow/<version>-<variant>/`.
 */
export function nativeCacheRoot(env: Record<string, string | undefined> = process.env): string {
  if (env.PAPERSTACK_CACHE_DIR) return env.PAPERSTACK_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'paperstack');
}

/** The cache folder of one TensorFlow variant under `root`. */
export function tensorflowCacheDir(variant: NativeVariant, root = nativeCacheRoot()): string {
  return join(root, 'tensorflow', `${TENSORFLOW_VERSION}-${variant}`);
}

/** Whether `dir` is a complete cache: marker present and every listed file of the listed size. */
export function checkCache(dir: string): { ok: true; marker: CacheMarker } | { ok: false; why: string } {
  const markerPath = join(dir, CACHE_MARKER);
  if (!existsSync(dir)) return { ok: false, why: 'absent' };
  if (!existsSync(markerPath)) return { ok: false, why: `half written (no ${CACHE_MARKER})` };
  let marker: CacheMarker;
  try {
    marker = JSON.parse(readFileSync(markerPath, 'utf8')) as CacheMarker;
  } catch {
    return { ok: false, why: `half written (${CACHE_MARKER} unreadable)` };
  }
  for (const [file, size] of Object.entries(marker.files ?? {})) {
    const path = join(dir, file);
    if (!existsSync(path)) return { ok: false, why: `half written (${file} missing)` };
    const got = statSync(path).size;
    if (got !== size) return { ok: false, why: `half written (${file} has ${got} of ${size} bytes)` };
  }
  return { ok: true, marker };
}

const here = (): string => import.meta.url;

/**
 * The folders of the installed tfjs-node package as `import()` from this module (and from
 * `extraFrom`, e.g. the current directory) resolves it, real paths, without duplicates.
 */
export function resolveTfjsNode(variant: NativeVariant, extraFrom: string[] = []): string[] {
  const name = TFJS_NODE_PACKAGES[variant];
  const dirs = new Set<string>();
  const froms = [here(), ...extraFrom.map((d) => join(d, 'noop.js'))];
  for (const from of froms) {
    try {
      const pkg = createRequire(from).resolve(`${name}/package.json`);
      dirs.add(realpathSync(dirname(pkg)));
    } catch {
      // not resolvable from there
    }
  }
  return [...dirs];
}

/** Whether the native backend can load in this process, and if not, why (one sentence). */
export interface NativeStatus {
  variant: NativeVariant;
  /** The tfjs-node package resolves from @paperstack/runtime. */
  installed: boolean;
  /** Set up, built and its cache complete: `useBestBackend` will load it. */
  ready: boolean;
  /** Why not ready, or what is ready. */
  detail: string;
  packageDir?: string;
  build?: BuildMarker;
}

/**
 * Checks, without loading anything, whether `paperstack-native setup` has set `variant` up in
 * `packageDir` (default: the tfjs-node package as this module resolves it; null: not installed).
 */
export function nativeStatus(
  variant: NativeVariant = 'cpu',
  packageDir: string | null = resolveTfjsNode(variant)[0] ?? null,
): NativeStatus {
  const name = TFJS_NODE_PACKAGES[variant];
  const cmd = `${SETUP_COMMAND}${variant === 'gpu' ? ' --gpu' : ''}`;
  if (!packageDir) return { variant, installed: false, ready: false, detail: `${name} not installed` };
  const markerPath = join(packageDir, 'deps', BUILD_MARKER);
  const notReady = (why: string): NativeStatus => ({
    variant,
    installed: true,
    ready: false,
    packageDir,
    detail: `${name} is installed but ${why}: run \`${cmd}\` (in the paperstack repository: \`pnpm native:setup\`)`,
  });
  if (!existsSync(markerPath))
    return notReady(`its binding was not built against TensorFlow ${TENSORFLOW_VERSION}`);
  let build: BuildMarker;
  try {
    build = JSON.parse(readFileSync(markerPath, 'utf8')) as BuildMarker;
  } catch {
    return notReady(`${markerPath} is unreadable`);
  }
  if (!existsSync(join(packageDir, build.binding)))
    return notReady(`its binding ${build.binding} is missing`);
  if (build.nodeModules !== process.versions.modules)
    return notReady(
      `its binding was built for another Node (ABI ${build.nodeModules}, this is ${process.versions.modules})`,
    );
  const cache = checkCache(build.cacheDir);
  if (!cache.ok) return notReady(`the TensorFlow cache ${build.cacheDir} is ${cache.why}`);
  return {
    variant,
    installed: true,
    ready: true,
    packageDir,
    build,
    detail: `${name} built against TensorFlow ${build.tfVersion} (${build.cacheDir})`,
  };
}
