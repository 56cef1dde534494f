/**
 * How concentrated a softmax (association) row is: the number k of stored patterns that together
 * hold `threshold` of the mass (the paper's §3 measure, 90% by default). k = 1 is a fixed point
 * near a single pattern; k close to the number of stored patterns is global averaging; in between
 * are metastable states.
 *
 * @param rows association matrix, row-major `[numRows, numStored]`, each row summing to 1
 */
export function patternsForMass(rows: Float32Array, numStored: number, threshold = 0.9): Int32Array {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`patternsForMass: threshold must be in (0, 1], received ${threshold}`);
  }
  if (numStored < 1 || rows.length % numStored !== 0) {
    throw new Error(`patternsForMass: ${rows.length} values are not rows of ${numStored}`);
  }
  const n = rows.length / numStored;
  const out = new Int32Array(n);
  const row = new Float32Array(numStored);
  for (let i = 0; i < n; i++) {
    row.set(rows.subarray(i * numStored, (i + 1) * numStored));
    row.sort(); // ascending; walk from the top
    let mass = 0;
    let k = 0;
    // a tiny slack so that exactly uniform rows give k = ⌈threshold·N⌉ despite float32 rounding
    while (k < numStored && mass < threshold - 1e-6) mass += row[numStored - 1 - k++];
    out[i] = Math.max(k, 1);
  }
  return out;
}
