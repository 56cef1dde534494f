import * as tf from '@tensorflow/tfjs-core';
import { WebGpuSyncReadError } from '../errors';
import { installWebGpuKernelFixes } from './kernels';

/**
 * WebGPU in Node on Dawn: the npm package `webgpu` (Dawn's Node binding, dawn-gpu/node-webgpu,
 * `index.js` exports `create(flags)` and `globals`) gives a `GPU` object; tfjs-backend-webgpu 4.22
 * registers its backend only when `globalThis.navigator.gpu` exists at import time
 * (tensorflow/tfjs, tfjs-backend-webgpu/src/base.ts `isWebGPUSupported()`), which Node never has.
 * So we register the `webgpu` backend ourselves with the published `WebGPUBackend` class and an
 * adapter we picked, and never touch `navigator`.
 */

/** Graphics APIs Dawn can drive on Linux, in the order `useBestBackend` tries them. */
export type DawnApi = 'vulkan' | 'opengles';

/** The Dawn adapter the webgpu backend runs on, as reported in {@link BackendChoice.webgpu}. */
export interface WebGpuAdapterSummary {
  /** The graphics API Dawn drives the adapter through. */
  api: DawnApi;
  /** `GPUAdapterInfo.device` / `.description` as Dawn reports them. */
  device: string;
  description: string;
  vendor: string;
  /** A CPU rasterizer (llvmpipe, lavapipe, SwiftShader) or Dawn's fallback adapter. */
  software: boolean;
  /** `'core'` on Vulkan; `'compatibility'` on OpenGL ES (Dawn refuses core there). */
  featureLevel: 'core' | 'compatibility';
}

export interface WebGpuSetup {
  adapter: WebGpuAdapterSummary;
  /** Globals this call added to `globalThis` (only ones that were missing). */
  globalsAdded: string[];
  /** Adapters seen and not used, with why. */
  rejected: string[];
}

export interface WebGpuSetupOptions {
  /** Accept a software adapter (llvmpipe). `useBestBackend` allows it only when webgpu is forced. */
  allowSoftware: boolean;
  /** Environment (default `process.env`); `EGL_PLATFORM` is read and, for GL, defaulted. */
  env?: Record<string, string | undefined>;
  /** APIs to try, in order. Default env `PAPERSTACK_WEBGPU_API` (`vulkan` or `opengles`), else both. */
  apis?: DawnApi[];
  /** The two packages, already imported (for bundled apps); default: imported by name. */
  modules?: WebGpuModules;
}

/**
 * `import * as webgpu from 'webgpu'` and `import * as tfjsBackendWebgpu from
 * '@tensorflow/tfjs-backend-webgpu'`, for apps whose bundler cannot follow the runtime's
 * by-name imports of these optional packages.
 */
export interface WebGpuModules {
  webgpu: unknown;
  tfjsBackendWebgpu: unknown;
}

// Specifiers in variables so bundlers leave the optional packages alone.
export const WEBGPU_MODULE = 'webgpu';
export const TFJS_WEBGPU_MODULE = '@tensorflow/tfjs-backend-webgpu';

/**
 * Globals tfjs-backend-webgpu 4.22 reads as free identifiers (`GPUBufferUsage`, `GPUMapMode`,
 * `GPUTextureUsage` constants; `instanceof GPUBuffer` / `GPUTexture` in
 * dist/tf-backend-webgpu.node.js). Browsers define them; Node does not.
 */
const NEEDED_GLOBALS = [
  'GPUBufferUsage',
  'GPUMapMode',
  'GPUTextureUsage',
  'GPUBuffer',
  'GPUTexture',
] as const;

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

interface DawnGpu {
  requestAdapter(opts?: Record<string, unknown>): Promise<DawnAdapter | null>;
}
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}
interface DawnAdapter {
  info: { vendor: string; device: string; description: string; isFallbackAdapter?: boolean };
  features: { has(f: string): boolean };
  limits: Record<string, number>;
  requestDevice(desc?: Record<string, unknown>): Promise<unknown>;
}

