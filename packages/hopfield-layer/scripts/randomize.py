"""The shared fixture set's parameter scheme (shared/fixtures/README.md, 'Parameters were randomised'):
used by make_fixtures.py and by the randomized parity sweep (parity/python/sweep.py)."""
import math

import torch


def randomize(module, gen):
    """Seeded non-trivial parameters instead of the reference init, so that associations are far from uniform."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            leaf = name.split('.')[-1]
            if 'norm' in name and leaf == 'weight' or leaf == 'p_norm_weight':
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=gen))
            elif 'norm' in name and leaf == 'bias' or leaf == 'p_norm_bias':
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))
            elif leaf in ('pooling_weights', 'lookup_weights', 'target_weights'):
                p.copy_(torch.randn(p.shape, generator=gen))
            elif leaf.endswith('bias') or leaf in ('bias_k', 'bias_v'):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[-1]))
