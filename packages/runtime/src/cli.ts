#!/usr/bin/env node
// `paperstack-native setup [--gpu] [--wheel PATH] [--cache DIR]` and `paperstack-native status`:
// sets the native TensorFlow backend up (packages/runtime/README.md, "Native TensorFlow").
import { NativeSetupError } from './errors';
import { setupNative } from './native/setup';
import { nativeCacheRoot, nativeStatus } from './native/status';

const USAGE = `usage: paperstack-native setup [--gpu] [--wheel PATH] [--cache DIR]
       paperstack-native status [--gpu]

setup   downloads the TensorFlow wheel with pip (or uses --wheel, a .whl or an extracted wheel
        folder), extracts its C library and headers into the cache (--cache, default env
        PAPERSTACK_CACHE_DIR, else $XDG_CACHE_HOME/paperstack or ~/.cache/paperstack), and builds
        @tensorflow/tfjs-node's binding against it (--gpu: the CUDA 12 wheel and tfjs-node-gpu).
status  says whether the native backend is set up.`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  let gpu = false;
  let wheel: string | undefined;
  let cacheRoot: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--gpu') gpu = true;
    else if (a === '--wheel' && rest[i + 1]) wheel = rest[++i];
    else if (a === '--cache' && rest[i + 1]) cacheRoot = rest[++i];
    else {
      console.error(`paperstack-native: unknown argument '${a}'\n${USAGE}`);
      return 2;
    }
  }
  if (command === 'status') {
    const s = nativeStatus(gpu ? 'gpu' : 'cpu');
    console.log(`paperstack-native: ${s.ready ? 'ready' : 'not ready'}: ${s.detail}`);
    return s.ready ? 0 : 1;
  }
  if (command !== 'setup') {
    console.error(
      command === undefined || command === '--help' ? USAGE : `unknown command '${command}'\n${USAGE}`,
    );
    return command === '--help' ? 0 : 2;
  }
  const t0 = Date.now();
  try {
    setupNative({ gpu, wheel, cacheRoot: cacheRoot ?? nativeCacheRoot() });
  } catch (err) {
    if (err instanceof NativeSetupError) {
      console.error(`paperstack-native: setup failed: ${err.message}`);
      return 1;
    }
    throw err;
  }
  console.log(`paperstack-native: set up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
