"""One hflayers fixture, in the shared fixture format (shared/fixtures/README.md): the call, the backward pass
and the document. Used by make_fixtures.py and by the randomized parity sweep (parity/python/sweep.py)."""
import torch


def arr(t):
    t = t.detach().to(torch.float64)
    return {'shape': list(t.shape), 'data': t.reshape(-1).tolist()}


def layer_arg(floats, pooling):
    """The module's first argument: the one input, or the (stored, [state,] projection) tuple."""
    if 'input' in floats:
        return floats['input']
    if pooling:
        return (floats['stored_pattern'], floats['pattern_projection'])
    return (floats['stored_pattern'], floats['state_pattern'], floats['pattern_projection'])


def backward(module, floats, out, gen):
    """Draws the upstream gradient G and back-propagates sum(out · G); returns G and the gradient of every
    input and trainable parameter (zeros where the reference leaves none)."""
    g = torch.randn(out.shape, generator=gen)
    (out * g).sum().backward()
    grads = {k: arr(v.grad) for k, v in floats.items()}
    for k, p in module.named_parameters():
        if p.requires_grad:
            grads[k] = arr(p.grad if p.grad is not None else torch.zeros_like(p))
    return g, grads


def fixture_doc(case, reference, config, inputs, masks, g, module, out, assoc, grads, seed, notes, meta,
                config_notes=None):
    """The fixture document; `meta` (e.g. update steps) follows the common meta keys."""
    cfg = {k: (v.tolist() if isinstance(v, torch.Tensor) else v) for k, v in config.items()}
    return {
        'case': case,
        'reference': reference,
        'config': {**cfg, 'forward': {k: f'inputs.{k}' for k in masks}, **(config_notes or {})},
        'inputs': {**{k: arr(v) for k, v in inputs.items()}, **{k: arr(v.to(torch.float64)) for k, v in masks.items()},
                   'upstream_grad': arr(g)},
        'params': {k: arr(v) for k, v in module.state_dict().items()},
        'outputs': {'output': arr(out), 'association_matrix': arr(assoc)},
        'grads': grads,
        'meta': {'dtype': 'float64', 'torch_version': torch.__version__, 'seed': seed, 'grad_output': 'output',
                 'mask_dtypes': {k: str(v.dtype) for k, v in masks.items()}, 'notes': notes, **meta},
    }
