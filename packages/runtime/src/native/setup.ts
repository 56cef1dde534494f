import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { NativeSetupError } from '../errors';
import { readElf } from './elf';
import { EXTRACT_SCRIPT } from './extract-script';
import {
  BUILD_MARKER,
  type BuildMarker,
  CACHE_MARKER,
  type CacheMarker,
  checkCache,
  type NativeVariant,
  nativeCacheRoot,
  resolveTfjsNode,
  SETUP_COMMAND,
  TENSORFLOW_VERSION,
  TFJS_NODE_PACKAGES,
  tensorflowCacheDir,
} from './status';

/** Options of {@link setupNative}; every field is optional. */
export interface NativeSetupOptions {
  /** Set up `@tensorflow/tfjs-node-gpu` with the CUDA 12 `tensorflow` wheel. Default false (cpu). */
  gpu?: boolean;
  /**
   * A TensorFlow wheel (`.whl`) or an extracted one (a folder holding `tensorflow/`, such as a
   * `site-packages`) to use instead of downloading. Default: `pip download` it.
   */
  wheel?: string;
  /** Cache root (see {@link nativeCacheRoot}). Default env `PAPERSTACK_CACHE_DIR`, else ~/.cache/paperstack. */
  cacheRoot?: string;
  /** Python used for pip, the extraction and node-gyp. Default env `PYTHON`, else `python3`. */
  python?: string;
  /** C++ compiler checked before building (node-gyp's make uses env `CXX`, else `g++`). */
  cxx?: string;
  /** tfjs-node package folders to build in. Default: as @paperstack/runtime and the cwd resolve it. */
  packageDirs?: string[];
  /** Where progress lines go. Default `console.log`. */
  log?: (line: string) => void;
  /** Stop after the cache is complete (no binding build). Default false. */
  cacheOnly?: boolean;
  /** Environment for the child processes and the defaults above. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** What {@link setupNative} did. */
export interface NativeSetupResult {
  variant: NativeVariant;
  cacheDir: string;
  /** The cache was complete already (nothing extracted). */
  cacheReused: boolean;
  /** Headers the binding needs, found by following `#include "…"` from the roots. */
  headers: string[];
  /** tfjs-node folders built in, with `TF_Version()` as the built binding reported it. */
  built: { packageDir: string; tfVersion: string }[];
  /** C API functions the binding calls, all found defined in the library. */
  capiFunctions: string[];
}

/** Headers the binding includes (binding.gyp) plus the TF_TString internals the C API inlines. */
export const INCLUDE_ROOTS = [
  'tensorflow/c/c_api.h',
  'tensorflow/c/eager/c_api.h',
  'tensorflow/core/platform/ctstring_internal.h',
];
const INCLUDE_PREFIX = 'tensorflow/include/';
const LIBS = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];
const WHEEL_PYTHON = '3.11';
const WHEEL_NAMES: Record<NativeVariant, string> = { cpu: 'tensorflow-cpu', gpu: 'tensorflow' };
/** The tfjs-node 4.22 install script looks for this name to decide libtensorflow is present. */
const TFJS_EXPECTED_LIB = 'libtensorflow.so.2.9.1';

function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string } = {},
) {
  return spawnSync(cmd, args, {
    encoding: 'utf8',
    env: opts.env as NodeJS.ProcessEnv,
    cwd: opts.cwd,
    maxBuffer: 64 * 2 ** 20,
  });
}

