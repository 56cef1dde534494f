"""PyTorch counterparts of the bench/ cases (see bench/src/cases.ts).

Reads a JSON spec on stdin: {"threads": [1], "budget_s": 1.0, "min_iters": 3, "single_shot_s": 5,
"probe": true, "cases": [{"id": ..., "kind": ..., "params": {...}}]} and prints one JSON object on stdout:
{"torch": version, "numpy": version, "reference": blas_env.report(), "results": {id: {"1": median_ms}},
"errors": {...}}. If torch cannot be imported it prints {"error": "..."} and exits 0, so the runner marks
the columns n/a.

The runner (bench/src/python.ts) starts one process per thread count, with OPENBLAS_NUM_THREADS,
MKL_NUM_THREADS and OMP_NUM_THREADS set to it: `torch.set_num_threads` alone does not bind the BLAS's
own thread pool (OpenBLAS-pthread reads its environment once, when it is loaded).

Shapes follow the tfjs cases: tensors are given in tfjs layout (NHWC, filters HWIO) and converted to
PyTorch's native layout (NCHW, OIHW) here, so each side runs its own idiomatic code.
"""

import json
import os
import statistics
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as exc:  # torch or numpy absent: the runner shows n/a
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
    sys.exit(0)


def rand(*shape, grad=False):
    t = torch.randn(*shape, dtype=torch.float32)
    if grad:
        t.requires_grad_(True)
    return t


def conv_padding(pad, k, dilation=1):
    if pad == "same":
        eff = (k - 1) * dilation
        return eff // 2  # symmetric 'same' for odd kernels, as used by the cases
    if pad == "valid":
        return 0
    return int(pad)


def make_matmul(p):
    a = rand(*p["a"])
    b = rand(*p["b"])
    ta, tb = p.get("transposeA", False), p.get("transposeB", False)

    def run():
        aa = a.transpose(-1, -2) if ta else a
        bb = b.transpose(-1, -2) if tb else b
        torch.matmul(aa, bb)

    return run


def make_conv2d_train(p):
    n, h, w, c = p["x"]
    kh, kw, ci, co = p["w"]
    x = rand(n, c, h, w, grad=True)
    wt = rand(co, ci, kh, kw, grad=True)
    stride = p.get("stride", 1)
    padding = conv_padding(p.get("pad", "same"), kh)

    def run():
        y = F.conv2d(x, wt, stride=stride, padding=padding)
        gx, gw = torch.autograd.grad(y.sum(), [x, wt])

    return run


def make_conv2d_transpose_train(p):
    # tfjs conv2dTranspose(x [N,H,W,Cin], filter [kh,kw,Cout,Cin]); torch weight is [Cin, Cout, kh, kw]
    n, h, w, cin = p["x"]
    kh, kw, cout, _ = p["w"]
    x = rand(n, cin, h, w, grad=True)
    wt = rand(cin, cout, kh, kw, grad=True)
    stride = p.get("stride", 1)
    padding, output_padding = 0, 0
    if p.get("pad", "same") == "same":  # tfjs 'same': output = input * stride
        total = kh - stride
        padding = (total + 1) // 2
        output_padding = 2 * padding - total

    def run():
        y = F.conv_transpose2d(x, wt, stride=stride, padding=padding, output_padding=output_padding)
        torch.autograd.grad(y.sum(), [x, wt])

    return run


def make_depthwise_train(p):
    n, h, w, c = p["x"]
    kh, kw, _, m = p["w"]
    x = rand(n, c, h, w, grad=True)
    wt = rand(c * m, 1, kh, kw, grad=True)
    stride = p.get("stride", 1)
    padding = conv_padding(p.get("pad", "same"), kh)

    def run():
        y = F.conv2d(x, wt, stride=stride, padding=padding, groups=c)
        torch.autograd.grad(y.sum(), [x, wt])

    return run


def make_embedding_train(p):
    vocab, dim = p["vocab"], p["dim"]
    ids = torch.randint(0, vocab, tuple(p["ids"]))
    table = rand(vocab, dim, grad=True)

    def run():
        y = F.embedding(ids, table)
        torch.autograd.grad(y.sum(), [table])

    return run


def make_attention_train(p):
    # plain multi-head attention forward + backward, as in bench/src/cases.ts
    b, t, d, heads = p["batch"], p["tokens"], p["dim"], p["heads"]
    hd = d // heads
    x = rand(b, t, d, grad=True)
    wq, wk, wv, wo = (rand(d, d, grad=True) for _ in range(4))

    def split(z):
        return z.reshape(b, t, heads, hd).permute(0, 2, 1, 3)

    def run():
        q, k, v = split(x @ wq), split(x @ wk), split(x @ wv)
        att = torch.softmax(q @ k.transpose(-1, -2) / hd**0.5, dim=-1)
        o = (att @ v).permute(0, 2, 1, 3).reshape(b, t, d) @ wo
        torch.autograd.grad(o.square().sum(), [x, wq, wk, wv, wo])

    return run


