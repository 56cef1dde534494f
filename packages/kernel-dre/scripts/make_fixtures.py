"""Generates the parity fixtures in ../test/fixtures/ (format: shared/fixtures/README.md).

The reference code is NOT copied here: it is imported, unmodified, from checkouts given on the
command line, and run on CPU in float64 (torch 1.13 + numpy 1.24, Debian's python3):

  python3 scripts/make_fixtures.py \
      --dre-iter-reg /path/to/lugruber/dre_iter_reg \
      --densratio   /path/to/hoxo-m/densratio_py \
      --out test/fixtures

Shims (not reference code): the reference hard-codes `.to('cuda')`, which is turned into a no-op;
`sklearn.base` (only BaseEstimator/RegressorMixin base classes) and `torchmin` (used only by the
non-square `fit`, which is not called) are stubbed because they are not installed. The kernel the
reference receives as an argument (`kernel=rbf_kernel`) is our own numpy function with sklearn's
signature. Everything else in this file (the rbf function, median heuristic, the direct solves and the
uLSIF leave-one-out scores) is our own numpy, written from the formulas in the papers.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from loocv import loocv_scores
from reference_shims import install_reference_shims

torch.set_default_dtype(torch.float64)

ap = argparse.ArgumentParser()
ap.add_argument('--dre-iter-reg', required=True)
ap.add_argument('--densratio', required=True)
ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures'))
args = ap.parse_args()

COMMITS = {
    'lugruber/dre_iter_reg': 'd0f52a21d19339379a5941f7f34ceca62336609e',
    'hoxo-m/densratio_py': '5757f365e0c68666c50e2d3f2dc46e72a0e85b2a',
}

install_reference_shims()  # scripts/reference_shims.py

sys.path.insert(0, os.path.join(args.dre_iter_reg, 'Exp_Kanamori'))
import models_torch as ref  # noqa: E402

sys.path.insert(0, args.densratio)
from densratio.RuLSIF import RuLSIF as densratio_rulsif  # noqa: E402

sys.path.insert(0, os.path.join(args.dre_iter_reg, 'Exp_Aggregation'))
from approaches.aggregation import Aggregator  # noqa: E402

os.makedirs(args.out, exist_ok=True)


# ---- our own numpy helpers -----------------------------------------------------------------------
def rbf(X, Y=None, gamma=1.0):
    """exp(-gamma * ||x - y||^2) with sklearn.metrics.pairwise.rbf_kernel's call signature."""
    Y = X if Y is None else Y
    d2 = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    return np.exp(-gamma * d2)


def median_gamma(X):
    """gamma = 1 / median of non-zero pairwise distances (upper triangle), the reference's heuristic."""
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    iu = np.triu_indices(X.shape[0], 1)
    d = D[iu]
    return 1.0 / np.median(d[d > 0])


def arr(x):
    x = np.asarray(x, dtype=np.float64)
    return {'shape': list(x.shape), 'data': [float(v) for v in x.reshape(-1)]}


def write(case, reference, config, inputs, outputs, grads=None, meta=None, params=None):
    doc = {
        'case': case,
        'reference': reference,
        'config': config,
        'inputs': {k: arr(v) for k, v in inputs.items()},
        'params': {k: arr(v) for k, v in (params or {}).items()},
        'outputs': {k: arr(v) for k, v in outputs.items()},
        'grads': {k: arr(v) for k, v in (grads or {}).items()},
        'meta': meta or {},
    }
    with open(os.path.join(args.out, case + '.json'), 'w') as f:
        json.dump(doc, f)
    print('wrote', case)


def direct_iterated_kulsif(Kfull, n, m, lam, T):
    """Direct solve of each proximal step in coefficient space, c = [alpha (Q); beta (P)]:
    first-order condition (E_Q K / n + lam I) c = 1_P / m + lam c_prev (our derivation)."""
    N = n + m
    EQ = np.zeros((N, N))
    EQ[:n, :n] = np.eye(n)
    oneP = np.concatenate([np.zeros(n), np.ones(m) / m])
    c = np.zeros(N)
    for _ in range(T):
        c = np.linalg.solve(EQ @ Kfull / n + lam * np.eye(N), oneP + lam * c)
    return c