function firstLine(r: SpawnSyncReturns<string>): string {
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

function failure(r: SpawnSyncReturns<string>): string {
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n');
  return `exit ${r.status}${out.length && out[0] ? `: ${out.slice(-1)[0]}` : ''}`;
}

/** `x64` → `x86_64` as wheel platform tags spell it. */
function wheelArch(arch: string): string {
  return arch === 'x64' ? 'x86_64' : arch === 'arm64' ? 'aarch64' : arch;
}
const ELF_ARCH: Record<string, string> = { x64: 'x86-64', arm64: 'aarch64' };

/**
 * Checks a wheel's file name against this machine: its platform tag must be Linux and this CPU.
 * The Python tag does not matter — the library does not link libpython (checked after extraction).
 */
export function checkWheelName(file: string, arch = process.arch): { python: string; platform: string } {
  const m = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(basename(file));
  if (!m) {
    throw new NativeSetupError(
      'not-a-wheel',
      `${basename(file)} is not a wheel file name (name-version-python-abi-platform.whl); pass a TensorFlow .whl or an extracted wheel folder`,
    );
  }
  const [, , , python, , platform] = m;
  const want = wheelArch(arch);
  if (!platform.split('.').some((p) => p.includes('linux') && p.endsWith(want))) {
    throw new NativeSetupError(
      'wrong-platform',
      `the wheel ${basename(file)} is built for ${platform}, but this machine is Linux ${want}: use a manylinux ${want} wheel (setup without --wheel downloads the right one)`,
    );
  }
  return { python, platform };
}

interface ExtractReport {
  headers: string[];
  unresolved: string[];
  libs: Record<string, number>;
  metadata: string;
}

function extract(
  python: string,
  env: Record<string, string | undefined>,
  args: { source: string; out: string; roots: string[]; libs: string[]; libPattern?: string },
): ExtractReport {
  const r = run(python, ['-c', EXTRACT_SCRIPT, JSON.stringify({ ...args, includePrefix: INCLUDE_PREFIX })], {
    env,
  });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let parsed: (ExtractReport & { error?: string; missing?: string[] }) | undefined;
  try {
    parsed = JSON.parse(last);
  } catch {
    parsed = undefined;
  }
  if (parsed?.error === 'no-c-api') {
    throw new NativeSetupError(
      'no-c-api',
      `${basename(args.source)} has no TensorFlow C API (missing ${parsed.missing!.join(', ')}): use a tensorflow or tensorflow-cpu wheel of version 2.x that ships tensorflow/libtensorflow_cc.so.2 and tensorflow/include`,
    );
  }
  if (parsed?.error === 'not-a-wheel') {
    throw new NativeSetupError(
      'not-a-wheel',
      `${args.source} is not a readable wheel (${parsed.missing![0]}); pass a TensorFlow .whl or an extracted wheel folder`,
    );
  }
  if (r.status !== 0 || !parsed) {
    throw new NativeSetupError('not-a-wheel', `extracting ${args.source} failed (${failure(r)})`);
  }
  return parsed;
}

/** `pip download` one requirement into `dest`; returns the wheel's path. */
function pipDownload(python: string, env: Record<string, string | undefined>, req: string, dest: string) {
  mkdirSync(dest, { recursive: true });
  const r = run(
    python,
    [
      '-m',
      'pip',
      'download',
      req,
      '--no-deps',
      '--only-binary=:all:',
      '--python-version',
      WHEEL_PYTHON,
      '--dest',
      dest,
      '--disable-pip-version-check',
      '--quiet',
    ],
    { env },
  );
  if (r.status !== 0) {
    throw new NativeSetupError(
      'download-failed',
      `\`pip download ${req}\` failed (${failure(r)}); download the wheel yourself and pass it with --wheel`,
    );
  }
  const name = req
    .split(/[=<>~!]/)[0]
    .replace(/-/g, '_')
    .toLowerCase();
  const whl = readdirSync(dest).find((f) => f.toLowerCase().startsWith(`${name}-`) && f.endsWith('.whl'));
  if (!whl) throw new NativeSetupError('download-failed', `\`pip download ${req}\` left no wheel in ${dest}`);
  return join(dest, whl);
}

/** The CUDA wheels the GPU wheel asks for (`Requires-Dist: nvidia-… ; extra == "and-cuda"`). */
export function cudaRequirements(metadata: string): string[] {
  const reqs: string[] = [];
  for (const line of metadata.split('\n')) {
    const m = /^Requires-Dist:\s*(nvidia-[A-Za-z0-9_.-]+)\s*([^;]*);\s*extra\s*==\s*["']and-cuda["']/.exec(
      line,
    );
    if (m) reqs.push(`${m[1]}${m[2].replace(/[\s()]/g, '')}`);
  }
  return reqs;
}

/**
 * Makes sure `<cacheRoot>/tensorflow/<version>-<variant>` holds the libraries and the header
 * closure. A folder without a valid marker is half written: it (and only it) is removed and
 * extracted again.
 */
export function ensureCache(
  opts: NativeSetupOptions & { python: string; variant: NativeVariant; log: (l: string) => void },
): { cacheDir: string; reused: boolean; marker: CacheMarker } {
  const env = opts.env ?? process.env;
  const cacheDir = tensorflowCacheDir(opts.variant, opts.cacheRoot ?? nativeCacheRoot(env));
  const state = checkCache(cacheDir);
  if (state.ok) {
    opts.log(`cache ${cacheDir} is complete (from ${state.marker.source})`);
    return { cacheDir, reused: true, marker: state.marker };
  }
  if (state.why !== 'absent') {
    opts.log(`cache ${cacheDir} is ${state.why}: removing it and extracting again`);
    rmSync(cacheDir, { recursive: true, force: true });
  }
  mkdirSync(cacheDir, { recursive: true });
  const downloads = join(dirname(cacheDir), `.download-${process.pid}`);
  try {
    let source = opts.wheel;
    if (source === undefined) {
      const req = `${WHEEL_NAMES[opts.variant]}==${TENSORFLOW_VERSION}`;
      opts.log(`downloading ${req} (Python ${WHEEL_PYTHON} wheel; ~274 MB for cpu) with pip`);
      source = pipDownload(opts.python, env, req, downloads);
    }
    if (!existsSync(source)) {
      throw new NativeSetupError('not-a-wheel', `--wheel ${source}: no such file or folder`);
    }
    if (source.endsWith('.whl')) checkWheelName(source);
    opts.log(`extracting the libraries and the C API headers from ${basename(source)}`);
    const report = extract(opts.python, env, {
      source,
      out: cacheDir,
      roots: INCLUDE_ROOTS,
      libs: LIBS,
    });
    const files: Record<string, number> = {};
    for (const [lib, size] of Object.entries(report.libs)) files[join('lib', lib)] = size;
    for (const h of report.headers) files[join('include', h)] = -1;
    checkLibraries(cacheDir);
    if (opts.variant === 'gpu') {
      for (const req of cudaRequirements(report.metadata)) {
        opts.log(`downloading ${req} (CUDA library for the GPU wheel) with pip`);
        const whl = pipDownload(opts.python, env, req, downloads);
        const cuda = extract(opts.python, env, {
          source: whl,
          out: cacheDir,
          roots: [],
          libs: [],
          libPattern: '^nvidia/[^/]+/lib/[^/]+\\.so(\\.[0-9]+)*$',
        });
        for (const [lib, size] of Object.entries(cuda.libs)) files[join('lib', lib)] = size;
        rmSync(whl, { force: true });
      }
    }
    // header sizes: read back (the extraction script reports only the libraries')
    for (const f of Object.keys(files))
      if (files[f] === -1) files[f] = readFileSync(join(cacheDir, f)).length;
    const marker: CacheMarker = {
      tensorflow: TENSORFLOW_VERSION,
      variant: opts.variant,
      source: basename(source),
      files,
    };
    const tmp = join(cacheDir, `${CACHE_MARKER}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(marker, null, 2)}\n`);
    renameSync(tmp, join(cacheDir, CACHE_MARKER));
    opts.log(
      `cache complete: ${report.headers.length} headers, ${Object.keys(report.libs).length} libraries in ${cacheDir}`,
    );
    return { cacheDir, reused: false, marker };
  } finally {
    rmSync(downloads, { recursive: true, force: true });
  }
}

/** The extracted libraries are for this CPU and do not need a particular Python. */
function checkLibraries(cacheDir: string): void {
  for (const lib of LIBS.map((l) => basename(l))) {
    const path = join(cacheDir, 'lib', lib);
    let elf: ReturnType<typeof readElf>;
    try {
      elf = readElf(path);
    } catch (err) {
      throw new NativeSetupError(
        'wrong-platform',
        `${lib} from this wheel is ${(err as Error).message}, not a Linux library: use a manylinux ${wheelArch(process.arch)} wheel`,
      );
    }
    const want = ELF_ARCH[process.arch] ?? process.arch;
    if (elf.machine !== want) {
      throw new NativeSetupError(
        'wrong-platform',
        `${lib} from this wheel is built for ${elf.machine}, but this machine is ${want}: use a manylinux ${wheelArch(process.arch)} wheel`,
      );
    }
    const py = elf.needed.find((n) => n.startsWith('libpython'));
    if (py) {
      throw new NativeSetupError(
        'wrong-python',
        `${lib} from this wheel links ${py}, so it would load only inside that Python: use an official TensorFlow 2.x wheel, whose C library does not link libpython`,
      );
    }
  }
}

/**
 * The C API functions tfjs-node's binding calls (identifiers in `binding/*.{cc,h}` that the
 * extracted headers declare with `TF_CAPI_EXPORT`), and those of them the libraries do not define.
 */
export function checkCApi(cacheDir: string, packageDir: string): { functions: string[]; missing: string[] } {
  const bindingDir = join(packageDir, 'binding');
  const used = new Set<string>();
  for (const f of readdirSync(bindingDir)) {
    const src = readFileSync(join(bindingDir, f), 'utf8');
    for (const m of src.matchAll(/\b(TFE?_[A-Za-z0-9]+)\s*\(/g)) used.add(m[1]);
  }
  const declared = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else
        for (const m of readFileSync(p, 'utf8').matchAll(
          /TF_CAPI_EXPORT\s+extern\s+[^;{]*?\b(TFE?_\w+)\s*\(/g,
        ))
          declared.add(m[1]);
    }
  };
  walk(join(cacheDir, 'include'));
  const functions = [...used].filter((n) => declared.has(n)).sort();
  const defined = new Set<string>();
  for (const lib of LIBS.map((l) => basename(l))) {
    for (const s of readElf(join(cacheDir, 'lib', lib), functions).defined) defined.add(s);
  }
  return { functions, missing: functions.filter((f) => !defined.has(f)) };
}

function nodeHeadersDir(): string | undefined {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : undefined;
}

/** The N-API version node-pre-gyp would pick: the highest of the package's that this Node has. */
function napiVersion(pkg: { binary?: { napi_versions?: number[] } }): number {
  const have = Number(process.versions.napi);
  return Math.max(...(pkg.binary?.napi_versions ?? [3]).filter((v) => v <= have));
}

/**
 * Stages `deps/` (headers copied, libraries linked to the cache) into a tfjs-node folder, builds
 * its binding with node-gyp, loads it in a child Node and writes the build marker.
 */
function buildIn(
  packageDir: string,
  cacheDir: string,
  variant: NativeVariant,
  python: string,
  env: Record<string, string | undefined>,
  log: (l: string) => void,
): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const napi = napiVersion(pkg);
  const modulePath = String(pkg.binary?.module_path ?? './lib/napi-v{napi_build_version}')
    .replace('{napi_build_version}', String(napi))
    .replace(/^\.\//, '');
  const moduleName = String(pkg.binary?.module_name ?? 'tfjs_binding');
  // Only folders the published package does not ship: deps/, build/ and the addon's folder.
  for (const d of ['deps', 'build', modulePath])
    rmSync(join(packageDir, d), { recursive: true, force: true });
  const deps = join(packageDir, 'deps');
  mkdirSync(join(deps, 'lib'), { recursive: true });
  cpSync(join(cacheDir, 'include'), join(deps, 'include'), { recursive: true });
  for (const lib of readdirSync(join(cacheDir, 'lib')))
    symlinkSync(join(cacheDir, 'lib', lib), join(deps, 'lib', lib));
  // binding.gyp links -ltensorflow -ltensorflow_framework; install.js checks for the 2.9.1 name.
  symlinkSync('libtensorflow_cc.so.2', join(deps, 'lib', 'libtensorflow.so'));
  symlinkSync('libtensorflow_cc.so.2', join(deps, 'lib', TFJS_EXPECTED_LIB));
  symlinkSync('libtensorflow_framework.so.2', join(deps, 'lib', 'libtensorflow_framework.so'));

  const nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  const nodedir = nodeHeadersDir();
  const args = [
    nodeGyp,
    'rebuild',
    `--jobs=${availableParallelism()}`,
    `--python=${python}`,
    `--module_name=${moduleName}`,
    // absolute, as node-pre-gyp passes it (binding.gyp copies the addon there; relative is build/-relative)
    `--module_path=${join(packageDir, modulePath)}`,
    `--napi_build_version=${napi}`,
  ];
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  log(
    `building ${basename(dirname(packageDir))}/${basename(packageDir)}'s binding (node-gyp, N-API ${napi}${nodedir ? `, Node headers from ${nodedir}/include/node` : ', Node headers downloaded by node-gyp'}) in ${packageDir}`,
  );
  const r = run(process.execPath, args, { cwd: packageDir, env });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n');
    const err = out.filter((l) => /error/i.test(l)).slice(0, 3);
    throw new NativeSetupError(
      'build-failed',
      `building the binding failed (${err.length ? err.join(' | ') : failure(r)}); the full node-gyp output is above`,
    );
  }
  const binding = join(modulePath, `${moduleName}.node`);
  log(`loading the built binding in a fresh Node to check it`);
  const probe = run(
    process.execPath,
    [
      '-e',
      `const tf = require(${JSON.stringify(packageDir)});
       const c = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
       const g = tf.grad((x) => tf.sum(tf.conv2d(x, tf.ones([3, 3, 1, 1]), 1, 'same')))(tf.ones([1, 4, 4, 1]));
       console.log(JSON.stringify({ backend: tf.getBackend(), c: Array.from(c.dataSync()), g: g.dataSync()[5], tf: tf.backend().binding.TF_Version }));`,
    ],
    // the environment useBestBackend gives TensorFlow (NATIVE_ENV_DEFAULTS: oneDNN off, see there)
    { env: { TF_ENABLE_ONEDNN_OPTS: '0', TF_CPP_MIN_LOG_LEVEL: '2', ...env } },
  );
  const line = (probe.stdout ?? '').trim().split('\n').pop() ?? '';
  let got: { backend: string; c: number[]; g: number; tf: string } | undefined;
  try {
    got = JSON.parse(line);
  } catch {
    got = undefined;
  }
  if (probe.status !== 0 || !got || got.backend !== 'tensorflow' || got.c.join() !== '17,39' || got.g !== 9) {
    throw new NativeSetupError(
      'load-failed',
      `the built binding did not load and compute (${probe.status !== 0 ? failure(probe) : line})`,
    );
  }
  const marker: BuildMarker = {
    tensorflow: TENSORFLOW_VERSION,
    tfVersion: got.tf,
    variant,
    cacheDir,
    binding,
    nodeModules: process.versions.modules,
    napi,
  };
  writeFileSync(join(deps, BUILD_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return got.tf;
}

function checkTool(
  cmd: string,
  args: string[],
  env: Record<string, string | undefined>,
  problem: 'no-python' | 'no-pip' | 'no-compiler',
  what: string,
): string {
  const r = run(cmd, args, { env });
  if (r.status !== 0)
    throw new NativeSetupError(problem, `${what}: \`${cmd} ${args.join(' ')}\` ${failure(r)}`);
  return firstLine(r);
}

/**
 * Sets the native backend up: checks the tools, gets the TensorFlow wheel (pip, or `wheel`),
 * extracts its libraries and the C API headers into the cache, checks that the library defines
 * every C API function tfjs-node's binding calls, builds the binding of the installed
 * `@tensorflow/tfjs-node` (or `-gpu`) against it with node-gyp, and loads it once. One progress
 * line per step; every failure is a {@link NativeSetupError} with one sentence.
 */
export function setupNative(opts: NativeSetupOptions = {}): NativeSetupResult {
  const env = { ...(opts.env ?? process.env) };
  const log = opts.log ?? ((l: string) => console.log(l));
  const variant: NativeVariant = opts.gpu ? 'gpu' : 'cpu';
  let steps = 3;
  let step = 0;
  const progress = (line: string) => log(`paperstack-native: [${++step}/${steps}] ${line}`);
  const note = (line: string) => log(`paperstack-native:       ${line}`);

  if (process.platform !== 'linux' || !(process.arch in ELF_ARCH)) {
    throw new NativeSetupError(
      'unsupported-platform',
      `the native backend is set up from TensorFlow's manylinux wheels, for Linux x86-64 (and aarch64); this is ${process.platform}-${process.arch}`,
    );
  }
  const pkgName = TFJS_NODE_PACKAGES[variant];
  const packageDirs = opts.packageDirs ?? resolveTfjsNode(variant, [process.cwd()]);
  if (!opts.cacheOnly && packageDirs.length === 0) {
    throw new NativeSetupError(
      'no-tfjs-node',
      `${pkgName} is not installed: \`npm install ${pkgName}@4.22.0\` (pnpm: also add "${pkgName}": false to allowBuilds so its downloading install script stays off), then run \`${SETUP_COMMAND}${opts.gpu ? ' --gpu' : ''}\` again`,
    );
  }
  if (!opts.cacheOnly) steps += 2 * packageDirs.length + 1;
  const python = opts.python ?? env.PYTHON ?? 'python3';
  const cxx = opts.cxx ?? env.CXX ?? 'g++';
  const tools: string[] = [];
  tools.push(
    checkTool(
      python,
      ['--version'],
      env,
      'no-python',
      'no Python 3 found (setup needs it for pip and node-gyp; install python3 or set PYTHON)',
    ),
  );
  if (opts.wheel === undefined) {
    tools.push(
      checkTool(
        python,
        ['-m', 'pip', '--version'],
        env,
        'no-pip',
        `no pip for ${python} (needed to download the wheel; install python3-pip, or pass --wheel PATH)`,
      ).split(' from ')[0],
    );
  }
  if (!opts.cacheOnly) {
    tools.push(
      checkTool(
        cxx,
        ['--version'],
        env,
        'no-compiler',
        'no C++ compiler found (building the binding needs one; install g++ and make, or set CXX)',
      ),
    );
    tools.push(
      checkTool(
        'make',
        ['--version'],
        env,
        'no-compiler',
        'no make found (node-gyp builds with it; install make)',
      ),
    );
  }
  progress(`tools: ${tools.join('; ')}`);

  progress(`TensorFlow ${TENSORFLOW_VERSION} (${variant}) cache`);
  const cache = ensureCache({ ...opts, env, python, variant, log: note });
  const headers = Object.keys(cache.marker.files)
    .filter((f) => f.startsWith('include'))
    .map((f) => f.slice('include/'.length));

  progress(`the C API the binding calls`);
  let functions: string[] = [];
  if (packageDirs.length > 0) {
    const capi = checkCApi(cache.cacheDir, packageDirs[0]);
    if (capi.missing.length > 0) {
      throw new NativeSetupError(
        'no-c-api',
        `the TensorFlow library in ${cache.cacheDir} does not define ${capi.missing.join(', ')}, which ${pkgName}'s binding calls: this wheel does not carry the full TensorFlow C API`,
      );
    }
    functions = capi.functions;
    note(`all ${functions.length} TF_/TFE_ functions the binding calls are defined in the library`);
  }
  const result: NativeSetupResult = {
    variant,
    cacheDir: cache.cacheDir,
    cacheReused: cache.reused,
    headers,
    built: [],
    capiFunctions: functions,
  };
  if (opts.cacheOnly) return result;

  const buildEnv = { ...env, CXX: cxx, PYTHON: python };
  for (const dir of packageDirs) {
    progress(`build ${pkgName} in ${dir}`);
    const tfVersion = buildIn(dir, cache.cacheDir, variant, python, buildEnv, note);
    progress(`check: the binding loads TensorFlow ${tfVersion} and computes a matMul and a conv2d gradient`);
    result.built.push({ packageDir: dir, tfVersion });
  }
  progress(
    `done: useBestBackend() now picks 'tensorflow'${variant === 'gpu' ? ' (GPU)' : ''}; PAPERSTACK_BACKEND=tensorflow forces it`,
  );
  return result;
}
