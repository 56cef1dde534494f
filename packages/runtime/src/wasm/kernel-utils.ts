import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/**
 * The wasm kernels our kernels are built from, as published by `@tensorflow/tfjs-backend-wasm`
 * (captured before we override any of them, see `register.ts`).
 */
const stockConfigs = new Map<string, KernelConfig | undefined>();

/** Remembers the published wasm kernel `name` the first time we are about to replace or add it. */
export function captureStock(name: string, isOurs: (c: KernelConfig) => boolean): KernelConfig | undefined {
  if (!stockConfigs.has(name)) {
    const current = getKernel(name, 'wasm');
    stockConfigs.set(name, current !== undefined && isOurs(current) ? undefined : current);
  }
  return stockConfigs.get(name);
}

export function stockConfig(name: string): KernelConfig | undefined {
  return stockConfigs.has(name) ? stockConfigs.get(name) : getKernel(name, 'wasm');
}

function stockKernel(name: string): KernelFunc {
  const config = stockConfig(name);
  if (config === undefined) throw new Error(`Kernel '${name}' not registered for backend 'wasm'`);
  return config.kernelFunc;
}

/**
 * Runs wasm kernels on behalf of one kernel call and frees every intermediate result on the wasm
 * heap at the end (`backend.disposeData` drops one reference: outputs that share memory with an
 * input, such as Reshape's, stay alive).
 */
export class KernelScope {
  private readonly temps: TensorInfo[] = [];
  constructor(readonly backend: BackendWasm) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const out = stockKernel(name)({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap });
    const outs = Array.isArray(out) ? out : [out];
    this.temps.push(...outs);
    return outs[0];
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    if (perm.every((p, i) => p === i)) return x;
    return this.run('Transpose', { x }, { perm });
  }

  /** A tensor on the wasm heap holding `values`. */
  constant(shape: number[], dtype: 'int32' | 'float32', values: Int32Array | Float32Array): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype, undefined, values);
    this.temps.push(out);
    return out;
  }

  /** A new, uninitialized tensor on the wasm heap, freed with the scope unless kept. */
  alloc(shape: number[], dtype: 'float32' | 'int32'): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype);
    this.temps.push(out);
    return out;
  }

  /**
   * A tensor viewing `shape` float32 values at byte `offset` of the wasm heap (inside another
   * tensor's buffer): registered with the backend so kernels accept it, never freed itself —
   * release it with `unalias` before the buffer it views goes away.
   */
  alias(offset: number, shape: number[]): TensorInfo {
    return this.backend.makeOutput(shape, 'float32', offset);
  }

  /** Forgets an `alias` without freeing the memory it views (BackendWasm.disposeData would). */
  unalias(t: TensorInfo): void {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (data === undefined) return;
    this.backend.wasm.tfjs.disposeData(data.id);
    this.backend.dataIdMap.delete(t.dataId);
  }

  /** Keeps `t` (the kernel's result) out of the cleanup. */
  keep(t: TensorInfo): TensorInfo {
    let i = this.temps.indexOf(t);
    while (i >= 0) {
      this.temps.splice(i, 1);
      i = this.temps.indexOf(t);
    }
    return t;
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/**
 * The whole wasm heap as float32, current even after the heap grew: taken from the
 * `WebAssembly.Memory` (`asm.memory` in the single-threaded build, `wasmMemory` in the threaded
 * one), whose buffer is replaced on growth, rather than from emscripten's cached views.
 */
export function heapF32(backend: BackendWasm): Float32Array {
  type Memory = { buffer: ArrayBufferLike };
  const module = backend.wasm as unknown as { wasmMemory?: Memory; asm?: { memory?: Memory } };
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (memory === undefined) throw new Error('tfjs-backend-wasm: cannot find the wasm memory');
  return new Float32Array(memory.buffer);
}

/**
 * Index into {@link heapF32} of the float32 at byte `offset`. Unsigned: tensors above 2 GiB of
 * the (up to 4 GiB) wasm32 heap have offsets ≥ 2³¹, which a signed `>> 2` turned negative
 * (`copyWithin` then counted from the end of the heap and corrupted it).
 */
export function f32Index(offset: number): number {
  return offset >>> 2;
}

/** Runs `body` with a fresh scope; its result survives, every other intermediate is freed. */
export function withScope(backend: BackendWasm, body: (s: KernelScope) => TensorInfo): TensorInfo {
  const s = new KernelScope(backend);
  try {
    return s.keep(body(s));
  } finally {
    s.dispose();
  }
}
