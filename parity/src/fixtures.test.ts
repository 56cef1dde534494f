// The fragile draws the parity sweep found (parity/python/pick_fixtures.py), kept as fixtures so that
// the ordinary suite runs them without Python: each goes through the sweep's own family runner
// (same tolerances, same conditioning rules) on cpu and wasm (kernel-dre: host float64), and must
// pass every comparison and leak no tensors.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeBackends, type Fixture, loadFixture } from '@paperstack/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RUNNERS } from './families/index';

const DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

const fixtures: Fixture[] = readdirSync(DIR)
  .sort()
  .flatMap((family) =>
    readdirSync(`${DIR}/${family}`)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => loadFixture(`${family}/${f}`, DIR)),
  );

const packageOf = (fx: Fixture) => (fx.meta.sweep as { package: string }).package;

function check(fx: Fixture) {
  const runner = RUNNERS[packageOf(fx)];
  const kind = runner.classify?.(fx) ?? 'normal';
  expect(kind.startsWith('skip'), `${fx.case} is not comparable: ${kind}`).toBe(false);
  const before = tf.memory().numTensors;
  const results = runner.run(fx);
  expect(tf.memory().numTensors - before, `${fx.case} leaked tensors`).toBe(0);
  expect(results.length).toBeGreaterThan(0);
  const failed = results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`);
  expect(failed, `${fx.case} (${String(fx.meta.fragile)})`).toEqual([]);
}

describe('parity sweep fixtures', () => {
  it('cover the fragile families of hopfield-layer, nnclr and kernel-dre', () => {
    const families = new Set(fixtures.map((fx) => (fx.meta.sweep as { family: string }).family));
    expect([...families].sort()).toEqual([
      'hopfield_self',
      'hopfield_tuple',
      'hopfield_updates',
      'kulsif',
      'lightly_bank',
      'ulsif_fixed',
    ]);
  });
});

describeBackends('parity sweep fixtures (tfjs)', () => {
  for (const fx of fixtures.filter((f) => RUNNERS[packageOf(f)].kind === 'tfjs')) {
    it(`${fx.case}: ${String(fx.meta.fragile)}`, () => check(fx));
  }
});

describe('parity sweep fixtures (host float64)', () => {
  for (const fx of fixtures.filter((f) => RUNNERS[packageOf(f)].kind === 'host')) {
    it(`${fx.case}: ${String(fx.meta.fragile)}`, () => check(fx));
  }
});
