/**
 * Saturation experiment (Gruber et al., ICML 2024, Sec. 4 claim): on a problem with a very smooth
 * known ratio, the L2(Q) error of Tikhonov-regularized KuLSIF (t = 1) improves more slowly with the
 * sample size than iterated Tikhonov (t > 1).
 *
 * Problems (`--problem`):
 * - `bump` (default): q = U[0, 1]^d, r(x) = c·(0.2 + exp(−‖x − 0.6‖²/(2·0.2²))) normalised so
 *   E_q r = 1 (a bounded, very smooth ratio), p = q·r drawn by rejection sampling;
 * - `shift`: q = N(0, I_d), p = N(μ·1, I_d), r(x) = exp(μ·Σx − dμ²/2) (unbounded).
 * Gaussian kernel with a fixed width `--sigma` (the RKHS must not change with n); for each n = m and
 * t, λ is the best of a fine grid (oracle λ, as in rate experiments); error = sqrt(mean_{x~q} (r̂ − r)²)
 * on 2000 test points, averaged over replicates. Writes experiments/results/saturation-*.json/svg.
 *
 *   pnpm exec tsx packages/kernel-dre/experiments/saturation.ts [--reps 10] [--nmax 1600] [--d 1] [--problem bump]
 *       [--kernel gaussian|laplacian] [--sigma 0.3]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gaussianKernel, gram, Rng, resolveKernel } from '../src/index';
import { kulsifIterates, kulsifSystem } from '../src/kulsif';
import type { Mat } from '../src/samples';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const reps = arg('reps', 5);
const nmax = arg('nmax', 1600);
const d = arg('d', 1);
const mu = arg('mu', 0.5);
const problem = process.argv.includes('--problem')
  ? process.argv[process.argv.indexOf('--problem') + 1]
  : 'bump';
const sigma = arg('sigma', problem === 'bump' ? 0.3 : 1);
const ns = [100, 200, 400, 800, 1600, 3200].filter((n) => n <= nmax);
const ts = [1, 2, 5, 10];
const lambdas = Array.from({ length: 19 }, (_, i) => 10 ** (1 - i / 2)); // 10 … 1e-8
const here = dirname(fileURLToPath(import.meta.url));

// bump: normalising constant of 0.2 + exp(−‖x − 0.6‖²/(2·0.04)) under U[0,1]^d (product of 1-D integrals)
const erf = (x: number) => {
  // Abramowitz–Stegun 7.1.26 is too coarse; use a series/continued-fraction-free high-precision form
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    1 -
    t *
      Math.exp(
        -x * x -
          1.26551223 +
          t *
            (1.00002368 +
              t *
                (0.37409196 +
                  t *
                    (0.09678418 +
                      t *
                        (-0.18628806 +
                          t *
                            (0.27886807 +
                              t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
};
const bw = 0.2;
const oneD = Math.sqrt(Math.PI / 2) * bw * (erf(0.4 / (Math.SQRT2 * bw)) + erf(0.6 / (Math.SQRT2 * bw)));
const bumpZ = 0.2 + oneD ** d;
const ratio = (x: Float64Array, o: number) => {
  let s = 0;
  if (problem === 'bump') {
    for (let c = 0; c < d; c++) s += (x[o + c] - 0.6) ** 2;
    return (0.2 + Math.exp(-s / (2 * bw * bw))) / bumpZ;
  }
  for (let c = 0; c < d; c++) s += x[o + c];
  return Math.exp(mu * s - (d * mu * mu) / 2);
};
const rMax = problem === 'bump' ? 1.2 / bumpZ : Number.POSITIVE_INFINITY;
/** n points from q (numerator = false) or p = q·r (numerator = true). */
function sample(n: number, numerator: boolean, rng: Rng): Mat {
  const data = new Float64Array(n * d);
  if (problem !== 'bump') {
    for (let i = 0; i < n * d; i++) data[i] = (numerator ? mu : 0) + rng.normal();
    return { data, rows: n, cols: d };
  }
  const x = new Float64Array(d);
  for (let i = 0; i < n; ) {
    for (let c = 0; c < d; c++) x[c] = rng.next();
    if (!numerator || rng.next() * rMax < ratio(x, 0)) {
      data.set(x, i * d);
      i++;
    }
  }
  return { data, rows: n, cols: d };
}

const kernelType = process.argv.includes('--kernel')
  ? process.argv[process.argv.indexOf('--kernel') + 1]
  : 'gaussian';
// gaussian exp(−‖x−y‖²/(2σ²)) (eigenvalues decay exponentially: nearly parametric rates for every t);
// laplacian exp(−‖x−y‖₁/σ) (a Sobolev-type RKHS with polynomial eigen-decay, where the qualification
// of Tikhonov limits the rate for very smooth ratios)
const kernel =
  kernelType === 'laplacian'
    ? resolveKernel({ type: 'laplacian', gamma: 1 / sigma }, { data: new Float64Array(d), rows: 1, cols: d })
    : gaussianKernel(1 / (2 * sigma * sigma));