# ---- 1. IteratedKulsif ------------------------------------------------------------------------
rng = np.random.default_rng(7)
d = 3
den = rng.normal(0.0, 1.0, size=(30, d))  # source / denominator Q
num = rng.normal(0.4, 0.8, size=(25, d))  # target / numerator P
xt = rng.normal(0.2, 1.0, size=(12, d))
train = np.concatenate([den, num])
gam = median_gamma(train)
Xy = np.concatenate([np.c_[den, np.ones(len(den))], np.c_[num, np.zeros(len(num))]])
Kfull = 1.0 + rbf(train, gamma=gam)
for lam, niter, tag in [(1e-2, 1, 't1'), (1e-2, 2, 't2'), (1e-1, 5, 't5')]:
    model = ref.IteratedKulsif(kernel=rbf, rbf_gam=gam, reg_par=lam, niter=niter)
    model.fit(Xy, None)
    ab = model.alphas_betas.detach().numpy().reshape(-1)
    pred = model.predict(np.c_[xt, np.zeros(len(xt))])
    c_direct = direct_iterated_kulsif(Kfull, len(den), len(num), lam, niter)
    Kt = 1.0 + rbf(train, xt, gamma=gam)
    pred_direct = c_direct @ Kt
    meta = {
        'seed': 7,
        'dtype': 'float64',
        'grad_output': None,
        'notes': 'numerator = target (label 0), denominator = source (label 1); kernel 1 + exp(-gamma||x-y||^2), '
        'gamma = 1/median distance of numerator+denominator. alphas_betas = [alpha (denominator); beta (numerator)]. '
        'direct_* = our numpy direct solve of t proximal steps (the paper\'s iterated Tikhonov).',
    }
    if niter >= 3:
        meta['reference_bug'] = (
            'IteratedKulsif.fit never advances curr_iter in its t=2 branch, so niter >= 3 returns the t=2 '
            'iterate: alphas_betas here equal the t=2 solution; direct_* holds the true t=%d iterate.' % niter
        )
    write(
        'kulsif_%s' % tag,
        {'repo': 'lugruber/dre_iter_reg', 'commit': COMMITS['lugruber/dre_iter_reg'],
         'symbol': 'Exp_Kanamori/models_torch.py IteratedKulsif.fit + predict'},
        {'reg_par': lam, 'niter': niter, 'rbf_gam': gam, 'kernel_offset': 1.0},
        {'numerator': num, 'denominator': den, 'x': xt},
        {'alphas_betas': ab, 'predictions': pred, 'rbf_gam': gam,
         'direct_coefficients': c_direct, 'direct_predictions': pred_direct},
        meta=meta,
    )

