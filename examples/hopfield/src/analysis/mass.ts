import { patternsForMass } from '@paperstack/hopfield-layer';

/**
 * k of every row of a row-major association matrix `[numRows, numStored]`: the number of stored
 * patterns that hold `threshold` of the softmax mass (paper §3; `patternsForMass` of
 * @paperstack/hopfield-layer, whose `analyzeRegimes` labels whole heads with the same k). k = 1 is
 * a fixed point near one pattern, k ≥ N/2 global averaging, in between a metastable state.
 */
export function patternsForMassRows(rows: Float32Array, numStored: number, threshold = 0.9): Int32Array {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`patternsForMassRows: threshold must be in (0, 1], received ${threshold}`);
  }
  if (numStored < 1 || rows.length % numStored !== 0) {
    throw new Error(`patternsForMassRows: ${rows.length} values are not rows of ${numStored}`);
  }
  const n = rows.length / numStored;
  return Int32Array.from({ length: n }, (_, i) =>
    patternsForMass(rows.subarray(i * numStored, (i + 1) * numStored), threshold),
  );
}
