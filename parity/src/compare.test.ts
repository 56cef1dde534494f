import { describe, expect, it } from 'vitest';
import { compareExact, compareValues, formatTable, SweepResults } from './compare';

const TOL = { rtol: 1e-3, atol: 1e-5 };

describe('parity sweep: comparison', () => {
  it('passes within atol + rtol·|expected| and reports the worst ratio', () => {
    const r = compareValues('x', 'forward', [1.0005, 2], [1, 2], TOL);
    expect(r.pass).toBe(true);
    expect(r.maxAbs).toBeCloseTo(5e-4, 12);
    expect(r.worstRatio).toBeCloseTo(5e-4 / (1e-5 + 1e-3), 6);
  });

  it('fails just outside the tolerance and names the worst element', () => {
    const r = compareValues('x', 'gradient', [1, 2.01], [1, 2], TOL);
    expect(r.pass).toBe(false);
    expect(r.worstRatio).toBeGreaterThan(1);
    expect(r.detail).toMatch(/^\[1\] actual 2\.01 expected 2/);
  });

  it('NaN, Infinity and length mismatches fail', () => {
    expect(compareValues('x', 'forward', [Number.NaN], [0], TOL).pass).toBe(false);
    expect(compareValues('x', 'forward', [Number.POSITIVE_INFINITY], [1], TOL).pass).toBe(false);
    const r = compareValues('x', 'forward', [1, 2], [1], TOL);
    expect(r.pass).toBe(false);
    expect(r.detail).toBe('2 values, expected 1');
    // exact zeros at zero tolerance pass (0/0 is not a failure)
    expect(compareValues('x', 'forward', [0], [0], { rtol: 0, atol: 0 }).pass).toBe(true);
  });

  it('discrete values must be equal', () => {
    expect(compareExact('steps', [12, 5], [12, 5]).pass).toBe(true);
    const r = compareExact('steps', [5, 12], [12, 5]);
    expect(r.pass).toBe(false);
    expect(r.detail).toBe('[5, 12], expected [12, 5]');
  });
});

describe('parity sweep: results table', () => {
  it('keeps the worst forward and gradient errors per family and backend, and counts failed draws', () => {
    const res = new SweepResults();
    res.addDraw('fam', 'cpu', 'd0', [
      compareValues('out', 'forward', [1 + 2e-6], [1], TOL),
      compareValues('grad', 'gradient', [1 + 1e-4], [1], TOL),
    ]);
    res.addDraw('fam', 'cpu', 'd1', [compareValues('out', 'forward', [1 + 3e-6], [1], TOL)], undefined, true);
    res.addSkipped('fam', 'cpu', 'd2', 'near-tie');
    res.addDraw('fam', 'wasm', 'd0', [compareValues('grad', 'gradient', [1.1], [1], TOL)]);
    res.addDraw('other', 'cpu', 'd0', [], new Error('boom'));
    expect(res.ok).toBe(false);
    const cpu = [...res.cells.values()].find((c) => c.family === 'fam' && c.backend === 'cpu');
    expect(cpu?.draws).toBe(3);
    expect(cpu?.failedDraws).toBe(0);
    expect(cpu?.skippedDraws).toBe(1);
    expect(cpu?.illConditionedDraws).toBe(1);
    expect(res.skipped).toEqual([{ family: 'fam', backend: 'cpu', draw: 'd2', what: 'near-tie' }]);
    expect(cpu?.forwardMaxAbs).toBeCloseTo(3e-6, 12);
    expect(cpu?.gradientMaxAbs).toBeCloseTo(1e-4, 12);
    expect(res.failures.map((f) => `${f.family}/${f.backend}/${f.draw}`)).toEqual([
      'fam/wasm/d0',
      'other/cpu/d0',
    ]);
    expect(res.failures[1].what).toBe('threw boom');
    const table = formatTable(res).split('\n');
    expect(table[0]).toMatch(/^\| family \| backend \| draws \| failed \|/);
    expect(table.slice(2)).toEqual([
      '| fam | cpu | 3 | 0 | 1 | 1 | 3.0e-6 (0.00) | 1.0e-4 (0.10) |',
      '| fam | wasm | 1 | 1 | 0 | 0 | – | 1.0e-1 (99.01) |',
      '| other | cpu | 1 | 1 | 0 | 0 | – | – |',
    ]);
  });

  it('a draw without comparisons is a failure, and an empty sweep is not ok', () => {
    const res = new SweepResults();
    expect(res.ok).toBe(false);
    res.addDraw('fam', 'cpu', 'd0', []);
    expect(res.failures[0].what).toBe('no comparisons were made');
    const good = new SweepResults();
    good.addDraw('fam', 'cpu', 'd0', [compareExact('i', [1], [1])]);
    expect(good.ok).toBe(true);
    // a family whose every draw was skipped compared nothing: not ok
    good.addSkipped('tie', 'cpu', 'd0', 'near-tie');
    expect(good.ok).toBe(false);
  });
});
