import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeSetupError } from '../errors';
import { readElf } from './elf';
import {
  checkCApi,
  checkWheelName,
  cudaRequirements,
  ensureCache,
  INCLUDE_ROOTS,
  setupNative,
} from './setup';
import { BUILD_MARKER, CACHE_MARKER, checkCache, nativeStatus, tensorflowCacheDir } from './status';

// Small stand-ins for a TensorFlow wheel: the real one is 274 MB and its build takes a minute, so
// these tests check every decision on fakes; CI's `pnpm native:setup` runs the real thing, and the
// parity suites (test-utils' describeBackends) run on what it built.

const tmp = mkdtempSync(join(tmpdir(), 'paperstack-native-test-'));
const python = process.env.PYTHON ?? 'python3';
const hasCc = spawnSync('cc', ['--version']).status === 0;

function write(path: string, text: string | Buffer) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A folder laid out like an extracted TensorFlow wheel; `symbols` are defined in the library. */
function fakeWheelDir(dir: string, symbols: string[], declared: string[] = symbols) {
  const inc = join(dir, 'tensorflow', 'include');
  const decl = (names: string[]) => names.map((n) => `TF_CAPI_EXPORT extern void ${n}(void);`).join('\n');
  write(
    join(inc, 'tensorflow/c/c_api.h'),
    `#include "tensorflow/c/tf_status.h"\n#include <stdint.h>\n#include "third_party/not_shipped.h"\n${decl(declared.filter((n) => !n.startsWith('TFE_')))}\n`,
  );
  write(join(inc, 'tensorflow/c/tf_status.h'), '#include "tensorflow/c/c_api_macros.h"\n');
  write(join(inc, 'tensorflow/c/c_api_macros.h'), '#define TF_CAPI_EXPORT\n');
  write(
    join(inc, 'tensorflow/c/eager/c_api.h'),
    `#include "tensorflow/c/c_api.h"\n${decl(declared.filter((n) => n.startsWith('TFE_')))}\n`,
  );
  write(join(inc, 'tensorflow/core/platform/ctstring_internal.h'), '#include <string.h>\n');
  write(join(inc, 'tensorflow/core/kernels/unrelated.h'), '// not reachable from the roots\n');
  const c = join(dir, 'fake.c');
  write(c, symbols.map((s) => `void ${s}(void) {}`).join('\n'));
  for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    const r = spawnSync('cc', ['-shared', '-fPIC', '-o', join(dir, 'tensorflow', lib), c]);
    if (r.status !== 0) throw new Error(`cc failed: ${r.stderr}`);
  }
  rmSync(c);
}

function zipDir(dir: string, whl: string) {
  const r = spawnSync(python, [
    '-c',
    'import os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[2],"w")\nfor d,_,fs in os.walk(sys.argv[1]):\n  for f in fs: p=os.path.join(d,f); z.write(p, os.path.relpath(p, sys.argv[1]))\nz.close()',
    dir,
    whl,
  ]);
  if (r.status !== 0) throw new Error(`zip failed: ${r.stderr}`);
}

/** The error `f` throws, which must be a NativeSetupError. */
function setupError(f: () => unknown): NativeSetupError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(NativeSetupError);
    const e = err as NativeSetupError;
    // one sentence: one line, no stack or tool output dumped into it
    expect(e.message).not.toMatch(/\n/);
    return e;
  }
  throw new Error('expected a NativeSetupError');
}

const SYMBOLS = ['TF_Version', 'TF_NewStatus', 'TFE_NewContext', 'TFE_Execute'];
const wheelDir = join(tmp, 'wheel');
const goodWheel = join(tmp, 'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl');
const pkgDir = join(tmp, 'tfjs-node');

