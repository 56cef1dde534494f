import { expectClose } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { DREInputError } from './errors';
import { gaussianKernel } from './kernels';
import { lsifScore, REFERENCE_LAMBDAS, selectBregman, selectKuLSIF } from './selection';
import { gaussianSample } from './test-helpers';

describe('model selection', () => {
  const num = gaussianSample(120, 2, 0.5, 0.8, 21);
  const den = gaussianSample(150, 2, 0, 1, 22);

  it('KuLSIF: the eigen λ-path gives the same held-out scores as per-λ Cholesky', () => {
    const kernels = [gaussianKernel(0.3)];
    const a = selectKuLSIF(num, den, { kernels, lambdas: [1, 0.1, 0.01], maxIterations: 4 });
    const b = selectKuLSIF(num, den, { kernels, lambdas: [1, 0.1, 0.01], maxIterations: 4, method: 'eigen' });
    expectClose(a.scores.flat(2), b.scores.flat(2), { rtol: 1e-7, atol: 1e-9, name: 'scores' });
    expect(a.lambda).toBe(b.lambda);
    expect(a.iterations).toBe(b.iterations);
  });

  it('KuLSIF: the eigen λ-path agrees with per-λ Cholesky to 1e-9 relative at λ = 1e-3 … 1e-6 (issue 18)', () => {
    // per-λ Cholesky is checked against numpy at these λ (closed-forms.test.ts); measured here ≤ 1.3e-10
    for (const gamma of [0.3, 1]) {
      const kernels = [gaussianKernel(gamma)];
      const lambdas = [1e-3, 1e-4, 1e-5, 1e-6];
      const opts = { kernels, lambdas, maxIterations: 3, refit: false };
      const a = selectKuLSIF(num, den, opts).scores.flat(2);
      const b = selectKuLSIF(num, den, { ...opts, method: 'eigen' }).scores.flat(2);
      a.forEach((s, i) => {
        expect(Math.abs(s - b[i]) / Math.abs(s), `γ = ${gamma}, score ${i}`).toBeLessThanOrEqual(1e-9);
      });
    }
  });

  it('KuLSIF: reference grid, scores [kernels][11][10], chosen model refit', () => {
    const s = selectKuLSIF(num, den, { kernels: [{ type: 'gaussian' }, { type: 'gaussian', sigma: 2 }] });
    expect(s.scores.length).toBe(2);
    expect(s.scores[0].length).toBe(REFERENCE_LAMBDAS.length);
    expect(s.scores[0][0].length).toBe(10);
    const best = Math.min(...s.scores.flat(2));
    expect(best).toBeLessThan(0);
    expect(s.model.iterations).toBe(s.iterations);
    expect(s.model.predict(den).length).toBe(150);
  });

  it('Bregman: logistic selection over λ × t', () => {
    const s = selectBregman('logistic', num, den, { lambdas: [0.1, 0.01], maxIterations: 3 });
    expect(s.scores[0].length).toBe(2);
    expect(s.scores[0][0].length).toBe(3);
    expect(s.model.predict(den).every((v) => v > 0)).toBe(true);
  });

  it('lsifScore by hand and bad options', () => {
    expect(lsifScore([1, 3], [2, 0])).toBe(0.5 * 2 - 2);
    expect(() => selectKuLSIF(num, den, { lambdas: [] })).toThrow(/options.lambdas/);
    expect(() => selectKuLSIF(num, den, { validationFraction: 1 })).toThrow(/options.validationFraction/);
    expect(() => selectKuLSIF(num, den, { method: 'qr' as never })).toThrow(DREInputError);
  });
});