def make_segment_sum(p):
    n, d, s = p["n"], p["dim"], p["segments"]
    x = rand(n, d)
    ids = torch.randint(0, s, (n,))

    def run():
        torch.zeros(s, d).index_add_(0, ids, x)

    return run


def _hflayers():
    import reference

    sys.path.insert(0, reference.load("ml-jku/hopfield-layers", "hflayers"))
    from hflayers import Hopfield

    return Hopfield


def make_hflayers_hopfield(p):
    """hflayers `Hopfield` (the reference of @paperstack/hopfield-layer), default options."""
    Hopfield = _hflayers()
    layer = Hopfield(input_size=p["input"], num_heads=p["heads"])
    x = rand(p["batch"], p["seq"], p["input"], grad=p["backward"])
    params = [q for q in layer.parameters() if q.requires_grad]

    def run():
        out = layer(x)
        if p["backward"]:
            torch.autograd.grad(out.pow(2).sum(), [x, *params], allow_unused=True)

    return run


def _normalized_pair(n, d):
    x = torch.nn.functional.normalize(rand(n, d), dim=1).requires_grad_(True)
    y = torch.nn.functional.normalize(rand(n, d), dim=1).requires_grad_(True)
    return x, y


def make_cloob_train(p):
    """ml-jku/cloob src/training/methods.py loss + gradient w.r.t. both embeddings."""
    import types

    import reference

    sys.path.insert(0, os.path.join(reference.load("ml-jku/cloob", "src/training"), "src", "training"))
    import methods

    x, y = _normalized_pair(p["batch"], p["dim"])
    inv_tau = float(p["invTau"])
    if p["loss"] == "cloob":
        Hopfield = _hflayers()
        layer = Hopfield(
            input_size=p["dim"], scaling=float(p["beta"]), normalize_hopfield_space=False,
            normalize_hopfield_space_affine=False, normalize_pattern_projection=False,
            normalize_pattern_projection_affine=False, normalize_state_pattern=False,
            normalize_state_pattern_affine=False, normalize_stored_pattern=False,
            normalize_stored_pattern_affine=False, state_pattern_as_static=True,
            pattern_projection_as_static=True, stored_pattern_as_static=True,
            disable_out_projection=True, num_heads=1, dropout=False,
        )
        loss = lambda: methods.cloob(x, y, inv_tau, layer)
    elif p["loss"] == "infoloob":
        eye = torch.eye(p["batch"]) > 0.5
        loss = lambda: methods.infoLOOB_loss(x, y, eye, inv_tau)
    else:
        ce = torch.nn.CrossEntropyLoss()
        args = types.SimpleNamespace(gpu=None)
        loss = lambda: methods.clip(x, y, inv_tau, ce, ce, args)

    def run():
        torch.autograd.grad(loss(), [x, y])

    return run


def make_nnclr_lookup(p):
    """Support-set lookup the lightly / solo-learn / MAE-CT way (NNCLR paper Eq. 1; MAE-CT
    models/contrastive_heads/base/contrastive_head_base.py `find_nn`): the queue holds unit rows;
    per call, normalize the batch, one product with the queue, argmax (top-1) or topk and a uniform
    draw among the k (top-k), then gather the rows."""
    size, dim, batch, k = p["size"], p["dim"], p["batch"], p["topk"]
    queue = F.normalize(rand(size, dim), dim=1)
    z = rand(batch, dim)

    def run():
        sims = F.normalize(z, dim=1) @ queue.T
        if k <= 1:
            idx = sims.argmax(dim=1)
        else:
            cand = sims.topk(k, dim=1)[1]
            idx = cand[torch.arange(batch), torch.randint(k, (batch,))]
        queue[idx]

    return run