interface Found {
  gpu: DawnGpu;
  adapter: DawnAdapter;
  request: Record<string, unknown>;
  summary: WebGpuAdapterSummary;
}

let registered: Found | undefined;

/**
 * `WebGPUBackend`'s constructor throws unless `globalThis.navigator.gpu` exists
 * (tfjs-backend-webgpu 4.22, dist/tf-backend-webgpu.node.js, `isWebGPUSupported()`); nothing else
 * in the backend reads it. So it is set for the constructor call only, then removed again.
 */
function withNavigatorGpu<T>(gpu: DawnGpu, make: () => T): T {
  const g = globalThis as { navigator?: Record<string, unknown> };
  if (g.navigator?.gpu !== undefined) return make();
  const hadNavigator = g.navigator !== undefined;
  if (!hadNavigator) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  const nav = g.navigator as Record<string, unknown>;
  Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  try {
    return make();
  } finally {
    delete nav.gpu;
    if (!hadNavigator) delete (globalThis as { navigator?: unknown }).navigator;
  }
}

/** Adapter limits to require: all of them, so compatibility mode's low defaults do not apply. */
function requiredLimits(adapter: DawnAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  // GPUSupportedLimits exposes its values as prototype getters: iterate with for…in.
  for (const key in adapter.limits) {
    const v = adapter.limits[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

function parseApis(env: Record<string, string | undefined>): DawnApi[] {
  const v = env.PAPERSTACK_WEBGPU_API;
  if (v === undefined || v === '') return ['vulkan', 'opengles'];
  if (v === 'vulkan' || v === 'opengles') return [v];
  throw new Error(`env PAPERSTACK_WEBGPU_API: expected vulkan | opengles, received '${v}'`);
}

async function findAdapter(
  dawn: DawnModule,
  opts: WebGpuSetupOptions,
  apis: DawnApi[],
  rejected: string[],
): Promise<Found | undefined> {
  const env = opts.env ?? process.env;
  for (const api of apis) {
    // Mesa's EGL needs a platform without a display server; Dawn's GL backend opens an EGL
    // display when the adapter is requested. Set only if the user did not choose one, and only
    // for that request.
    const setEgl = api === 'opengles' && process.env.EGL_PLATFORM === undefined;
    if (setEgl) process.env.EGL_PLATFORM = env.EGL_PLATFORM ?? 'surfaceless';
    let adapter: DawnAdapter | null = null;
    let gpu: DawnGpu;
    const featureLevel = api === 'opengles' ? 'compatibility' : 'core';
    const request = { featureLevel, powerPreference: 'high-performance' };
    try {
      gpu = dawn.create([`backend=${api}`]);
      adapter = await gpu.requestAdapter(request);
    } catch (err) {
      rejected.push(`${api}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      continue;
    } finally {
      if (setEgl) delete process.env.EGL_PLATFORM;
    }
    if (!adapter) {
      rejected.push(`${api}: no adapter`);
      continue;
    }
    const { vendor = '', device = '', description = '', isFallbackAdapter } = adapter.info;
    const software = isFallbackAdapter === true || SOFTWARE.test(`${vendor} ${device} ${description}`);
    const summary: WebGpuAdapterSummary = { api, device, description, vendor, software, featureLevel };
    if (software && !opts.allowSoftware) {
      rejected.push(
        `${api}: software adapter ${device || description} (set PAPERSTACK_BACKEND=webgpu to use it)`,
      );
      continue;
    }
    return { gpu, adapter, request, summary };
  }
  return undefined;
}

/**
 * tfjs-backend-webgpu's `readSync` returns values already on the CPU, and otherwise copies the
 * buffer through `OffscreenCanvas` (dist/tf-backend-webgpu.node.js, `WebGPUBackend.readSync`),
 * which Node lacks: it would fail with "OffscreenCanvas is not defined". Here that case fails
 * with a {@link WebGpuSyncReadError} saying what to do instead.
 */
function guardReadSync(backend: tf.KernelBackend): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const b = backend as tf.KernelBackend & {
    tensorMap: { get(id: object): { values?: unknown; dtype: string } | undefined };
  };
  const stock = b.readSync.bind(b);
  b.readSync = (dataId: object) => {
    const data = b.tensorMap.get(dataId);
    if (data && data.values == null && data.dtype !== 'string' && data.dtype !== 'complex64') {
      throw new WebGpuSyncReadError(
        'webgpu backend in Node: a tensor on the GPU was read synchronously (dataSync, arraySync, bufferSync, ' +
          'or a kernel that reads values on the CPU); expected an asynchronous read (await tensor.data()), ' +
          'since Dawn has no blocking read in Node',
      );
    }
    return stock(dataId);
  };
}

/**
 * Loads `webgpu` and `@tensorflow/tfjs-backend-webgpu`, picks a Dawn adapter (Vulkan, then
 * OpenGL ES in compatibility mode) and registers the tfjs `webgpu` backend on it. Does not call
 * `tf.setBackend`. Throws (with the reason) when a package is missing or no adapter qualifies.
 * Side effects: adds the missing `NEEDED_GLOBALS` to `globalThis` (kept: the backend reads them
 * on every call); sets `EGL_PLATFORM=surfaceless` while the GL adapter is requested, if unset;
 * sets `navigator.gpu` (and `navigator`, on Node 20) only while the backend object is constructed;
 * wraps a few webgpu kernels whose shaders are invalid for some shapes (`./kernels.ts`).
 */
export async function setupWebGpu(opts: WebGpuSetupOptions): Promise<WebGpuSetup> {
  const rejected: string[] = [];
  const apis = opts.apis ?? parseApis(opts.env ?? process.env);
  if (registered) {
    if (registered.summary.software && !opts.allowSoftware) {
      throw new Error(`only a software adapter (${registered.summary.device}) is registered`);
    }
    return { adapter: registered.summary, globalsAdded: [], rejected };
  }
  if (tf.findBackendFactory('webgpu')) {
    throw new Error(
      "a 'webgpu' backend was registered by someone else (navigator.gpu was set); use it directly",
    );
  }
  const dawn = (opts.modules?.webgpu ?? (await import(/* @vite-ignore */ WEBGPU_MODULE))) as DawnModule;
  const tfWebGpu = (opts.modules?.tfjsBackendWebgpu ??
    (await import(/* @vite-ignore */ TFJS_WEBGPU_MODULE))) as {
    WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
  };
  const found = await findAdapter(dawn, opts, apis, rejected);
  if (!found) throw new Error(`no usable WebGPU adapter: ${rejected.join('; ')}`);
  installWebGpuKernelFixes();

  const globalsAdded: string[] = [];
  const g = globalThis as Record<string, unknown>;
  for (const name of NEEDED_GLOBALS) {
    if (g[name] === undefined && dawn.globals[name] !== undefined) {
      g[name] = dawn.globals[name];
      globalsAdded.push(name);
    }
  }

  // Same device request as tfjs-backend-webgpu's own factory (tfjs-backend-webgpu/src/base.ts),
  // except that every adapter limit is required (compatibility mode's defaults are lower, e.g. 4
  // storage buffers per stage where llvmpipe offers 16). An adapter makes one device, so a second
  // initialization (after tf.removeBackend, or a retry) asks for a new adapter with the same request.
  let first: DawnAdapter | undefined = found.adapter;
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = first ?? (await found.gpu.requestAdapter(found.request));
      first = undefined;
      if (!adapter) throw new Error(`the ${found.summary.api} adapter is gone`);
      const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: requiredLimits(adapter),
      });
      const backend = withNavigatorGpu(found.gpu, () => new tfWebGpu.WebGPUBackend(device, adapter.info));
      guardReadSync(backend);
      return backend;
    },
    3,
  );
  registered = found;
  return { adapter: found.summary, globalsAdded, rejected };
}