// err[nIdx][tIdx][lambdaIdx] summed over replicates
const err = ns.map(() => ts.map(() => new Float64Array(lambdas.length)));
const t0 = performance.now();
for (let rep = 0; rep < reps; rep++) {
  const rng = new Rng(1000 + rep);
  const test = sample(2000, false, rng);
  const truth = Float64Array.from({ length: test.rows }, (_, i) => ratio(test.data, i * d));
  ns.forEach((n, ni) => {
    const num = sample(n, true, rng);
    const den = sample(n, false, rng);
    const sys = kulsifSystem(kernel, num, den);
    const KtQ = gram(kernel, test, den);
    const KtP = gram(kernel, test, num);
    const sP = new Float64Array(test.rows);
    for (let i = 0; i < test.rows; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += KtP[i * n + j];
      sP[i] = s;
    }
    lambdas.forEach((lambda, li) => {
      let alphas: Float64Array[];
      try {
        alphas = kulsifIterates(sys, lambda, Math.max(...ts));
      } catch {
        for (let ti = 0; ti < ts.length; ti++) err[ni][ti][li] = Number.POSITIVE_INFINITY;
        return;
      }
      ts.forEach((t, ti) => {
        const a = alphas[t - 1];
        const c = t / (n * lambda);
        let se = 0;
        for (let i = 0; i < test.rows; i++) {
          let f = c * sP[i];
          const o = i * n;
          for (let j = 0; j < n; j++) f += KtQ[o + j] * a[j];
          se += (f - truth[i]) ** 2;
        }
        err[ni][ti][li] += Math.sqrt(se / test.rows) / reps;
      });
    });
    console.log(`rep ${rep} n ${n} done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  });
}

const best = err.map((perT) =>
  perT.map((row) => {
    let b = 0;
    for (let i = 1; i < row.length; i++) if (row[i] < row[b]) b = i;
    return { error: row[b], lambda: lambdas[b] };
  }),
);
const slope = (ti: number) => {
  const xs = ns.map(Math.log);
  const ys = best.map((b) => Math.log(b[ti].error));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx;
};
const slopes = ts.map((_, ti) => slope(ti));
const result = {
  setup: {
    problem,
    d,
    mu,
    sigma,
    reps,
    ns,
    ts,
    lambdas,
    testPoints: 2000,
    metric: 'L2(Q) error, oracle lambda per (n, t)',
  },
  best: ns.map((n, ni) => ({ n, byT: ts.map((t, ti) => ({ t, ...best[ni][ti] })) })),
  slopes: ts.map((t, ti) => ({ t, slope: slopes[ti] })),
  seconds: (performance.now() - t0) / 1000,
};
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, `saturation-${problem}-${kernelType}-d${d}.json`),
  `${JSON.stringify(result, null, 1)}\n`,
);

// log-log plot as a small standalone SVG
const W = 560;
const H = 380;
const pad = 60;
const allErr = best.flat().map((b) => b.error);
const ly0 = Math.floor(Math.log10(Math.min(...allErr)) * 2) / 2;
const ly1 = Math.ceil(Math.log10(Math.max(...allErr)) * 2) / 2;
const lx0 = Math.log10(ns[0]) - 0.1;
const lx1 = Math.log10(ns[ns.length - 1]) + 0.1;
const X = (n: number) => pad + ((Math.log10(n) - lx0) / (lx1 - lx0)) * (W - 2 * pad);
const Y = (e: number) => H - pad + ((Math.log10(e) - ly0) / (ly1 - ly0)) * -(H - 2 * pad);
const colors = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd'];
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">\n`;
svg += `<title>Iterated KuLSIF error vs n</title>\n<rect width="${W}" height="${H}" fill="white"/>\n`;
svg += `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">Iterated KuLSIF: L2(Q) error vs n (${problem}, ${kernelType}, d=${d}, oracle λ, ${reps} reps)</text>\n`;
svg += `<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="black"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="black"/>\n`;
for (const n of ns) svg += `<text x="${X(n)}" y="${H - pad + 16}" text-anchor="middle">${n}</text>\n`;
for (let e = ly0; e <= ly1 + 1e-9; e += 0.5) {
  svg += `<text x="${pad - 6}" y="${Y(10 ** e) + 4}" text-anchor="end">1e${e.toFixed(1)}</text><line x1="${pad}" x2="${W - pad}" y1="${Y(10 ** e)}" y2="${Y(10 ** e)}" stroke="#eee"/>\n`;
}
svg += `<text x="${W / 2}" y="${H - 18}" text-anchor="middle">n = m (log scale)</text>\n`;
ts.forEach((t, ti) => {
  const pts = ns.map((n, ni) => `${X(n).toFixed(1)},${Y(best[ni][ti].error).toFixed(1)}`).join(' ');
  svg += `<polyline points="${pts}" fill="none" stroke="${colors[ti]}" stroke-width="2"/>\n`;
  for (const p of pts.split(' ')) {
    const [px, py] = p.split(',');
    svg += `<circle cx="${px}" cy="${py}" r="3" fill="${colors[ti]}"/>\n`;
  }
  svg += `<text x="${W - pad - 150}" y="${pad + 16 * ti}" fill="${colors[ti]}">t = ${t}: slope ${slopes[ti].toFixed(3)}</text>\n`;
});
svg += '</svg>\n';
writeFileSync(join(outDir, `saturation-${problem}-${kernelType}-d${d}.svg`), svg);
console.log(
  JSON.stringify(result.slopes),
  JSON.stringify(result.best.map((b) => [b.n, b.byT.map((x) => x.error.toExponential(3))])),
);
