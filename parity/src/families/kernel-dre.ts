// kernel-dre families (host float64) against lugruber/dre_iter_reg d0f52a2 and hoxo-m/densratio_py
// 5757f36: IteratedKulsif (t = 1, 2; larger t against our numpy direct solve, the reference stops at
// t = 2), the Bregman objectives, uLSIF / RuLSIF model selection and fit, and IWA aggregation.
// Tolerances: the package tests' (kulsif 1e-9; Bregman value 1e-6 / gradient 1e-5, the reference
// casts its loss to float32; densratio LOOCV 1e-8, θ and predictions 1e-7; IWA G, F 1e-12, weights
// 1e-9), and 1e-9 relative for the uLSIF / RuLSIF closed form at one (σ, λ) with λ down to 1e-6.
import {
  bregmanObjective,
  gaussianKernel,
  gram,
  KuLSIF,
  LOSSES,
  lsifLOOCV,
  RuLSIF,
  ULSIF,
  vstack,
} from '@paperstack/kernel-dre';
import type { Fixture, FixtureArray } from '@paperstack/test-utils';
import { aggregateFixture } from '../../../packages/kernel-dre/test/iwa-fixture';
import { Checks, type FamilyRunner } from './types';

const samples = (a: FixtureArray) => ({ data: Float64Array.from(a.data), dim: a.shape[1] });
const mat = (a: FixtureArray) => ({ data: Float64Array.from(a.data), rows: a.shape[0], cols: a.shape[1] });

/**
 * Tolerance of one float64 value: `base`, with the atol raised to 10 × the float64 solver spread of
 * the draw (`meta.float64_solver_spread`: two float64 solves of the same system, e.g. the reference's
 * and our numpy's, differ by that much), so that small λ, where (H + λI) is ill-conditioned, is judged
 * by what float64 allows there.
 */
function tolFor(fx: Fixture, name: string, base: { rtol: number; atol: number }) {
  const spread = (fx.meta.float64_solver_spread as Record<string, number> | undefined)?.[name] ?? 0;
  return { rtol: base.rtol, atol: Math.max(base.atol, 10 * spread) };
}

/** Ill-conditioned: the solver spread alone reaches a quarter of the base tolerance. */
function kernelDreClass(fx: Fixture): 'normal' | 'ill-conditioned' {
  const spread = (fx.meta.float64_solver_spread as Record<string, number> | undefined) ?? {};
  const scale = (k: string) => Math.max(1, ...(fx.outputs[k]?.data ?? [0]).map(Math.abs));
  return Object.entries(spread).some(([k, v]) => v > 0.25 * 1e-9 * scale(k)) ? 'ill-conditioned' : 'normal';
}

/** The reference orders Bregman coefficients [numerator; denominator]; ours are [denominator; numerator]. */
const toOurs = (v: number[], nNum: number) => Float64Array.from([...v.slice(nNum), ...v.slice(0, nNum)]);

