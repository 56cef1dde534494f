import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, NativeBackendNotSetUpError } from './errors';
import { registerNativeConstantKernels, registerNativeKernelFixes, routeToOneDnn } from './native/kernels';
import { type NativeVariant, nativeStatus } from './native/status';
import { registerWasmFastKernels, registerWasmTrainingKernels } from './wasm/register';
import { initWasmThreads, type WasmThreadsResult } from './wasm/threads';
import {
  setupWebGpu,
  TFJS_WEBGPU_MODULE,
  WEBGPU_MODULE,
  type WebGpuAdapterSummary,
  type WebGpuModules,
} from './webgpu/setup';

/**
 * Backends `useBestBackend` knows, best first. `tensorflow-gpu` and `tensorflow` are the
 * libtensorflow bindings (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`); both register
 * the tfjs backend named `tensorflow`. `webgpu` is `@tensorflow/tfjs-backend-webgpu` on Dawn (the
 * npm package `webgpu`); unless forced it is used only on a hardware adapter.
 */
export type BackendCandidate = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Values of `PAPERSTACK_BACKEND` (and `UseBestBackendOptions.backend`). */
export type BackendRequest = 'tensorflow' | 'tensorflow-gpu' | 'webgpu' | 'wasm' | 'cpu';

/**
 * The order `useBestBackend` tries the backends in when none is forced: native TensorFlow first
 * (GPU, then CPU; only once `paperstack-native setup` built it), then WebGPU, wasm, cpu.
 */
export const DEFAULT_ORDER: readonly BackendCandidate[] = [
  'tensorflow-gpu',
  'tensorflow',
  'webgpu',
  'wasm',
  'cpu',
];

/** Options of {@link useBestBackend}; every field is optional. */
export interface UseBestBackendOptions {
  /**
   * Force one backend instead of trying them in order. Default: env `PAPERSTACK_BACKEND`, else
   * none. `tensorflow` means tfjs-node-gpu, else tfjs-node.
   */
  backend?: BackendRequest;
  /** Where the one-line summary goes; `false` for silence. Default `console.log`. */
  log?: ((line: string) => void) | false;
  /** Environment to read `PAPERSTACK_BACKEND` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * When wasm is chosen, add the training kernels it lacks and the faster matMul and conv kernels
   * (`registerWasmTrainingKernels`, `registerWasmFastKernels`). Default true.
   */
  wasmKernels?: boolean;
  /**
   * Threads for the wasm backend (Node only; see the README's "Threads"). Default: env
   * `PAPERSTACK_WASM_THREADS`, else 1 (the published single-threaded SIMD binary). Takes effect
   * only if nothing initialized the wasm backend before.
   */
  wasmThreads?: number;
  /**
   * The `webgpu` and `@tensorflow/tfjs-backend-webgpu` modules, for bundled apps (the runtime
   * imports these optional packages by name, which bundlers do not follow). Default: by name.
   */
  webgpuModules?: WebGpuModules;
}

/** One candidate `useBestBackend` tried, in the order tried. */
export interface BackendAttempt {
  /** The backend tried. */
  candidate: BackendCandidate;
  /** Whether it loaded and initialized (the first that does is used). */
  ok: boolean;
  /** Why it was not used (not installed, failed to initialize, …). */
  detail?: string;
}

/** What {@link useBestBackend} set up, and why. */
export interface BackendChoice {
  /** The tfjs backend name now active (`tf.getBackend()`). */
  backend: string;
  /** The candidate that won. */
  candidate: BackendCandidate;
  /** One sentence: what was chosen and why the better ones were not. */
  reason: string;
  /** Every candidate tried up to and including the winner. */
  attempts: BackendAttempt[];
  /** Kernels @paperstack/runtime registered for this backend (wasm; `ZerosLike`/`OnesLike` on tensorflow). */
  kernels: string[];
  /** What came of a request for more than one wasm thread. */
  wasmThreads?: WasmThreadsResult;
  /** The Dawn adapter, when webgpu was chosen. */
  webgpu?: WebGpuAdapterSummary;
}

type Loader = () => Promise<unknown>;

// Module specifiers kept in variables so bundlers do not try to resolve optional packages.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';

/**
 * Environment defaults for TensorFlow, applied (only where the caller left them unset) before
 * tfjs-node loads, since TensorFlow reads them once, when the library loads:
 * - `TF_ENABLE_ONEDNN_OPTS=0`: with TensorFlow 2.21's oneDNN kernels on (its default on x86), the
 *   gradient of `conv2d` with respect to a single-channel input is wrong (measured: relative error
 *   1.35 against the cpu backend for x[1,4,4,1], filter 3×3×1×1; with 2 threads it varied from run
 *   to run); with them off every case we compared matches the cpu backend within float32 rounding.
 * - `TF_CPP_MIN_LOG_LEVEL=1`: warnings and errors only.
 * - On machines with at most 2 CPUs, `TF_NUM_INTRAOP_THREADS=1` and `TF_NUM_INTEROP_THREADS=1`: there
 *   TensorFlow's pool threads spin while the JS thread issues thousands of small kernels, and compete
 *   with it for the cores (measured on 2 vCPUs, idle: the demo's MAE → MAE-CT 319 → 257 s wall, VoxelNet
 *   110 → 99 s; README "Environment"). Not measured on larger machines, so left to TensorFlow there.
 */
