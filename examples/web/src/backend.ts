// Backend choice for the browser: webgl (a hardware GPU), then wasm (SIMD, one thread), then cpu. WebGL on a software rasterizer (SwiftShader, llvmpipe — what
// headless Chromium without a GPU offers) ranks below wasm, because it is slower there.
// `?backend=webgl|wasm|cpu` forces one; a forced backend that fails is reported, not replaced.
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'webgl' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

export interface BackendChoice {
  /** `tf.getBackend()` after the choice. */
  backend: BackendName;
  /** One line for the page: what runs, on what, and why. */
  detail: string;
  /** Why each better candidate was skipped. */
  skipped: string[];
}

// The wasm binaries are bundled by Vite (hashed asset URLs); nothing comes from a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/** The WebGL renderer string, or null when the browser gives no WebGL context. */
export function webglRenderer(): string | null {
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

/** True for renderers that rasterize on the CPU. */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
}

async function trySet(name: BackendName): Promise<string | null> {
  try {
    // The threaded wasm build starts its workers from the source text of a bundled function, which
    // bundling breaks ("ReferenceError: e is not defined" in every worker, then a hang; measured with
    // Vite 8 in Chromium 156 under cross-origin isolation; tfjs issue #4107). Single-threaded SIMD it is.
    if (name === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const ok = await tf.setBackend(name);
    if (!ok) return `${name}: failed to initialize`;
    await tf.ready();
    // A tiny op proves the backend works (shader compilation, wasm instantiation).
    const r = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
    const v = (await r.data())[0];
    r.dispose();
    return v === 12 ? null : `${name}: computed ${v} for a test sum (expected 12)`;
  } catch (err) {
    return `${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}

function describe(name: BackendName, renderer: string | null): string {
  if (name === 'webgl') return `webgl on ${renderer ?? 'an unknown renderer'}`;
  if (name === 'wasm') {
    const flags = tf.env();
    const simd = flags.getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = flags.getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'single-threaded'})`;
  }
  return 'cpu (plain JavaScript)';
}

/** Picks and initializes the backend (see the module comment). */
export async function chooseBackend(requested: string | null): Promise<BackendChoice> {
  const renderer = webglRenderer();
  const skipped: string[] = [];
  if (requested !== null && requested !== '') {
    if (!BACKENDS.includes(requested as BackendName)) {
      throw new Error(`backend=${requested}: expected one of ${BACKENDS.join(', ')}`);
    }
    const name = requested as BackendName;
    if (name === 'webgl' && renderer === null)
      throw new Error('backend=webgl: this browser gives no WebGL context');
    const failure = await trySet(name);
    if (failure !== null) throw new Error(`backend=${name} failed: ${failure}`);
    return { backend: name, detail: `${describe(name, renderer)} — forced by ?backend=${name}`, skipped };
  }
  let order: BackendName[] = ['webgl', 'wasm', 'cpu'];
  if (renderer === null) {
    skipped.push('webgl: no WebGL context');
    order = ['wasm', 'cpu'];
  } else if (isSoftwareRenderer(renderer)) {
    skipped.push(`webgl: software renderer (${renderer}), slower than wasm — tried after it`);
    order = ['wasm', 'webgl', 'cpu'];
  }
  for (const name of order) {
    const failure = await trySet(name);
    if (failure === null) {
      return { backend: name, detail: `${describe(name, renderer)} — best available`, skipped };
    }
    skipped.push(failure);
  }
  throw new Error(`no tfjs backend works here: ${skipped.join('; ')}`);
}