# ---- 2. Bregman losses of the non-square methods ---------------------------------------------------
for cls, name in [(ref.IterCpeExp, 'exp'), (ref.IterLogi, 'logistic'), (ref.IterSquare, 'square')]:
    rng = np.random.default_rng({'exp': 11, 'logistic': 12, 'square': 13}[name])
    num = rng.normal(0.3, 1.0, size=(9, 2))
    den = rng.normal(0.0, 1.0, size=(11, 2))
    gam = 0.5
    lam = 0.1
    model = cls(kernel=rbf, rbf_gam=gam, reg_par=lam)
    # the reference orders the Gram matrix (target = numerator, source = denominator)
    model.gram = torch.from_numpy(1.0 + rbf(np.concatenate([num, den]), gamma=gam))
    model.nsamples_target, model.nsamples_source = num.shape[0], den.shape[0]
    N = num.shape[0] + den.shape[0]
    alphas_np = rng.normal(0, 0.05, size=N)
    prev_np = rng.normal(0, 0.05, size=N)
    model.alphas_prev = torch.from_numpy(prev_np)
    alphas = torch.from_numpy(alphas_np.copy()).requires_grad_(True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        loss = model.loss_regularized(alphas)
    loss.backward()
    # the regularizer's exact gradient lam * G (a - a_prev): the reference's autograd sees only half of it
    G = 1.0 + rbf(np.concatenate([num, den]), gamma=gam)
    write(
        'bregman_%s_loss' % name,
        {'repo': 'lugruber/dre_iter_reg', 'commit': COMMITS['lugruber/dre_iter_reg'],
         'symbol': 'Exp_Kanamori/models_torch.py %s.loss_regularized' % cls.__name__},
        {'reg_par': lam, 'rbf_gam': gam, 'kernel_offset': 1.0},
        {'numerator': num, 'denominator': den, 'alphas': alphas_np, 'alphas_prev': prev_np},
        {'loss': np.array(loss.item()), 'reg_gradient_exact': lam * G @ (alphas_np - prev_np)},
        grads={'alphas': alphas.grad.numpy()},
        meta={
            'grad_output': 'loss',
            'dtype': 'float64 inputs; the reference casts the loss terms to float32',
            'notes': 'alphas ordered [numerator; denominator]. The reference wraps reg_par/2*(a - a_prev) in '
            'torch.tensor(...), detaching it, so its autograd gradient holds only lam/2 * G (a - a_prev) of the '
            'regularizer; grads.alphas is that reference gradient. outputs.reg_gradient_exact = lam * G (a - a_prev).',
        },
    )

# ---- 3. densratio (uLSIF / RuLSIF) -------------------------------------------------------------------


for alpha, tag in [(0.0, 'ulsif'), (0.3, 'rulsif')]:
    rng = np.random.default_rng(21 if alpha == 0 else 22)
    x = rng.normal(0.5, 0.7, size=(60, 2))  # numerator p
    y = rng.normal(0.0, 1.0, size=(70, 2))  # denominator q
    xt = rng.normal(0.2, 1.0, size=(10, 2))
    sig = np.array([0.3, 1.0, 3.0])
    lams = np.array([1e-3, 1e-2, 1e-1, 1.0])
    np.random.seed(5)
    res = densratio_rulsif(x, y, alpha, sig, lams, kernel_num=20, verbose=False)
    centers = res.kernel_info.centers
    sc_r = loocv_scores(x, y, centers, sig, lams, alpha, 'r')
    sc_py = loocv_scores(x, y, centers, sig, lams, alpha, 'densratio-py')
    write(
        'densratio_%s' % tag,
        {'repo': 'hoxo-m/densratio_py', 'commit': COMMITS['hoxo-m/densratio_py'],
         'symbol': 'densratio/RuLSIF.py RuLSIF (search_sigma_and_lambda + fit)'},
        {'alpha': alpha, 'sigma_range': sig.tolist(), 'lambda_range': lams.tolist(), 'kernel_num': 20},
        {'x': x, 'y': y, 'xt': xt},
        {'centers': centers, 'theta': res.theta, 'sigma': np.array(res.kernel_info.sigma),
         'lambda': np.array(res.lambda_), 'predictions': res.compute_density_ratio(xt),
         'loocv_r': sc_r, 'loocv_densratio_py': sc_py},
        meta={'grad_output': None, 'numpy_seed_before_call': 5,
              'notes': 'x ~ numerator p, y ~ denominator q (densratio naming). loocv_* = our numpy LOOCV score '
              'grids [sigma, lambda]; densratio-py omits the division of B1 by the LOO denominator.'},
    )

# ---- 4. IWA aggregation -----------------------------------------------------------------------------
rng = np.random.default_rng(31)
L, n, m, c = 5, 40, 30, 3


def softmax(z):
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


src = softmax(rng.normal(size=(L, n, c)) * 2)
tgt = softmax(rng.normal(size=(L, m, c)) * 2)
labels = rng.integers(0, c, size=n)
onehot = np.eye(c)[labels]
w = np.exp(rng.normal(0, 0.5, size=(n, 1)))
src_test = softmax(rng.normal(size=(L, 15, c)) * 2)
tgt_test = softmax(rng.normal(size=(L, 12, c)) * 2)
for rcond in [1e-2, 0.2]:
    agg = Aggregator(rcond=rcond)
    agg.lambdas = list(range(L))
    agg.n_target, agg.n_source, agg.n_classes = m, n, c
    agg.target_pred_probabilities = tgt
    agg.source_pred_probabilities = src
    agg.source_label_one_hot = onehot
    agg.importance_weights = w
    agg._compute_aggregation_weights()
    agg.source_pred_probabilities_test = src_test
    agg.target_pred_probabilities_test = tgt_test
    agg._compute_ensemble_predictions()
    write(
        'iwa_aggregation_rcond%s' % str(rcond).replace('.', 'p'),
        {'repo': 'lugruber/dre_iter_reg', 'commit': COMMITS['lugruber/dre_iter_reg'],
         'symbol': 'Exp_Aggregation/approaches/aggregation.py Aggregator._compute_aggregation_weights '
                   '(identical to Xpitfire/iwa approaches/aggregation.py)'},
        {'rcond': rcond},
        {'source_predictions': src, 'target_predictions': tgt, 'source_labels': labels.astype(float),
         'importance_weights': w.reshape(-1), 'source_predictions_test': src_test,
         'target_predictions_test': tgt_test},
        {'matrix_G': agg.matrix_G, 'matrix_F': agg.matrix_F[:, 0], 'weights': agg.ensemble_weights,
         'target_classes_test': agg.target_predictions_test.astype(float),
         'source_classes_test': agg.source_predictions_test.astype(float)},
        meta={'grad_output': None, 'notes': 'source/target predictions are softmax probabilities [models, points, classes].'},
    )

# ---- 5. closed forms at small lambda (issue 18) ---------------------------------------------------------
# Our numpy float64 solves of the closed forms, written from the formulas (no reference code): uLSIF /
# RuLSIF θ = (Ĥ + λI)⁻¹ĥ with given centers and σ, KuLSIF α^t = (K_QQ/n + λI)⁻¹(λα^{t−1} − t K_QP 1/(nmλ)),
# β^t = t/(mλ), and KuLSIF in a center basis (Ĥ + λK_CC)θ_t = ĥ + λK_CCθ_{t−1}. No jitter anywhere: at
# these λ the systems are positive definite. λ down to 1e-6.
LAMS = [1e-3, 1e-4, 1e-5, 1e-6]


def gauss(X, C, gamma):
    return np.exp(-gamma * ((X[:, None, :] - C[None]) ** 2).sum(-1))


for tag, (d, m, n, b, seed, sigma, alpha) in {
    'ulsif_small_lambda_d2': (2, 120, 150, 100, 41, 0.7, 0.0),
    'rulsif_small_lambda_d5': (5, 80, 200, 60, 42, 1.5, 0.3),
}.items():
    rng = np.random.default_rng(seed)
    x = rng.normal(0.3, 0.8, size=(m, d))  # numerator p
    y = rng.normal(0.0, 1.0, size=(n, d))  # denominator q
    xt = rng.normal(0.1, 1.0, size=(20, d))
    C = x[:b]
    g = 1 / (2 * sigma * sigma)
    px, py, pt = gauss(x, C, g), gauss(y, C, g), gauss(xt, C, g)
    H = alpha * px.T @ px / m + (1 - alpha) * py.T @ py / n
    h = px.mean(0)
    thetas = np.array([np.linalg.solve(H + lam * np.eye(b), h) for lam in LAMS])
    write(
        tag,
        {'repo': 'paperstack (own numpy)', 'commit': None, 'symbol': 'theta = solve(H + lambda I, h) (Kanamori et al. 2009 Eq. 9)'},
        {'alpha': alpha, 'sigma': sigma, 'lambdas': LAMS, 'clip': False},
        {'x': x, 'y': y, 'xt': xt, 'centers': C},
        {'theta': thetas, 'predictions': thetas @ pt.T},
        meta={'grad_output': None, 'seed': seed, 'dtype': 'float64',
              'notes': 'x ~ numerator p, y ~ denominator q; theta/predictions have one row per lambda, unclipped. '
                       'eigenvalues of H: [%.3e, %.3e]' % tuple(np.linalg.eigvalsh(H)[[0, -1]])},
    )

rng = np.random.default_rng(43)
d, m, n, nc = 3, 70, 90, 30
num = rng.normal(0.4, 0.8, size=(m, d))
den = rng.normal(0.0, 1.0, size=(n, d))
xt = rng.normal(0.2, 1.0, size=(15, d))
C = np.concatenate([den[:nc // 2], num[:nc - nc // 2]])
gam, T = 0.25, 3
Kqq, Kqp, Kcc = gauss(den, den, gam), gauss(den, num, gam), gauss(C, C, gam)
bvec = Kqp.sum(1) / (n * m)
Pq, Pp, Pt = gauss(den, C, gam), gauss(num, C, gam), gauss(xt, C, gam)
Hc, hc = Pq.T @ Pq / n, Pp.mean(0)
pred_all, pred_centers = [], []
for lam in LAMS:
    al, th = np.zeros(n), np.zeros(nc)
    for t in range(1, T + 1):
        al = np.linalg.solve(Kqq / n + lam * np.eye(n), lam * al - t * bvec / lam)
        th = np.linalg.solve(Hc + lam * Kcc, hc + lam * Kcc @ th)
    pred_all.append(gauss(xt, den, gam) @ al + T / (m * lam) * gauss(xt, num, gam).sum(1))
    pred_centers.append(Pt @ th)
write(
    'kulsif_small_lambda',
    {'repo': 'paperstack (own numpy)', 'commit': None,
     'symbol': 'iterated KuLSIF closed form (Gruber et al. 2024 Sec. 3), exact and center-basis'},
    {'gamma': gam, 'iterations': T, 'lambdas': LAMS, 'kernel_offset': 0.0},
    {'numerator': num, 'denominator': den, 'x': xt, 'centers': C},
    {'predictions_all': np.array(pred_all), 'predictions_centers': np.array(pred_centers)},
    meta={'grad_output': None, 'seed': 43, 'dtype': 'float64',
          'notes': 'one row per lambda; t = 3; centers = first 15 denominator + first 15 numerator points; '
                   'eigenvalues of K_CC: [%.3e, %.3e]' % tuple(np.linalg.eigvalsh(Kcc)[[0, -1]])},
)