export const kernelDreRunner: FamilyRunner = {
  kind: 'host',
  classify: kernelDreClass,
  run(fx: Fixture) {
    const family = (fx.meta.sweep as { family: string }).family;
    const c = new Checks();
    if (family === 'kulsif') {
      const cfg = fx.config as { reg_par: number; niter: number; rbf_gam: number; direct_niter: number };
      const num = samples(fx.inputs.numerator);
      const den = samples(fx.inputs.denominator);
      const x = samples(fx.inputs.x);
      const tol = { rtol: 1e-9, atol: 1e-9 };
      const model = new KuLSIF({
        lambda: cfg.reg_par,
        iterations: cfg.niter,
        kernel: { type: 'gaussian', bandwidth: 'median-reference', offset: 1 },
      }).fit(num, den);
      c.values('gamma', 'forward', [model.kernel.gamma as number], fx.outputs.rbf_gam, {
        rtol: 1e-12,
        atol: 0,
      });
      c.values(
        'alphas_betas',
        'forward',
        model.coefficients.weights,
        fx.outputs.alphas_betas,
        tolFor(fx, 'alphas_betas', tol),
      );
      c.values(
        'predictions',
        'forward',
        model.predict(x),
        fx.outputs.predictions,
        tolFor(fx, 'predictions', tol),
      );
      const direct = new KuLSIF({
        lambda: cfg.reg_par,
        iterations: cfg.direct_niter,
        kernel: gaussianKernel(cfg.rbf_gam, 1),
      }).fit(num, den);
      c.values(
        `t=${cfg.direct_niter} coefficients (direct)`,
        'forward',
        direct.coefficients.weights,
        fx.outputs.direct_coefficients,
        tolFor(fx, 'alphas_betas', tol),
      );
      c.values(
        `t=${cfg.direct_niter} predictions (direct)`,
        'forward',
        direct.predict(x),
        fx.outputs.direct_predictions,
        tolFor(fx, 'predictions', tol),
      );
      return c.list;
    }
    if (family === 'bregman') {
      const cfg = fx.config as { loss: 'exp' | 'logistic' | 'square'; reg_par: number; rbf_gam: number };
      const name = ({ exp: 'exponential', logistic: 'logistic', square: 'square' } as const)[cfg.loss];
      const [nNum, dim] = fx.inputs.numerator.shape;
      const nDen = fx.inputs.denominator.shape[0];
      const Z = vstack(
        { data: Float64Array.from(fx.inputs.denominator.data), rows: nDen, cols: dim },
        { data: Float64Array.from(fx.inputs.numerator.data), rows: nNum, cols: dim },
      );
      const K = gram(gaussianKernel(cfg.rbf_gam, 1), Z, Z);
      const coef = toOurs(fx.inputs.alphas.data, nNum);
      const prev = toOurs(fx.inputs.alphas_prev.data, nNum);
      const { value, gradient } = bregmanObjective(LOSSES[name], K, nDen, coef, prev, cfg.reg_par);
      c.values('loss', 'forward', [value], fx.outputs.loss, { rtol: 1e-6, atol: 1e-7 });
      // the reference detaches half of its regularizer (package README): its gradient is ours − λ/2·K(c − c_prev)
      const regExact = toOurs(fx.outputs.reg_gradient_exact.data, nNum);
      const refLike = Array.from(gradient, (g, i) => g - 0.5 * regExact[i]);
      c.values('d/d alphas (reference-like)', 'gradient', refLike, toOurs(fx.grads.alphas.data, nNum), {
        rtol: 1e-5,
        atol: 1e-7,
      });
      return c.list;
    }
    if (family === 'densratio') {
      const cfg = fx.config as { alpha: number; sigma_range: number[]; lambda_range: number[] };
      const centers = mat(fx.outputs.centers);
      for (const variant of ['r', 'densratio-py'] as const) {
        const res = lsifLOOCV(
          mat(fx.inputs.x),
          mat(fx.inputs.y),
          centers,
          cfg.sigma_range,
          cfg.lambda_range,
          cfg.alpha,
          variant,
        );
        const want = variant === 'r' ? fx.outputs.loocv_r : fx.outputs.loocv_densratio_py;
        c.values(`loocv ${variant}`, 'forward', res.scores.flat(), want.data, { rtol: 1e-8, atol: 1e-10 });
      }
      const common = {
        sigma: cfg.sigma_range,
        lambda: cfg.lambda_range,
        centers: samples(fx.outputs.centers),
        loocv: 'densratio-py' as const,
      };
      const x = samples(fx.inputs.x);
      const y = samples(fx.inputs.y);
      const model = (cfg.alpha > 0 ? new RuLSIF({ ...common, alpha: cfg.alpha }) : new ULSIF(common)).fit(
        x,
        y,
      );
      c.exact(
        'selected (sigma, lambda)',
        [model.selected?.sigma ?? Number.NaN, model.selected?.lambda ?? Number.NaN],
        [fx.outputs.sigma.data[0], fx.outputs.lambda.data[0]],
      );
      c.values('theta', 'forward', model.coefficients.weights, fx.outputs.theta, { rtol: 1e-7, atol: 1e-9 });
      c.values('predictions', 'forward', model.predict(samples(fx.inputs.xt)), fx.outputs.predictions, {
        rtol: 1e-7,
        atol: 1e-9,
      });
      return c.list;
    }
    if (family === 'ulsif_fixed') {
      const cfg = fx.config as { alpha: number; sigma: number; lambda: number };
      const common = { sigma: cfg.sigma, lambda: cfg.lambda, centers: samples(fx.outputs.centers) };
      const x = samples(fx.inputs.x);
      const y = samples(fx.inputs.y);
      const model = (cfg.alpha > 0 ? new RuLSIF({ ...common, alpha: cfg.alpha }) : new ULSIF(common)).fit(
        x,
        y,
      );
      // closed form (H + λI)⁻¹h in float64: relative 1e-9 (θ norm-wise: atol 1e-9·max|θ|)
      const theta = fx.outputs.theta.data;
      const scale = Math.max(...theta.map(Math.abs));
      c.values(
        'theta',
        'forward',
        model.coefficients.weights,
        theta,
        tolFor(fx, 'theta', { rtol: 1e-9, atol: 1e-9 * scale }),
      );
      c.values(
        'predictions',
        'forward',
        model.predict(samples(fx.inputs.xt)),
        fx.outputs.predictions,
        tolFor(fx, 'predictions', { rtol: 1e-9, atol: 1e-12 }),
      );
      return c.list;
    }
    if (family === 'iwa') {
      const res = aggregateFixture(fx);
      c.values('G', 'forward', res.G, fx.outputs.matrix_G.data, { rtol: 1e-12, atol: 1e-15 });
      c.values('F', 'forward', res.F, fx.outputs.matrix_F.data, { rtol: 1e-12, atol: 1e-15 });
      c.values('weights', 'forward', res.weights, fx.outputs.weights.data, { rtol: 1e-9, atol: 1e-10 });
      c.exact('target classes', res.targetClasses, fx.outputs.target_classes_test.data);
      c.exact('source classes', res.sourceClasses, fx.outputs.source_classes_test.data);
      return c.list;
    }
    throw new Error(`kernel-dre runner: unknown family ${family}`);
  },
};
