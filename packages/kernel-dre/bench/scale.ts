/**
 * Scale check: KuLSIF in a center basis (Nyström / subset of regressors) on n = m = 100,000 points in
 * 50 dimensions. Reports wall time and the process's peak RSS.
 *
 *   pnpm exec tsx packages/kernel-dre/bench/scale.ts [--n 100000] [--centers 200]
 */

import { KuLSIF } from '../src/index';
import { gaussianSample } from '../src/test-helpers';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const n = arg('n', 100000);
const centers = arg('centers', 200);
const d = 50;
const num = gaussianSample(n, d, 0.2, 1, 1);
const den = gaussianSample(n, d, 0, 1, 2);
const t = performance.now();
const model = new KuLSIF({ lambda: 1e-3, iterations: 5, centers, kernel: { type: 'gaussian' } }).fit(
  num,
  den,
);
const fitSeconds = (performance.now() - t) / 1000;
const t2 = performance.now();
const r = model.predict({ data: den.data.subarray(0, 10000 * d), dim: d });
const predictSeconds = (performance.now() - t2) / 1000;
console.log(
  JSON.stringify({
    n,
    d,
    centers,
    fitSeconds,
    predict10kSeconds: predictSeconds,
    meanRatioOnDen: r.reduce((a, b) => a + b, 0) / r.length,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
