// GPU training-step benchmark: Hopfield, MAE (ViT) and VoxelNet on tfjs' WebGPU backend on Dawn
// (or any backend useBestBackend knows), written as JSON next to torch_bench.py's PyTorch-CUDA
// numbers for the same shapes. Not part of CI. See bench/gpu/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendRequest, useBestBackend } from '@paperstack/runtime';
import * as tfjsBackendWebgpu from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as webgpu from 'webgpu';
import { CASES, SHAPES, type Size } from './cases';

const HELP = `usage: tsx bench/gpu/src/main.ts [--backend webgpu|wasm|cpu|tensorflow-gpu] [--size paper|small]
       [--only hopfield,mae,voxelnet] [--warmup 3] [--steps 10] [--out bench/gpu/results/<date>-<backend>.json]`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name}: expected a non-negative integer, received '${v}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'webgpu' },
      size: { type: 'string', default: 'paper' },
      only: { type: 'string' },
      warmup: { type: 'string', default: '3' },
      steps: { type: 'string', default: '10' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const size = values.size as Size;
  if (size !== 'paper' && size !== 'small')
    throw new Error(`--size: expected paper | small, received '${size}'`);
  const only = values.only?.split(',');
  for (const id of only ?? []) {
    if (!CASES.some((c) => c.id === id))
      throw new Error(`--only: expected hopfield | mae | voxelnet, received '${id}'`);
  }
  const warmup = positiveInt('warmup', values.warmup);
  const steps = positiveInt('steps', values.steps);
  const choice = await useBestBackend({
    backend: values.backend as BackendRequest,
    // Static imports, so that prepare-device.sh's single-file bundle carries them.
    webgpuModules: { webgpu, tfjsBackendWebgpu },
  });

  const results = [];
  for (const c of CASES) {
    if (only && !only.includes(c.id)) continue;
    console.log(`\n${c.id}: ${c.describe(size)}`);
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const run = c.make(size);
    const buildMs = performance.now() - t0;
    const times: number[] = [];
    const losses: number[] = [];
    let firstStepMs = 0;
    try {
      for (let i = 0; i < warmup + steps; i++) {
        const t = performance.now();
        const loss = await run.step();
        const ms = performance.now() - t;
        if (i === 0) firstStepMs = ms;
        if (i >= warmup) times.push(ms);
        losses.push(loss);
        console.log(
          `  step ${i}${i < warmup ? ' (warm-up)' : ''}: ${ms.toFixed(1)} ms, loss ${loss.toFixed(5)}`,
        );
      }
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      console.log(`  failed: ${msg}`);
      results.push({ id: c.id, what: c.describe(size), shapes: SHAPES[c.id][size], error: msg });
      run.dispose();
      continue;
    }
    run.dispose();
    const r = {
      id: c.id,
      what: c.describe(size),
      shapes: SHAPES[c.id][size],
      info: run.info ?? {},
      buildMs,
      firstStepMs,
      medianMs: times.length ? median(times) : null,
      minMs: times.length ? Math.min(...times) : null,
      stepsMs: times,
      losses,
      tensorsLeft: tf.memory().numTensors - before,
    };
    console.log(
      `  median ${r.medianMs?.toFixed(1)} ms over ${steps} steps (first step, one-time setup such as WGSL compilation included: ${firstStepMs.toFixed(0)} ms)`,
    );
    results.push(r);
  }

  const date = new Date().toISOString();
  const out = values.out ?? `bench/gpu/results/${date.slice(0, 10)}-${choice.backend}-${size}.json`;
  const report = {
    date,
    node: process.version,
    backend: choice.backend,
    reason: choice.reason,
    adapter: choice.webgpu ?? null,
    size,
    warmup,
    steps,
    results,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
