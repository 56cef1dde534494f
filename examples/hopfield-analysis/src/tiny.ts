// Tiny regime and repertoire runs (the tests' sizes) on the backend useBestBackend picks
// (PAPERSTACK_BACKEND forces one): proves both paths complete on a backend, reports the wall time,
// and writes the results without timings so that two runs can be compared byte for byte.
//   tsx src/tiny.ts [out.json]
import { writeFileSync } from 'node:fs';
import { useBestBackend } from '@paperstack/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { runRegimeExperiment, runRepertoireExperiment } from './index';
import { TINY_REGIME, TINY_REPERTOIRE } from './tiny-config';

const choice = await useBestBackend();
const before = tf.memory().numTensors;
const t0 = performance.now();
const regime = await runRegimeExperiment(TINY_REGIME);
const t1 = performance.now();
const repertoire = await runRepertoireExperiment({ ...TINY_REPERTOIRE, diagnostics: true });
const t2 = performance.now();
console.log(
  `backend ${choice.backend}: regime ${((t1 - t0) / 1000).toFixed(1)} s, repertoire ${((t2 - t1) / 1000).toFixed(1)} s, leaked tensors ${tf.memory().numTensors - before}`,
);
const out = process.argv[2];
if (out) {
  const { timings: _r, ...r } = regime;
  const { timings: _p, ...p } = repertoire;
  const rows = p.rows.map(({ trainMs: _t, ...row }) => row);
  writeFileSync(out, `${JSON.stringify({ regime: r, repertoire: { ...p, rows } }, null, 1)}\n`);
}