export const NATIVE_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  TF_ENABLE_ONEDNN_OPTS: '0',
  TF_CPP_MIN_LOG_LEVEL: '1',
  ...(availableParallelism() <= 2 ? { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' } : {}),
};

/**
 * Loads tfjs-node(-gpu) only when `paperstack-native setup` built its binding (nothing is built or
 * downloaded here), after applying {@link NATIVE_ENV_DEFAULTS} to `process.env`.
 */
async function loadNative(variant: NativeVariant, env: Record<string, string | undefined>): Promise<unknown> {
  const status = nativeStatus(variant);
  if (status.installed && !status.ready) throw new NativeBackendNotSetUpError(status.detail);
  for (const [name, value] of Object.entries(NATIVE_ENV_DEFAULTS)) {
    if (process.env[name] === undefined && env[name] === undefined) process.env[name] = value;
  }
  return import(variant === 'gpu' ? TFJS_NODE_GPU : TFJS_NODE);
}

let loaderEnv: Record<string, string | undefined> = process.env;

const loaders: Record<BackendCandidate, { module: string; load: Loader; tfName: string }> = {
  'tensorflow-gpu': { module: TFJS_NODE_GPU, load: () => loadNative('gpu', loaderEnv), tfName: 'tensorflow' },
  // Loaded by setupWebGpu (it needs to know whether a software adapter is acceptable).
  webgpu: {
    module: `${WEBGPU_MODULE} + ${TFJS_WEBGPU_MODULE}`,
    load: async () => undefined,
    tfName: 'webgpu',
  },
  tensorflow: { module: TFJS_NODE, load: () => loadNative('cpu', loaderEnv), tfName: 'tensorflow' },
  wasm: {
    module: '@tensorflow/tfjs-backend-wasm',
    load: () => import('@tensorflow/tfjs-backend-wasm'),
    tfName: 'wasm',
  },
  cpu: {
    module: '@tensorflow/tfjs-backend-cpu',
    load: () => import('@tensorflow/tfjs-backend-cpu'),
    tfName: 'cpu',
  },
};

function describeError(candidate: BackendCandidate, err: unknown): string {
  if (err instanceof NativeBackendNotSetUpError) return err.message;
  const code = (err as { code?: string })?.code;
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    if (candidate === 'webgpu') {
      const which = msg.includes(TFJS_WEBGPU_MODULE) ? TFJS_WEBGPU_MODULE : WEBGPU_MODULE;
      return `${which} not installed`;
    }
    return `${loaders[candidate].module} not installed`;
  }
  return `${loaders[candidate].module} failed: ${msg.split('\n')[0]}`;
}

async function tryCandidate(
  candidate: BackendCandidate,
  threads: number,
  forced: boolean,
  env: Record<string, string | undefined>,
  modules: WebGpuModules | undefined,
): Promise<
  BackendAttempt & { wasmThreads?: WasmThreadsResult; webgpu?: WebGpuAdapterSummary; notSetUp?: boolean }
> {
  const { load, tfName } = loaders[candidate];
  loaderEnv = env;
  try {
    const mod = await load();
    let webgpu: WebGpuAdapterSummary | undefined;
    if (candidate === 'webgpu') webgpu = (await setupWebGpu({ allowSoftware: forced, env, modules })).adapter;
    let wasmThreads: WasmThreadsResult | undefined;
    if (candidate === 'wasm' && threads > 1) {
      wasmThreads = await initWasmThreads(mod as typeof import('@tensorflow/tfjs-backend-wasm'), threads);
    }
    if (!tf.findBackendFactory(tfName)) {
      return {
        candidate,
        ok: false,
        detail: `${loaders[candidate].module} registered no '${tfName}' backend`,
      };
    }
    const ok = await tf.setBackend(tfName);
    await tf.ready();
    if (!ok) return { candidate, ok: false, detail: `backend '${tfName}' failed to initialize` };
    return { candidate, ok: true, wasmThreads, webgpu };
  } catch (err) {
    return {
      candidate,
      ok: false,
      detail: describeError(candidate, err),
      notSetUp: err instanceof NativeBackendNotSetUpError,
    };
  }
}

