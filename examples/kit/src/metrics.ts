/**
 * ROC AUC by the Mann–Whitney U statistic (tied scores count one half): the probability that a
 * random positive (`labels[i] === 1`) scores above a random negative.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length !== scores.length)
    throw new RangeError(
      `rocAuc: expected labels and scores of equal length, received ${labels.length} and ${scores.length}`,
    );
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let t = i; t <= j; t++) ranks[idx[t]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0;
  let sumPos = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      nPos++;
      sumPos += ranks[i];
    }
  }
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0)
    throw new RangeError(`rocAuc: expected both classes, received ${nPos} positives and ${nNeg} negatives`);
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Mean and sample standard deviation (n − 1; 0 for one value) over the finite values of `xs` (NaN
 * and ±∞ skipped, e.g. an AP that a run could not compute); `n` counts the values used.
 */
export function meanSd(xs: readonly number[]): { mean: number; sd: number; n: number } {
  const v = xs.filter((x) => Number.isFinite(x));
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
  return { mean, sd, n: v.length };
}
