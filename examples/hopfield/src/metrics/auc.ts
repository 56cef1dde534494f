/**
 * Area under the ROC curve of `scores` for binary `labels` (1 = positive, 0 = negative), computed
 * as the Mann–Whitney U statistic with mid-ranks for tied scores: the probability that a random
 * positive scores above a random negative, ties counting ½. O(n log n).
 *
 * We use this small tested function rather than a package: the npm registry has no maintained,
 * dependency-free AUC implementation, and the statistic is ten lines.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) {
    throw new Error(`rocAuc: labels and scores differ in length (${n} vs ${scores.length})`);
  }
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new Error(`rocAuc: labels must be 0 or 1, received ${y} at index ${i}`);
    if (!Number.isFinite(scores[i])) throw new Error(`rocAuc: score at index ${i} is ${scores[i]}`);
    pos += y;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) {
    throw new Error(`rocAuc: needs both classes, received ${pos} positives and ${neg} negatives`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) rankSumPos += midRank;
    i = j + 1;
  }
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean and sample standard deviation (0 for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std };
}
