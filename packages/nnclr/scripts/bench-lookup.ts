// Benchmark (issue 6, item 7): support-set lookup over a 65,536 × 256 queue for a batch of 256,
// cosine top-1 and top-20 (MAE-CT draw), on the wasm and cpu backends, next to numpy on the same
// machine in the same run (PyTorch is not installed on our CI-sized machines). Run from the root:
//   pnpm exec tsx packages/nnclr/scripts/bench-lookup.ts [--size 65536] [--reps 5] [--backends wasm,cpu]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { SupportSet } from '../src/index';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const SIZE = Number(arg('size', '65536'));
const DIM = 256;
const BATCH = 256;
const REPS = Number(arg('reps', '5'));
const BACKENDS = arg('backends', 'wasm,cpu').split(',');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(fn: () => void, reps: number): Promise<number> {
  fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const NUMPY = `
import numpy as np, time, sys
size, dim, batch, reps = ${SIZE}, ${DIM}, ${BATCH}, ${REPS}
rng = np.random.default_rng(0)
q = rng.standard_normal((size, dim)).astype(np.float32); q /= np.linalg.norm(q, axis=1, keepdims=True)
z = rng.standard_normal((batch, dim)).astype(np.float32)
def top1():
    zn = z / np.linalg.norm(z, axis=1, keepdims=True); s = zn @ q.T; i = s.argmax(1); return q[i]
def top20():
    zn = z / np.linalg.norm(z, axis=1, keepdims=True); s = zn @ q.T
    c = np.argpartition(-s, 20, axis=1)[:, :20]; pick = c[np.arange(batch), rng.integers(0, 20, batch)]; return q[pick]
for name, f in (("top1", top1), ("top20", top20)):
    f(); ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1000)
    print(name, sorted(ts)[len(ts)//2])
`;

async function main() {
  const rows: { impl: string; top1: number; top20: number }[] = [];
  for (const backend of BACKENDS) {
    await tf.setBackend(backend);
    await tf.ready();
    const set = new SupportSet({ size: SIZE, dim: DIM, seed: 0, blockSize: 4096 });
    const z = tf.randomNormal([BATCH, DIM], 0, 1, 'float32', 1) as tf.Tensor2D;
    const reps = backend === 'cpu' ? Math.min(REPS, 3) : REPS;
    const top1 = await timeIt(() => set.lookup(z).neighbours.dispose(), reps);
    const top20 = await timeIt(() => set.lookup(z, { topk: 20 }).neighbours.dispose(), reps);
    rows.push({ impl: `tfjs ${backend}`, top1, top20 });
    console.log(`tfjs ${backend}: top-1 ${top1.toFixed(1)} ms, top-20 ${top20.toFixed(1)} ms`);
    z.dispose();
    set.dispose();
  }
  const py = spawnSync('python3', ['-c', NUMPY], { encoding: 'utf8' });
  if (py.status === 0) {
    const get = (k: string) => Number(py.stdout.match(new RegExp(`${k} ([\\d.]+)`))?.[1]);
    rows.push({ impl: 'numpy (float32, 1 process)', top1: get('top1'), top20: get('top20') });
    console.log(`numpy: top-1 ${get('top1').toFixed(1)} ms, top-20 ${get('top20').toFixed(1)} ms`);
  } else console.log(`numpy unavailable: ${py.stderr}`);
  const ref = rows.find((r) => r.impl.startsWith('numpy'));
  console.log(
    `\n| lookup ${SIZE} × ${DIM}, batch ${BATCH} | top-1 (ms) | top-20 (ms) |${ref ? ' vs numpy (top-1 / top-20) |' : ''}`,
  );
  console.log(`|---|---|---|${ref ? '---|' : ''}`);
  for (const r of rows) {
    const ratio = ref ? ` ${(r.top1 / ref.top1).toFixed(1)}× / ${(r.top20 / ref.top20).toFixed(1)}× |` : '';
    console.log(`| ${r.impl} | ${r.top1.toFixed(1)} | ${r.top20.toFixed(1)} |${ratio}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
