"""Python side of the breast-cancer DRE benchmark (examples/dre/src/breast.ts): the reference's relabelling
and splits, and the reference's own KuLSIF on them.

Replays lugruber/dre_iter_reg `Exp_Kanamori/experiments.py --dataset breast --seed S` (commit d0f52a2,
imported unmodified through bench/python/reference.py) up to its fits, in the same order of draws from
numpy's global generator: np.random.seed(S); standardise the 569 rows; gamma = 1/median distance; the
reference's own `PlattScaler` (models.py: CalibratedClassifierCV of an RBF SVC, 10 shuffled stratified
folds) fit on every row, then relabel y := its prediction and set the "true" ratio
p(y=0|x)/p(y=1|x) * n1/n0 (source y = 1, target y = 0); then the outer StratifiedKFold(10, shuffle) and, per
fold, the inner StratifiedKFold(5) split the script draws and never uses and the 80/20 stratified
train_test_split that is its hyper-parameter split.

  /usr/bin/python3 examples/dre/scripts/breast_reference.py --seeds 1,2,3 --oracle examples/dre/data/breast-oracle.json [--fit out.json]

--oracle writes, per seed, the labels, the true ratio and every fold's test and validation rows (indices
into the 569 rows) for the TypeScript benchmark. --fit also runs the reference's `IteratedKulsif`
through the script's pipeline (ColumnTransformer(StandardScaler) + estimator, GridSearchCV on the 80/20
split, scoring neg RMSE against the true ratio, refit on the training folds) on the same splits: `kul`
(lambda grid, niter 1, as the script) and `iterkul` (lambda x niter 1..10, the grid the script uses for
gmd; the reference's niter >= 2 all give t = 2). Its other losses need `torchmin`, not installable here.
CPU shims: `.to('cuda')` is a no-op and `torchmin` a stub (packages/kernel-dre/scripts/reference_shims.py,
with the real scikit-learn kept).
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'bench', 'python'))
sys.path.insert(0, os.path.join(ROOT, 'packages', 'kernel-dre', 'scripts'))
from reference import load  # noqa: E402
from reference_shims import install_reference_shims  # noqa: E402

COMMIT = 'd0f52a21d19339379a5941f7f34ceca62336609e'

ap = argparse.ArgumentParser()
ap.add_argument('--seeds', default='1,2,3')
ap.add_argument('--oracle', required=True)
ap.add_argument('--fit')
ap.add_argument('--n-jobs', type=int, default=1)
args = ap.parse_args()

replaced = install_reference_shims()
for k, v in replaced.items():  # keep the real scikit-learn: the reference needs it here
    if v is None:
        sys.modules.pop(k, None)
    else:
        sys.modules[k] = v
sys.path.insert(0, os.path.join(load('lugruber/dre_iter_reg', 'Exp_Kanamori', COMMIT), 'Exp_Kanamori'))
import sklearn  # noqa: E402
from data import BreastCancer  # noqa: E402
from models import PlattScaler, nmse  # noqa: E402
from models_torch import IteratedKulsif  # noqa: E402
from scipy.spatial.distance import cdist  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.metrics.pairwise import rbf_kernel  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

LAMBDAS = list(10 ** (-np.arange(start=-4, step=1, stop=7, dtype=float)))


def median_gamma(x):
    d = np.triu(cdist(XA=x, XB=x))
    return 1 / np.median(d[d > 0])


oracle = {'reference': f'lugruber/dre_iter_reg@{COMMIT[:7]} Exp_Kanamori/experiments.py --dataset breast',
          'sklearn': sklearn.__version__, 'numpy': np.__version__,
          'csvSha256': hashlib.sha256(open(os.path.join(os.path.dirname(sklearn.__file__), 'datasets', 'data',
                                                        'breast_cancer.csv'), 'rb').read()).hexdigest(),
          'seeds': []}
fits = {'sklearn': sklearn.__version__, 'seeds': []}
for seed in [int(s) for s in args.seeds.split(',')]:
    t0 = time.time()
    np.random.seed(seed)
    X, y = BreastCancer().get_Xy()
    Xs = StandardScaler().fit_transform(X=X)
    platt = PlattScaler(rbf_gam=median_gamma(Xs))
    platt.fit(X=Xs, y=y)
    probas = platt.predict_probas(Xs)
    labels = platt.predict(dset=Xs)
    Xy = np.concatenate((X, labels.reshape(-1, 1)), axis=1)
    ratio = probas[:, 0] / probas[:, 1] * ((labels == 1).sum() / (labels == 0).sum())
    folds, scores = [], {'kul': [], 'iterkul': []}
    chosen = {'kul': [], 'iterkul': []}
    for train_idx, test_idx in StratifiedKFold(n_splits=10, shuffle=True).split(X=Xy[:, :-1], y=Xy[:, -1]):
        list(StratifiedKFold(n_splits=5, shuffle=True).split(X=Xy[train_idx, :-1], y=Xy[train_idx, -1]))
        tr_h, va_h = train_test_split(np.arange(len(train_idx)), test_size=0.2, stratify=Xy[train_idx, -1],
                                      shuffle=True)
        folds.append({'test': test_idx.tolist(), 'val': train_idx[va_h].tolist()})
        if not args.fit:
            continue
        gam = median_gamma(StandardScaler().fit_transform(X=Xy[train_idx, :-1]))
        scaler = ColumnTransformer([('stand1', StandardScaler(), slice(0, Xy.shape[1] - 1))], remainder='passthrough')
        grids = {'kul': {'iteratedkulsif__reg_par': LAMBDAS},
                 'iterkul': {'iteratedkulsif__reg_par': LAMBDAS,
                             'iteratedkulsif__niter': list(np.arange(start=1, step=1, stop=11, dtype=float))}}
        for name, grid in grids.items():
            clf = GridSearchCV(estimator=make_pipeline(scaler, IteratedKulsif(kernel=rbf_kernel, rbf_gam=gam)),
                               param_grid=grid, cv=[(tr_h, va_h)], scoring='neg_root_mean_squared_error',
                               n_jobs=args.n_jobs)
            clf.fit(X=Xy[train_idx], y=ratio[train_idx])
            scores[name].append(float(nmse(y_true=ratio[test_idx], y_pred=clf.best_estimator_.predict(Xy[test_idx]))))
            chosen[name].append({k.split('__')[1]: float(v) for k, v in clf.best_params_.items()})
    oracle['seeds'].append({'seed': seed, 'labels': labels.astype(int).tolist(), 'ratio': ratio.tolist(),
                            'folds': folds})
    if args.fit:
        fits['seeds'].append({'seed': seed, 'nmse': scores, 'chosen': chosen, 'seconds': time.time() - t0})
    print(f'seed {seed}: {int((labels == 0).sum())} relabelled y=0, ratio mean {ratio.mean():.4f}'
          + (f", nMSE kul {np.mean(scores['kul']):.4f} iterkul {np.mean(scores['iterkul']):.4f}" if args.fit else '')
          + f' ({time.time() - t0:.1f} s)', flush=True)

os.makedirs(os.path.dirname(os.path.abspath(args.oracle)), exist_ok=True)
with open(args.oracle, 'w') as f:
    json.dump(oracle, f, separators=(',', ':'))
    f.write('\n')
if args.fit:
    with open(args.fit, 'w') as f:
        json.dump(fits, f, indent=1)
        f.write('\n')
