/**
 * Benchmark: the full hyper-parameter sweep of iterated KuLSIF (11 λ × t = 1…10, 80/20 split, kernel
 * 1 + exp(−γ‖x − y‖²), γ = 1/median distance) at n = m, d = 50, end to end (Gram matrices, solves,
 * validation predictions), and uLSIF with densratio's default grid (σ, λ ∈ 10^{−3…9}, 13 × 13,
 * 100 centers). The Python side (bench/sweep_reference.py) runs the reference on the same machine.
 *
 *   pnpm exec tsx packages/kernel-dre/bench/sweep.ts --n 1000 [--method cholesky|eigen] [--ulsif]
 */

import { REFERENCE_LAMBDAS, selectKuLSIF, ULSIF } from '../src/index';
import { gaussianSample } from '../src/test-helpers';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const n = Number(arg('n', '1000'));
const method = arg('method', 'cholesky') as 'cholesky' | 'eigen';
const d = 50;
const num = gaussianSample(n, d, 0.2, 1, 1);
const den = gaussianSample(n, d, 0, 1, 2);
let t = performance.now();
const sel = selectKuLSIF(num, den, {
  lambdas: REFERENCE_LAMBDAS,
  maxIterations: 10,
  kernels: [{ type: 'gaussian', bandwidth: 'median-reference', offset: 1 }],
  validationFraction: 0.2,
  refit: false,
  method,
});
const sweep = (performance.now() - t) / 1000;
const out: Record<string, unknown> = {
  n,
  d,
  method,
  sweepSeconds: sweep,
  lambda: sel.lambda,
  t: sel.iterations,
};
if (process.argv.includes('--ulsif')) {
  const grid = Array.from({ length: 13 }, (_, i) => 10 ** (-3 + i));
  t = performance.now();
  new ULSIF({ sigma: grid, lambda: grid, centers: 100, loocv: 'densratio-py' }).fit(num, den);
  out.ulsifSeconds = (performance.now() - t) / 1000;
}
console.log(JSON.stringify(out));
