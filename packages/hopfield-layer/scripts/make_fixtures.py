"""Extra parity fixtures for @paperstack/hopfield-layer (configurations the shared set does not cover).

Runs the reference implementation, unmodified, and stores only numbers, in the shared fixture format
(../../../shared/fixtures/README.md). Needs PyTorch (Debian's python3-torch 1.13, as the shared set)
and a checkout of ml-jku/hopfield-layers at f56f929 on PYTHONPATH:

    PYTHONPATH=/path/to/hopfield-layers /usr/bin/python3 scripts/make_fixtures.py test/fixtures
"""
import json
import math
import sys

import torch

from hflayers import Hopfield, HopfieldLayer, HopfieldPooling
from fixture_doc import backward, fixture_doc, layer_arg
from randomize import randomize

torch.set_default_dtype(torch.float64)
OUT = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures'


class ActiveHeadSpy:
    """Which heads the reference updates at each step, and by how much, read from the calls hflayers.functional
    makes to `torch.masked_scatter` with its `update_active_heads` mask (per step: first q, then xi, with the
    same mask object). Only observes torch; the reference runs unmodified. The per-head count cannot be read
    from softmax input shapes (they give the number of active heads, not which ones)."""

    def __init__(self):
        self.masks, self.changes, self.recording = [], [], False
        self._orig = torch.masked_scatter
        torch.masked_scatter = self._spy

    def _spy(self, input, mask, source):
        out = self._orig(input, mask, source)
        if self.recording and mask.dim() == 3 and tuple(mask.shape[1:]) == (1, 1):
            if any(m is mask for m in self.masks):  # the xi update: ‖ξ_t − ξ_{t−1}‖_F per [batch·heads]
                self.changes.append((mask.reshape(-1).clone(), (out - input).detach().norm(dim=(1, 2))))
            else:
                self.masks.append(mask)
        return out

    def steps(self, num_heads):
        # mask rows are b*num_heads + h (the reference's [batch*heads] layout); batch 0 suffices
        return [sum(int(m.reshape(-1)[h]) for m in self.masks) for h in range(num_heads)]

    def margin(self, num_heads, eps):
        """min over the stopping decisions of |max_b ‖Δξ‖ − eps_h| / eps_h (how far float32 is from flipping one)."""
        eps = [float(e) for e in eps] if isinstance(eps, torch.Tensor) else [eps] * num_heads
        out = math.inf
        for active, norms in self.changes:
            for h in range(num_heads):
                if active[h]:
                    out = min(out, abs(float(norms.view(-1, num_heads)[:, h].max()) - eps[h]) / eps[h])
        return out


SPY = ActiveHeadSpy()


def case(name, cls, config, inputs, forward=None, seed=0, notes=''):
    gen = torch.Generator().manual_seed(seed)
    module = cls(**config).double().eval()
    randomize(module, gen)
    forward = forward or {}
    data = {k: v(gen) if callable(v) else v for k, v in inputs.items()}
    masks = {k: v for k, v in forward.items()}
    for k in list(masks):
        masks[k] = masks[k](gen) if callable(masks[k]) else masks[k]
    floats = {k: v.clone().requires_grad_(True) for k, v in data.items()}
    arg = layer_arg(floats, cls is HopfieldPooling)
    SPY.masks, SPY.changes, SPY.recording = [], [], True
    out = module(arg, **masks)
    SPY.recording = False
    heads = config.get('num_heads', 1)
    steps = SPY.steps(heads) if cls is Hopfield else None
    margin = SPY.margin(heads, config.get('update_steps_eps', 1e-4)) if SPY.changes else None
    assoc = module.get_association_matrix(arg, **masks)
    g, grads = backward(module, floats, out, gen)
    reference = {'repo': 'ml-jku/hopfield-layers', 'commit': 'f56f929c95b77a070ae675ea4f56b6d54d36e730',
                 'symbol': f'hflayers.{cls.__name__}.forward + get_association_matrix'}
    fx = fixture_doc(name, reference, config, data, masks, g, module, out, assoc, grads, seed, notes,
                     {**({'update_steps_per_head': steps} if steps is not None else {}),
                      **({'min_relative_margin_to_eps': margin} if margin is not None else {})},
                     {'masks_true_means': 'masked / ignored (bool masks); float association masks are added'})
    with open(f'{OUT}/{name}.json', 'w') as f:
        json.dump(fx, f)
    print(name, 'output', list(out.shape))


def rn(*shape):
    return lambda gen: torch.randn(shape, generator=gen)


def bool_mask(shape, p=0.35):
    def make(gen):
        m = torch.rand(shape, generator=gen) < p
        m[..., 0] = False  # never a fully masked row
        return m
    return make


tup = lambda b, s, l, ks, qs, vs: {'stored_pattern': rn(b, s, ks), 'state_pattern': rn(b, l, qs), 'pattern_projection': rn(b, s, vs)}