function parseRequest(value: string | undefined, source: string): BackendCandidate[] | undefined {
  if (value === undefined || value === '') return undefined;
  switch (value) {
    case 'tensorflow':
      return ['tensorflow-gpu', 'tensorflow'];
    case 'tensorflow-gpu':
    case 'webgpu':
    case 'wasm':
    case 'cpu':
      return [value];
    default:
      throw new BackendUnavailableError(
        `${source}: expected one of tensorflow | tensorflow-gpu | webgpu | wasm | cpu, received '${value}'`,
      );
  }
}

function parseThreads(option: number | undefined, envValue: string | undefined): number {
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 1 || option > 8) {
      throw new BackendUnavailableError(
        `useBestBackend: option wasmThreads: expected an integer from 1 to 8, received ${option}`,
      );
    }
    return option;
  }
  if (envValue === undefined || envValue === '') return 1;
  const n = Number(envValue);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new BackendUnavailableError(
      `useBestBackend: env PAPERSTACK_WASM_THREADS: expected an integer from 1 to 8, received '${envValue}'`,
    );
  }
  return n;
}

/**
 * Registers gradients when nothing did yet: importing `@tensorflow/tfjs-core` alone registers
 * none, so `tf.grad` would throw. tfjs-node and the union `@tensorflow/tfjs` register them;
 * otherwise `@tensorflow/tfjs-layers` does.
 */
async function ensureGradients(): Promise<void> {
  if (tf.getGradient('Sum') === undefined) await import('@tensorflow/tfjs-layers');
}

/**
 * Picks the fastest backend available in this process and makes it the active tfjs backend:
 * tfjs-node-gpu, then webgpu on a hardware adapter, then tfjs-node (all three optional installs),
 * then wasm, then cpu ({@link DEFAULT_ORDER}). `PAPERSTACK_BACKEND` (or `opts.backend`) forces one,
 * and then failing to set it up is an error. Logs one line.
 */
export async function useBestBackend(opts: UseBestBackendOptions = {}): Promise<BackendChoice> {
  const env = opts.env ?? process.env;
  const forced =
    parseRequest(opts.backend, 'useBestBackend: option backend') ??
    parseRequest(env.PAPERSTACK_BACKEND, 'useBestBackend: env PAPERSTACK_BACKEND');
  const order = forced ?? DEFAULT_ORDER;
  const threads = parseThreads(opts.wasmThreads, env.PAPERSTACK_WASM_THREADS);

  const attempts: BackendAttempt[] = [];
  let notSetUp = false;
  for (const candidate of order) {
    const {
      wasmThreads,
      webgpu,
      notSetUp: native,
      ...attempt
    } = await tryCandidate(candidate, threads, forced !== undefined, env, opts.webgpuModules);
    attempts.push(attempt);
    notSetUp ||= native === true;
    if (!attempt.ok) continue;
    await ensureGradients();
    const kernels: string[] = [];
    if (candidate === 'tensorflow' || candidate === 'tensorflow-gpu')
      kernels.push(
        ...registerNativeKernelFixes(),
        ...registerNativeConstantKernels(),
        ...routeToOneDnn('tensorflow', { on: env.PAPERSTACK_ONEDNN !== '0' }),
      );
    if (candidate === 'wasm' && opts.wasmKernels !== false) {
      for (const report of [registerWasmTrainingKernels(), registerWasmFastKernels()]) {
        kernels.push(
          ...report.registered,
          ...report.skipped.filter((k) => k.reason === 'already registered').map((k) => k.kernel),
        );
      }
    }
    const skipped = attempts.filter((a) => !a.ok).map((a) => a.detail);
    const how = forced ? 'forced by PAPERSTACK_BACKEND/option' : 'best available';
    const threadNote = wasmThreads
      ? `; ${wasmThreads.threads} wasm thread(s)${wasmThreads.detail ? ` (${wasmThreads.detail})` : ''}`
      : '';
    const gpuNote = webgpu
      ? `; adapter ${webgpu.device || webgpu.description} via ${webgpu.api}${webgpu.software ? ' (software)' : ''}${webgpu.featureLevel === 'compatibility' ? ', compatibility mode' : ''}`
      : '';
    const reason = `${loaders[candidate].tfName} (${candidate}, ${how})${gpuNote}${threadNote}${skipped.length ? `; skipped: ${skipped.join('; ')}` : ''}`;
    const choice: BackendChoice = {
      backend: tf.getBackend(),
      candidate,
      reason,
      attempts,
      kernels,
      wasmThreads,
      webgpu,
    };
    if (opts.log !== false) (opts.log ?? console.log)(`paperstack: backend ${reason}`);
    return choice;
  }
  // A forced native backend that is installed but not built gets its own type (the message names
  // the setup command).
  const Err = notSetUp ? NativeBackendNotSetUpError : BackendUnavailableError;
  throw new Err(
    `useBestBackend: no usable backend among [${order.join(', ')}]: ${attempts.map((a) => a.detail).join('; ')}`,
  );
}
