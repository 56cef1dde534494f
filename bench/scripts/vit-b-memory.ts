/**
 * A ViT-B/16 training step on the wasm backend and its heap use. Reproduces the failure "memory
 * access out of bounds" (`--stock`) and shows where the memory goes (`--alloc`); see bench/NOTES.md,
 * "ViT-B on wasm".
 *
 *   pnpm exec tsx scripts/vit-b-memory.ts [--stock] [--batch 2] [--depth 12] [--mae] [--adamw] [--steps 1] [--alloc]
 *
 * --stock   the published wasm kernels only (no @paperstack/runtime kernels, no heap guard)
 * --mae     the MAE loss (encoder on the kept 25% of patches + 512-d decoder) instead of the mean
 *           patch token of the encoder on all patches
 * --adamw   add an AdamW update (maect `groupedAdamW`) after the gradients (default: gradients only)
 * --alloc   track live heap allocations by the kernel that made them; print the peak and its makeup
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { groupedAdamW, MAE_PRESETS, MaskedAutoencoder, pool, VisionTransformer } from '@paperstack/maect';
import { registerWasmFastKernels, registerWasmTrainingKernels } from '@paperstack/runtime';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

const { values: a } = parseArgs({
  options: {
    stock: { type: 'boolean', default: false },
    batch: { type: 'string', default: '2' },
    depth: { type: 'string', default: '12' },
    mae: { type: 'boolean', default: false },
    adamw: { type: 'boolean', default: false },
    alloc: { type: 'boolean', default: false },
    steps: { type: 'string', default: '1' },
  },
});
const batch = Number(a.batch);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

await tf.setBackend('wasm');
if (!a.stock) {
  registerWasmTrainingKernels();
  registerWasmFastKernels();
}
const backend = tf.backend() as BackendWasm;
const module = backend.wasm as unknown as {
  _malloc: (n: number) => number;
  _free: (p: number) => void;
  HEAPU8: Uint8Array;
};
const heap = () => mib(module.HEAPU8.length);

// --alloc: every allocation is charged to the kernel running when it is made
let kernel = '(outside kernels)';
const live = new Map<number, { bytes: number; kernel: string }>();
let liveBytes = 0;
let peak = { bytes: 0, makeup: new Map<string, number>(), during: '' };
if (a.alloc) {
  for (const k of tf.getKernelsForBackend('wasm')) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const outer = kernel;
        kernel = k.kernelName;
        try {
          return k.kernelFunc(args);
        } finally {
          kernel = outer;
        }
      },
    });
  }
  const track = (malloc: (n: number) => number) => (n: number) => {
    const p = malloc(n) >>> 0;
    live.set(p, { bytes: n, kernel });
    liveBytes += n;
    if (liveBytes > peak.bytes) {
      const makeup = new Map<string, number>();
      for (const v of live.values()) makeup.set(v.kernel, (makeup.get(v.kernel) ?? 0) + v.bytes);
      peak = { bytes: liveBytes, makeup, during: kernel };
    }
    return p;
  };
  // the malloc in place now (the runtime's heap guard, or emscripten's lazy export stub, which
  // replaces itself on its first call: route that replacement behind the tracking too)
  let tracked = track(module._malloc);
  Object.defineProperty(module, '_malloc', {
    configurable: true,
    get: () => tracked,
    set: (f: (n: number) => number) => {
      tracked = track(f);
    },
  });
  const untrack = (free: (p: number) => void) => (p: number) => {
    liveBytes -= live.get(p >>> 0)?.bytes ?? 0;
    live.delete(p >>> 0);
    free(p);
  };
  let untracked = untrack(module._free);
  Object.defineProperty(module, '_free', {
    configurable: true,
    get: () => untracked,
    set: (f: (p: number) => void) => {
      untracked = untrack(f);
    },
  });
}

const preset = { ...MAE_PRESETS['vit-b/16'], imgSize: 224, depth: Number(a.depth) };
const { decoderEmbedDim: _e, decoderDepth: _d, decoderNumHeads: _h, ...vitOptions } = preset;
const mae = a.mae ? new MaskedAutoencoder(preset) : undefined;
const vit = mae ? mae.encoder : new VisionTransformer(vitOptions);
vit.build();
const vars = mae ? mae.trainableVariables() : vit.trainableWeights.map((w) => w.read() as tf.Variable);
const x = tf.randomNormal([batch, 224, 224, 3], 0, 1, 'float32', 1);
const loss = () =>
  mae ? mae.loss(x, { seed: 1 }) : (tf.mean(pool(vit.encode(x), 'meanPatch')) as tf.Scalar);
const opt = a.adamw ? groupedAdamW([{ variables: vars, lr: 1e-4, weightDecay: 0.05 }]) : undefined;
const weights = vars.reduce((n, v) => n + v.size, 0);
console.log(
  `${a.stock ? 'published wasm kernels' : 'wasm + @paperstack/runtime'}; ViT-B/16 depth ${preset.depth}${mae ? ' MAE' : ''}, ` +
    `batch ${batch}, ${(weights / 1e6).toFixed(1)} M weights (${mib(4 * weights)}); heap ${heap()}`,
);
const t0 = performance.now();
try {
  for (let step = 1; step <= Number(a.steps); step++) {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, vars);
      console.log(`step ${step}: gradients after ${(performance.now() - t0).toFixed(0)} ms; heap ${heap()}`);
      opt?.applyGradients(grads);
      value.dataSync();
    });
    console.log(`step ${step} done after ${(performance.now() - t0).toFixed(0)} ms; heap ${heap()}`);
  }
} catch (err) {
  console.log(
    `failed after ${(performance.now() - t0).toFixed(0)} ms, heap ${heap()}: ${String(err).split('\n')[0]}`,
  );
  process.exitCode = 1;
} finally {
  if (a.alloc) {
    const top = [...peak.makeup].sort((p, q) => q[1] - p[1]).slice(0, 8);
    console.log(
      `peak of live allocations ${mib(peak.bytes)} (during ${peak.during}), by the kernel that made them: ` +
        top.map(([k, n]) => `${k} ${mib(n)}`).join(', '),
    );
  }
}
