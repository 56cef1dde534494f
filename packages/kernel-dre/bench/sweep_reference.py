"""Python side of bench/sweep.ts: the reference's grid search for iterated KuLSIF, timed end to end.

Imports lugruber/dre_iter_reg `Exp_Kanamori/models_torch.py` unmodified from --dre-iter-reg (CPU
shims as in scripts/make_fixtures.py) and runs what its GridSearchCV does for one 80/20 split: for
each of 11 lambdas x niter 1..10, fit on the training part and predict the validation part. The
kernel argument is our own numpy rbf (sklearn's formula, ||x||^2 + ||y||^2 - 2 x.y). Optionally
times densratio_py's uLSIF with its defaults (--densratio PATH).

  python3 bench/sweep_reference.py --dre-iter-reg PATH --n 1000 [--densratio PATH]

The output carries bench/python/blas_env.py's record (which BLAS, how many threads, a GFLOP/s probe);
`pnpm bench -- --external kernel-dre` runs this with OPENBLAS/MKL/OMP_NUM_THREADS set to --threads
and refuses a reference BLAS (bench/src/blas.ts).
"""
import argparse
import json
import os
import sys
import time
import types

import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument('--dre-iter-reg', required=True)
ap.add_argument('--densratio')
ap.add_argument('--n', type=int, default=1000)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--niters', default='1,2,3,4,5,6,7,8,9,10', help='comma-separated niter values (default: the full grid)')
args = ap.parse_args()
torch.set_num_threads(args.threads)

_orig_to = torch.Tensor.to


def _to_cpu(self, *a, **k):
    if a and isinstance(a[0], str) and a[0].startswith('cuda'):
        a = a[1:]
        if not a and not k:
            return self
    return _orig_to(self, *a, **k)


torch.Tensor.to = _to_cpu
sk = types.ModuleType('sklearn')
skb = types.ModuleType('sklearn.base')
skb.BaseEstimator = type('BaseEstimator', (), {})
skb.RegressorMixin = type('RegressorMixin', (), {})
sys.modules['sklearn'] = sk
sys.modules['sklearn.base'] = skb
tm = types.ModuleType('torchmin')
tm.minimize = None  # only the non-square fit uses it; not called here
sys.modules['torchmin'] = tm
sys.path.insert(0, os.path.join(args.dre_iter_reg, 'Exp_Kanamori'))
import models_torch as ref  # noqa: E402


def rbf(X, Y=None, gamma=1.0):
    Y = X if Y is None else Y
    d2 = (X * X).sum(1)[:, None] + (Y * Y).sum(1)[None, :] - 2 * X @ Y.T
    np.maximum(d2, 0, out=d2)
    return np.exp(-gamma * d2)


rng = np.random.default_rng(0)
n, d = args.n, 50
num = rng.normal(0.2, 1, size=(n, d))
den = rng.normal(0.0, 1, size=(n, d))
out = {'n': n, 'd': d, 'threads': args.threads, 'niters': args.niters}
t0 = time.perf_counter()
Xy = np.concatenate([np.c_[den, np.ones(n)], np.c_[num, np.zeros(n)]])
perm = rng.permutation(2 * n)
# stratified 80/20 split
src = perm[Xy[perm, -1] == 1]
tgt = perm[Xy[perm, -1] == 0]
nv = int(round(0.2 * n))
val = np.concatenate([src[:nv], tgt[:nv]])
tr = np.concatenate([src[nv:], tgt[nv:]])
train = Xy[tr]
# median heuristic on the training part (the reference computes it on the full train split)
sub = train[:, :-1]
sq = (sub * sub).sum(1)
D = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * sub @ sub.T, 0))
med = np.median(D[np.triu_indices(len(sub), 1)])
gam = 1 / med
best = (np.inf, None)
for lam in 10.0 ** (-np.arange(-4, 7)):
    for niter in [int(v) for v in args.niters.split(',')]:
        m = ref.IteratedKulsif(kernel=rbf, rbf_gam=gam, reg_par=lam, niter=niter)
        m.fit(train, None)
        p = m.predict(Xy[val])
        # the reference scores with the true ratio; here the held-out LSIF criterion (same cost)
        isq = Xy[val, -1] == 1
        s = 0.5 * np.mean(p[isq] ** 2) - np.mean(p[~isq])
        if s < best[0]:
            best = (s, (lam, niter))
out['sweepSeconds'] = time.perf_counter() - t0
out['best'] = best[1]
if args.densratio:
    sys.path.insert(0, args.densratio)
    from densratio import densratio

    t0 = time.perf_counter()
    densratio(num, den, verbose=False)
    out['ulsifSeconds'] = time.perf_counter() - t0
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'bench', 'python'))
import blas_env  # noqa: E402

out['reference'] = blas_env.report()
print(json.dumps(out))
