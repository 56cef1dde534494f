"""Shims that let lugruber/dre_iter_reg import and run on a CPU-only machine without its optional
dependencies (not reference code): `.to('cuda')` becomes a no-op; `sklearn.base` (only the
BaseEstimator/RegressorMixin base classes) and `torchmin` (only the non-square `fit`, never called) are
stubbed. Used by make_fixtures.py and by the randomized parity sweep (parity/python/sweep.py)."""
import sys
import types

import torch


def install_reference_shims():
    """Installs the shims; returns the `sklearn` modules they replaced, for the caller to restore."""
    orig_to = torch.Tensor.to

    def to_cpu(self, *a, **k):
        if a and isinstance(a[0], str) and a[0].startswith('cuda'):
            a = a[1:]
            if not a and not k:
                return self
        return orig_to(self, *a, **k)

    def no_minimize(*a, **k):
        raise NotImplementedError('torchmin is not installed; fit() of non-square losses is not run')

    torch.Tensor.to = to_cpu
    sk = types.ModuleType('sklearn')
    skb = types.ModuleType('sklearn.base')
    skb.BaseEstimator = type('BaseEstimator', (), {})
    skb.RegressorMixin = type('RegressorMixin', (), {})
    sk.base = skb
    tm = types.ModuleType('torchmin')
    tm.minimize = no_minimize
    replaced = {k: sys.modules.get(k) for k in ('sklearn', 'sklearn.base')}
    sys.modules.update({'sklearn': sk, 'sklearn.base': skb, 'torchmin': tm})
    return replaced