case('extra_separate_weights', Hopfield,
     dict(input_size=6, stored_pattern_size=5, pattern_projection_size=7, hidden_size=3, pattern_size=4, num_heads=2,
          output_size=9), tup(2, 6, 4, 5, 6, 7), seed=2001,
     notes='different stored/state/projection sizes: separate q/k/v_proj_weight')
case('extra_connected', Hopfield, dict(input_size=8, num_heads=2, pattern_projection_as_connected=True),
     tup(2, 6, 4, 8, 8, 8), seed=2002, notes='pattern projection through W_K then W_V')
case('extra_hopfield_space_norm', Hopfield,
     dict(input_size=8, num_heads=2, hidden_size=4, normalize_hopfield_space=True, normalize_hopfield_space_affine=True),
     {'input': rn(2, 5, 8)}, seed=2003, notes='LayerNorm over the head dim of projected q and k (shared affine)')
case('extra_zero_assoc_masks', Hopfield, dict(input_size=8, num_heads=2, add_zero_association=True),
     {'input': rn(2, 5, 8)},
     forward={'association_mask': bool_mask((4, 5, 5)), 'stored_pattern_padding_mask': bool_mask((2, 5), 0.3)},
     seed=2004, notes='zero association + 3D association mask (b*H+h) + padding mask')
case('extra_float_mask_no_bias', Hopfield,
     dict(input_size=8, input_bias=False, association_activation='tanh', normalize_stored_pattern_affine=False,
          normalize_state_pattern_affine=False, normalize_pattern_projection_affine=False),
     {'input': rn(2, 5, 8)}, forward={'association_mask': rn(5, 5)}, seed=2005,
     notes='float association mask (added), no biases, tanh activation, non-affine input LayerNorms')
case('extra_static_state', Hopfield, dict(input_size=8, state_pattern_as_static=True), tup(2, 6, 3, 8, 8, 8),
     seed=2006, notes='state pattern used unprojected (one head)')
case('extra_disable_out_heads', Hopfield,
     dict(input_size=8, num_heads=2, hidden_size=4, pattern_size=3, disable_out_projection=True),
     {'input': rn(2, 5, 8)}, seed=2007, notes='no output projection: heads concatenated, 2*3 features')
case('extra_update_per_head', Hopfield,
     dict(input_size=8, num_heads=2, scaling=1.0, update_steps_max=torch.tensor([1, 3]),
          update_steps_eps=torch.tensor([1e-4, 1e-3])),
     {'input': rn(2, 5, 8)}, seed=2008, notes='per-head update_steps_max / update_steps_eps tensors')
case('extra_layer_separated', HopfieldLayer,
     dict(input_size=8, quantity=5, num_heads=2, lookup_weights_as_separated=True, lookup_targets_as_trainable=False),
     {'input': rn(2, 4, 8)}, seed=2009, notes='separate, frozen lookup targets')
case('extra_pooling_tuple', HopfieldPooling, dict(input_size=8, num_heads=2, quantity=3, output_size=5),
     {'stored_pattern': rn(2, 6, 8), 'pattern_projection': rn(2, 6, 8)},
     forward={'stored_pattern_padding_mask': bool_mask((2, 6), 0.3)}, seed=2010,
     notes='(stored, projection) tuple input, padding mask, 3 queries, 2 heads')

# Issue 18: draws where head 1 iterates longer than head 0 (the committed hopfield_f has the opposite
# order), including heads that stop one step apart. Seeds picked among draws of this configuration
# whose change norms stay ≥ 5 % away from update_steps_eps (float32 takes the same decisions).
conv = dict(input_size=8, num_heads=2, hidden_size=4, scaling=2.0, update_steps_max=12, update_steps_eps=1e-4)
case('extra_update_head1_longer', Hopfield, conv, {'input': rn(2, 5, 8)}, seed=20,
     notes='head 0 stops after 5 update steps, head 1 runs to update_steps_max = 12')
case('extra_update_near_tie', Hopfield, conv, {'input': rn(2, 5, 8)}, seed=169,
     notes='heads stop one step apart, head 1 last (7 and 8 update steps)')
case('extra_zero_assoc_updates', Hopfield, {**conv, 'add_zero_association': True}, {'input': rn(2, 5, 8)},
     forward={'stored_pattern_padding_mask': bool_mask((2, 5), 0.3)}, seed=20,
     notes='zero association + padding mask with update steps: the reference appends the zero pattern by '
           'torch.cat after the transpose, so its k is contiguous and its gradient is not scrambled')
case('extra_update_near_tie_unbounded', Hopfield, {**conv, 'update_steps_max': None}, {'input': rn(2, 5, 8)},
     seed=106, notes='update_steps_max = None; heads stop one step apart, head 1 last')