describe.runIf(hasCc && process.platform === 'linux' && process.arch === 'x64')(
  'paperstack-native setup',
  () => {
    beforeAll(() => {
      fakeWheelDir(wheelDir, SYMBOLS);
      zipDir(wheelDir, goodWheel);
      // what checkCApi reads of tfjs-node: its binding sources
      write(
        join(pkgDir, 'binding', 'b.cc'),
        'void f() { TF_Version(); TFE_NewContext(opts, status); TFE_Execute(op, r, &n, s); TF_AutoStatus(x); }\n',
      );
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('no Python: one sentence naming what to install', () => {
      const e = setupError(() => setupNative({ python: join(tmp, 'no-such-python3'), log: () => {} }));
      expect(e.problem).toBe('no-python');
      expect(e.message).toMatch(
        /^no Python 3 found \(setup needs it for pip and node-gyp; install python3 or set PYTHON\)/,
      );
    });

    it('no pip: names pip and the --wheel way around it', () => {
      const fake = join(tmp, 'python-without-pip');
      write(
        fake,
        '#!/bin/sh\n[ "$1" = "--version" ] && { echo "Python 3.11.0"; exit 0; }\necho "No module named pip" >&2\nexit 1\n',
      );
      chmodSync(fake, 0o755);
      const e = setupError(() => setupNative({ python: fake, packageDirs: [pkgDir], log: () => {} }));
      expect(e.problem).toBe('no-pip');
      expect(e.message).toMatch(
        /no pip for .*install python3-pip, or pass --wheel PATH.*No module named pip/,
      );
    });

    it('no compiler: names the compiler and how to get one, before any download', () => {
      const e = setupError(() =>
        setupNative({
          cxx: join(tmp, 'no-such-g++'),
          packageDirs: [pkgDir],
          cacheRoot: join(tmp, 'c0'),
          log: () => {},
        }),
      );
      expect(e.problem).toBe('no-compiler');
      expect(e.message).toMatch(/^no C\+\+ compiler found .*install g\+\+ and make, or set CXX\).*not found/);
      expect(existsSync(join(tmp, 'c0'))).toBe(false);
    });

    it('a wheel for another CPU or OS: names its platform and this one', () => {
      for (const plat of ['manylinux_2_17_aarch64', 'macosx_12_0_arm64', 'win_amd64']) {
        const e = setupError(() => checkWheelName(`tensorflow_cpu-2.21.0-cp311-cp311-${plat}.whl`, 'x64'));
        expect(e.problem).toBe('wrong-platform');
        expect(e.message).toBe(
          `the wheel tensorflow_cpu-2.21.0-cp311-cp311-${plat}.whl is built for ${plat}, but this machine is Linux x86_64: use a manylinux x86_64 wheel (setup without --wheel downloads the right one)`,
        );
      }
      // an extracted folder has no name to check: the library's ELF header is read instead
      const arm = join(tmp, 'arm-wheel');
      fakeWheelDir(arm, SYMBOLS);
      const lib = join(arm, 'tensorflow', 'libtensorflow_cc.so.2');
      const bytes = readFileSync(lib);
      bytes.writeUInt16LE(183, 18); // e_machine = EM_AARCH64
      writeFileSync(lib, bytes);
      const e = setupError(() =>
        ensureCache({ wheel: arm, cacheRoot: join(tmp, 'c1'), python, variant: 'cpu', log: () => {} }),
      );
      expect(e.problem).toBe('wrong-platform');
      expect(e.message).toMatch(
        /^libtensorflow_cc\.so\.2 from this wheel is built for aarch64, but this machine is x86-64/,
      );
    });

    it('a wheel for another Python is fine: the C library does not link libpython (cp312 here)', () => {
      expect(checkWheelName(goodWheel, 'x64')).toEqual({
        python: 'cp312',
        platform: 'manylinux_2_27_x86_64',
      });
      const { cacheDir, reused } = ensureCache({
        wheel: goodWheel,
        cacheRoot: join(tmp, 'c2'),
        python,
        variant: 'cpu',
        log: () => {},
      });
      expect(reused).toBe(false);
      expect(checkCache(cacheDir).ok).toBe(true);
    });

    it('a wheel without the C API: names what is missing', () => {
      const bare = join(tmp, 'bare');
      write(join(bare, 'tensorflow', 'python', '__init__.py'), '');
      const whl = join(tmp, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
      zipDir(bare, whl);
      const e = setupError(() =>
        ensureCache({ wheel: whl, cacheRoot: join(tmp, 'c3'), python, variant: 'cpu', log: () => {} }),
      );
      expect(e.problem).toBe('no-c-api');
      expect(e.message).toMatch(
        /^tensorflow_cpu-2\.21\.0-cp311-cp311-manylinux_2_27_x86_64\.whl has no TensorFlow C API \(missing tensorflow\/c\/c_api\.h, tensorflow\/c\/eager\/c_api\.h, .*libtensorflow_cc\.so\.2/,
      );
      // headers present but the library lacks a function the binding calls
      const partial = join(tmp, 'partial');
      fakeWheelDir(partial, ['TF_Version', 'TFE_NewContext'], SYMBOLS);
      const { cacheDir } = ensureCache({
        wheel: partial,
        cacheRoot: join(tmp, 'c4'),
        python,
        variant: 'cpu',
        log: () => {},
      });
      expect(checkCApi(cacheDir, pkgDir)).toEqual({
        functions: ['TFE_Execute', 'TFE_NewContext', 'TF_Version'],
        missing: ['TFE_Execute'],
      });
    });

    it('computes the header closure from #include "…", not a list', () => {
      const { cacheDir, marker } = ensureCache({
        wheel: goodWheel,
        cacheRoot: join(tmp, 'c5'),
        python,
        variant: 'cpu',
        log: () => {},
      });
      expect(Object.keys(marker.files).sort()).toEqual([
        'include/tensorflow/c/c_api.h',
        'include/tensorflow/c/c_api_macros.h',
        'include/tensorflow/c/eager/c_api.h',
        'include/tensorflow/c/tf_status.h',
        'include/tensorflow/core/platform/ctstring_internal.h',
        'lib/libtensorflow_cc.so.2',
        'lib/libtensorflow_framework.so.2',
      ]);
      expect(INCLUDE_ROOTS.every((h) => existsSync(join(cacheDir, 'include', h)))).toBe(true);
      expect(
        readElf(join(cacheDir, 'lib', 'libtensorflow_cc.so.2'), ['TF_Version', 'TF_Nope']).defined,
      ).toEqual(new Set(['TF_Version']));
    });

    it('a half-written cache is detected and re-extracted; nothing else is touched', () => {
      const root = join(tmp, 'c6');
      const cacheDir = tensorflowCacheDir('cpu', root);
      ensureCache({ wheel: goodWheel, cacheRoot: root, python, variant: 'cpu', log: () => {} });
      const neighbour = join(root, 'tensorflow', 'keep-me.txt');
      write(neighbour, 'not ours to delete');
      const lib = join(cacheDir, 'lib', 'libtensorflow_cc.so.2');
      const size = readFileSync(lib).length;
      truncateSync(lib, 100); // an interrupted copy
      expect(checkCache(cacheDir)).toEqual({
        ok: false,
        why: `half written (lib/libtensorflow_cc.so.2 has 100 of ${size} bytes)`,
      });
      const lines: string[] = [];
      const again = ensureCache({
        wheel: goodWheel,
        cacheRoot: root,
        python,
        variant: 'cpu',
        log: (l) => lines.push(l),
      });
      expect(again.reused).toBe(false);
      expect(lines[0]).toBe(
        `cache ${cacheDir} is half written (lib/libtensorflow_cc.so.2 has 100 of ${size} bytes): removing it and extracting again`,
      );
      expect(readFileSync(lib).length).toBe(size);
      expect(readFileSync(neighbour, 'utf8')).toBe('not ours to delete');
      // killed before the marker was written
      rmSync(join(cacheDir, CACHE_MARKER));
      expect(checkCache(cacheDir)).toEqual({ ok: false, why: `half written (no ${CACHE_MARKER})` });
      expect(
        ensureCache({ wheel: goodWheel, cacheRoot: root, python, variant: 'cpu', log: () => {} }).reused,
      ).toBe(false);
      expect(
        ensureCache({ wheel: goodWheel, cacheRoot: root, python, variant: 'cpu', log: () => {} }).reused,
      ).toBe(true);
    });

    it('nativeStatus says why the backend is not ready, naming the setup command', () => {
      const root = join(tmp, 'c7');
      const { cacheDir } = ensureCache({
        wheel: goodWheel,
        cacheRoot: root,
        python,
        variant: 'cpu',
        log: () => {},
      });
      expect(nativeStatus('cpu', null)).toMatchObject({
        installed: false,
        ready: false,
        detail: '@tensorflow/tfjs-node not installed',
      });
      const s = nativeStatus('cpu', pkgDir);
      expect(s).toMatchObject({ installed: true, ready: false });
      expect(s.detail).toBe(
        '@tensorflow/tfjs-node is installed but its binding was not built against TensorFlow 2.21.0: run `npx paperstack-native setup` (in the paperstack repository: `pnpm native:setup`)',
      );
      const marker = {
        tensorflow: '2.21.0',
        tfVersion: '2.21.0',
        variant: 'cpu',
        cacheDir,
        binding: 'lib/napi-v8/tfjs_binding.node',
        nodeModules: process.versions.modules,
        napi: 8,
      };
      write(join(pkgDir, 'deps', BUILD_MARKER), JSON.stringify(marker));
      write(join(pkgDir, marker.binding), 'addon');
      expect(nativeStatus('cpu', pkgDir)).toMatchObject({ ready: true });
      rmSync(join(cacheDir, CACHE_MARKER));
      expect(nativeStatus('cpu', pkgDir).detail).toMatch(
        /is installed but the TensorFlow cache .* is half written \(no paperstack-cache\.json\): run `npx paperstack-native setup`/,
      );
      expect(nativeStatus('gpu', pkgDir).detail).toMatch(/run `npx paperstack-native setup --gpu`/);
    });

    it('reads the CUDA wheels the GPU wheel asks for from its metadata', () => {
      const meta = [
        'Requires-Dist: numpy>=1.26.0',
        'Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"',
        "Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == 'and-cuda'",
        'Provides-Extra: and-cuda',
      ].join('\n');
      expect(cudaRequirements(meta)).toEqual([
        'nvidia-cublas-cu12<13.0,>=12.5.3.2',
        'nvidia-cudnn-cu12<10.0,>=9.3.0.75',
      ]);
    });
  },
);
