import { expectClose, type Fixture, loadFixture } from '@paperstack/test-utils';
import { describe, expect, it } from 'vitest';
import { bregmanIterates, bregmanObjective, ExponentialDRE, LOSSES, LogisticDRE, SquareDRE } from './bregman';
import { gaussianKernel, gram } from './kernels';
import { vstack } from './samples';
import { gaussianSample, samples } from './test-helpers';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);

/** The fixture orders coefficients [numerator; denominator]; ours are [denominator; numerator]. */
function toOurs(v: number[], nNum: number): Float64Array {
  return Float64Array.from([...v.slice(nNum), ...v.slice(0, nNum)]);
}

function setup(fx: Fixture) {
  const num = samples(fx.inputs.numerator);
  const den = samples(fx.inputs.denominator);
  const nNum = fx.inputs.numerator.shape[0];
  const nDen = fx.inputs.denominator.shape[0];
  const Z = vstack(
    { data: den.data, rows: nDen, cols: den.dim },
    { data: num.data, rows: nNum, cols: num.dim },
  );
  const K = gram(gaussianKernel(fx.config.rbf_gam as number, 1), Z, Z);
  return { K, nNum, nDen };
}

// Reference: lugruber/dre_iter_reg IterCpeExp / IterLogi / IterSquare .loss_regularized, evaluated in
// torch (scripts/make_fixtures.py). The reference casts its loss terms to float32, so values are
// compared at rtol 1e-6 and gradients at rtol 1e-5.
describe('Bregman losses: parity with the reference objective', () => {
  for (const name of ['exponential', 'logistic', 'square'] as const) {
    const file = { exponential: 'exp', logistic: 'logistic', square: 'square' }[name];
    it(`${name}: value and gradient`, () => {
      const fx = loadFixture(`bregman_${file}_loss`, FIXTURES);
      const { K, nNum, nDen } = setup(fx);
      const c = toOurs(fx.inputs.alphas.data, nNum);
      const cp = toOurs(fx.inputs.alphas_prev.data, nNum);
      const lambda = fx.config.reg_par as number;
      const { value, gradient } = bregmanObjective(LOSSES[name], K, nDen, c, cp, lambda);
      expectClose(value, fx.outputs.loss, { rtol: 1e-6, atol: 1e-7, name: 'loss' });
      // The reference detaches half of its regularizer from autograd (see README): its gradient is
      // ours minus λ/2·K(c − c_prev).
      const regExact = toOurs(fx.outputs.reg_gradient_exact.data, nNum);
      const refLike = gradient.map((g, i) => g - 0.5 * regExact[i]);
      expectClose(refLike, toOurs(fx.grads.alphas.data, nNum), { rtol: 1e-5, atol: 1e-7, name: 'grad' });
      // and our gradient is the true one: check against central differences
      const h = 1e-6;
      for (const i of [0, 3, nDen + 1]) {
        const up = c.slice();
        const dn = c.slice();
        up[i] += h;
        dn[i] -= h;
        const fd =
          (bregmanObjective(LOSSES[name], K, nDen, up, cp, lambda).value -
            bregmanObjective(LOSSES[name], K, nDen, dn, cp, lambda).value) /
          (2 * h);
        expect(Math.abs(fd - gradient[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    });
  }
});

describe('Bregman DRE: proximal steps solved to tolerance', () => {
  const num = gaussianSample(30, 2, 0.5, 0.8, 11);
  const den = gaussianSample(35, 2, 0, 1, 12);
  const kernel = gaussianKernel(0.5);
  const Z = vstack({ data: den.data, rows: 35, cols: 2 }, { data: num.data, rows: 30, cols: 2 });
  const K = gram(kernel, Z, Z);

  for (const name of ['exponential', 'logistic', 'square'] as const) {
    it(`${name}: every iterate is a stationary point of its proximal objective`, () => {
      const lambda = 0.05;
      const { coefficients, steps } = bregmanIterates(LOSSES[name], K, 35, lambda, 3, {
        tol: 1e-14,
        maxNewtonSteps: 100,
      });
      let prev: Float64Array = new Float64Array(65);
      for (const c of coefficients) {
        const { gradient } = bregmanObjective(LOSSES[name], K, 35, c, prev, lambda);
        const gmax = Math.max(...gradient.map(Math.abs));
        expect(gmax).toBeLessThan(1e-7);
        prev = c;
      }
      if (name === 'square') expect(steps.every((s) => s <= 2)).toBe(true); // quadratic: one Newton step
    });
  }

  it('iterated t = 1 equals plain Tikhonov, ratios positive for exp/logistic links', () => {
    for (const Cls of [ExponentialDRE, LogisticDRE]) {
      const a = new Cls({ lambda: 0.05, kernel }).fit(num, den);
      const b = new Cls({ lambda: 0.05, iterations: 1, kernel }).fit(num, den);
      expect(Array.from(a.coefficients.weights)).toEqual(Array.from(b.coefficients.weights));
      const r = new Cls({ lambda: 0.01, iterations: 4, kernel }).fit(num, den).predict(den);
      expect(r.every((v) => v > 0)).toBe(true);
    }
  });

  it('square loss: paper link (1+f)/(1−f) vs the reference link', () => {
    const p = new SquareDRE({ lambda: 0.05, kernel }).fit(num, den);
    const r = new SquareDRE({ lambda: 0.05, kernel, link: 'reference' }).fit(num, den);
    const f = p.decisionFunction(den);
    const rp = p.predict(den);
    const rr = r.predict(den);
    for (let i = 0; i < 5; i++) {
      expect(rp[i]).toBeCloseTo((1 + f[i]) / (1 - f[i]), 10);
      expect(rr[i]).toBeCloseTo((2 * f[i] - 1) / (2 - 2 * f[i]), 10);
    }
    expect(rp.every((v) => v >= 0)).toBe(true);
  });

  it('all three recover a known 1-D ratio within a loose band', () => {
    const n1 = gaussianSample(300, 1, 0.5, 0.8, 4);
    const d1 = gaussianSample(300, 1, 0, 1, 5);
    const xs = [-1, 0, 0.5, 1].map((v) => [v]);
    const truth = xs.map(([x]) => Math.exp(-((x - 0.5) ** 2) / (2 * 0.64)) / 0.8 / Math.exp(-(x * x) / 2));
    for (const Cls of [ExponentialDRE, LogisticDRE, SquareDRE]) {
      const r = new Cls({ lambda: 1e-3, iterations: 2, kernel: { type: 'gaussian' } })
        .fit(n1, d1)
        .predict(xs);
      for (let i = 0; i < xs.length; i++)
        expect(Math.abs(r[i] - truth[i])).toBeLessThan(0.4 * truth[i] + 0.2);
    }
  });
});

describe('Bregman DRE in a center basis', () => {
  it('with every point as a center it reproduces the exact representer form', () => {
    const num = gaussianSample(20, 2, 0.5, 0.8, 51);
    const den = gaussianSample(25, 2, 0, 1, 52);
    const x = gaussianSample(6, 2, 0.2, 1, 53);
    const kernel = gaussianKernel(0.5, 1);
    for (const Cls of [ExponentialDRE, LogisticDRE, SquareDRE]) {
      const exact = new Cls({ lambda: 0.05, iterations: 3, kernel }).fit(num, den);
      const nys = new Cls({ lambda: 0.05, iterations: 3, kernel, centers: 45 }).fit(num, den);
      // compare f (the square link amplifies round-off near f = 1); the center form adds a 1e-10·trace/b jitter
      expectClose(nys.decisionFunction(x), exact.decisionFunction(x), {
        rtol: 1e-4,
        atol: 1e-5,
        name: Cls.name,
      });
    }
  });
  it('fits with fewer centers and keeps exp-link ratios positive', () => {
    const num = gaussianSample(300, 2, 0.5, 0.8, 54);
    const den = gaussianSample(300, 2, 0, 1, 55);
    const m = new LogisticDRE({ lambda: 1e-3, iterations: 2, centers: 40 }).fit(num, den);
    expect(m.coefficients.weights.length).toBe(40);
    expect(m.predict(den).every((v) => v > 0)).toBe(true);
    expect(() => new LogisticDRE({ centers: 0 })).toThrow(/options.centers/);
  });
});