def _mae_model(p, with_decoder=True):
    """facebookresearch/mae `models_mae.MaskedAutoencoderViT`, imported unmodified from the reference
    (see reference.py). timm is not installed with Debian's torch, so `timm.models.vision_transformer`
    is stubbed with the minimal `PatchEmbed` / `Block` that packages/maect/test/python/
    make_mae_checkpoint.py defines for the checkpoint tests (timm's names and math: Conv2d patch
    projection; pre-norm block, packed qkv, exact GELU MLP). Same shapes as @paperstack/maect."""
    import types
    from functools import partial

    import reference

    if "models_mae" not in sys.modules:
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path.insert(0, os.path.join(here, "..", "..", "packages", "maect", "test", "python"))
        from make_mae_checkpoint import Block, PatchEmbed

        stub = types.ModuleType("timm")
        stub.models = types.ModuleType("timm.models")
        vt = types.ModuleType("timm.models.vision_transformer")
        vt.PatchEmbed, vt.Block = PatchEmbed, Block
        sys.modules.update({"timm": stub, "timm.models": stub.models, "timm.models.vision_transformer": vt})
        sys.path.insert(0, reference.load("facebookresearch/mae", "util"))
        sys.path.insert(0, reference.load("facebookresearch/mae", "models_mae.py"))
        np.float = float  # util/pos_embed.py uses np.float (removed in numpy 1.24); same values
    import models_mae

    dec = dict(decoder_embed_dim=p.get("decoderEmbedDim", 512), decoder_depth=p.get("decoderDepth", 8),
               decoder_num_heads=p.get("decoderNumHeads", 16)) if with_decoder else dict(
        decoder_embed_dim=16, decoder_depth=0, decoder_num_heads=1)
    return models_mae.MaskedAutoencoderViT(
        img_size=p["imgSize"], patch_size=p["patchSize"], in_chans=3, embed_dim=p["embedDim"],
        depth=p["depth"], num_heads=p["numHeads"], mlp_ratio=4.0,
        norm_layer=partial(nn.LayerNorm, eps=1e-6), norm_pix_loss=True, **dec)


def _encode_all_patches(m, x):
    """`forward_encoder` without the masking step (all patches), as VisionTransformer.encode."""
    x = m.patch_embed(x) + m.pos_embed[:, 1:, :]
    cls = (m.cls_token + m.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
    x = torch.cat((cls, x), dim=1)
    for blk in m.blocks:
        x = blk(x)
    return m.norm(x)


def make_mae_vit(p):
    """ViT encoder forward, or forward + backward of the mean patch token w.r.t. every encoder weight."""
    m = _mae_model(p, with_decoder=False)
    x = rand(p["batch"], 3, p["imgSize"], p["imgSize"])
    params = [q for name, q in m.named_parameters() if q.requires_grad and not name.startswith("decoder")
              and name != "mask_token"]

    def run():
        out = _encode_all_patches(m, x)
        if p["mode"] == "backward":
            torch.autograd.grad(out[:, 1:, :].mean(), params)

    return run


def make_mae_train(p):
    """One MAE step: `MaskedAutoencoderViT.forward` (random masking, decoder, norm-pix loss),
    backward, `torch.optim.AdamW` step."""
    m = _mae_model(p)
    x = rand(p["batch"], 3, p["imgSize"], p["imgSize"])
    opt = torch.optim.AdamW([q for q in m.parameters() if q.requires_grad], lr=p["lr"],
                            betas=tuple(p["betas"]), weight_decay=p["weightDecay"])

    def run():
        opt.zero_grad()
        loss, _, _ = m(x, mask_ratio=p["maskRatio"])
        loss.backward()
        opt.step()

    return run


KINDS = {
    "nnclr_lookup": make_nnclr_lookup,
    "mae_vit": make_mae_vit,
    "mae_train": make_mae_train,
    "hflayers_hopfield": make_hflayers_hopfield,
    "cloob_train": make_cloob_train,
    "matmul": make_matmul,
    "conv2d_train": make_conv2d_train,
    "conv2d_transpose_train": make_conv2d_transpose_train,
    "depthwise_train": make_depthwise_train,
    "embedding_train": make_embedding_train,
    "attention_train": make_attention_train,
    "segment_sum": make_segment_sum,
}


def median_ms(run, budget_s, min_iters, single_shot_s=float("inf")):
    t0 = time.perf_counter()
    run()  # warm-up
    warm_s = time.perf_counter() - t0
    if warm_s >= single_shot_s:  # very slow calls are timed once, as on the tfjs side (measure.ts)
        return warm_s * 1e3
    samples = []
    start = time.perf_counter()
    while len(samples) < min_iters or (time.perf_counter() - start) < budget_s:
        t0 = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t0) * 1e3)
        if len(samples) >= 1000:
            break
    return statistics.median(samples)


def main():
    spec = json.load(sys.stdin)
    torch.manual_seed(0)
    results, errors = {}, {}
    for threads in spec.get("threads", [1]):
        torch.set_num_threads(threads)
        for case in spec["cases"]:
            cid = case["id"]
            try:
                params = case["params"]
                grad = case["kind"].endswith("_train") or params.get("backward", False) or params.get("mode") == "backward"
                with torch.enable_grad() if grad else torch.no_grad():
                    run = KINDS[case["kind"]](case["params"])
                    ms = median_ms(run, spec.get("budget_s", 1.0), spec.get("min_iters", 3),
                                   spec.get("single_shot_s", float("inf")))
                results.setdefault(cid, {})[str(threads)] = ms
            except Exception as exc:
                errors[cid] = f"{type(exc).__name__}: {exc}"
    import blas_env

    reference = blas_env.report(probe=spec.get("probe", True))
    print(json.dumps({"torch": torch.__version__, "numpy": np.__version__, "reference": reference,
                      "results": results, "errors": errors}))


if __name__ == "__main__":
    main()
