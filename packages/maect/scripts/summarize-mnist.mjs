// Prints the README table (mean ± std over seeds) from results/mnist-seed*.json.
import { readdirSync, readFileSync } from 'node:fs';

const dir = new URL(`../results/${process.argv[2] ?? ''}`.replace(/\/?$/, '/'), import.meta.url);
const runs = readdirSync(dir)
  .filter((f) => /^mnist-seed\d+\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
const metrics = [
  ['knn', 'k-NN (k 10)'],
  ['linear', 'linear probe'],
  ['low10', '10% labels'],
  ['low1', '1% labels'],
  ['clusterAcc', 'k-means ACC'],
  ['nmi', 'k-means NMI'],
];
const names = ['random init', 'MAE', 'MAE-CT'];
const fmt = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return xs.length > 1 ? `${(100 * m).toFixed(1)} ± ${(100 * sd).toFixed(1)}` : (100 * m).toFixed(1);
};
console.log(`| encoder | ${metrics.map((m) => m[1]).join(' | ')} |`);
console.log(`|---|${metrics.map(() => '---').join('|')}|`);
for (const name of names) {
  const rows = runs.map((r) => r.results.find((x) => x.name === name)).filter(Boolean);
  if (!rows.length) continue;
  console.log(`| ${name} | ${metrics.map(([k]) => fmt(rows.map((r) => r[k]))).join(' | ')} |`);
}
console.log(
  `\nseeds: ${runs.map((r) => r.seed).join(', ')}; per seed: ${runs.map((r) => JSON.stringify(r.timing)).join('; ')}`,
);
console.log('per seed MAE-CT − MAE (points): ');
for (const r of runs) {
  const a = r.results.find((x) => x.name === 'MAE');
  const b = r.results.find((x) => x.name === 'MAE-CT');
  if (a && b)
    console.log(
      `  seed ${r.seed}: ${metrics.map(([k, l]) => `${l} ${(100 * (b[k] - a[k])).toFixed(1)}`).join(', ')}`,
    );
}
