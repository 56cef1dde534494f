"""Generates test/fixtures/mae_tiny.safetensors + mae_tiny_forward.json for the checkpoint tests.

Runs the reference MaskedAutoencoderViT (facebookresearch/mae `models_mae.py`, imported unmodified from
a checkout given as argv[1]) on a tiny random model. timm is not installable here (PyPI unreachable), so
`timm.models.vision_transformer.PatchEmbed` / `Block` are replaced by minimal modules written for this
script with timm's parameter names and math (Conv2d patch projection; pre-norm block with packed qkv,
scale head_dim**-0.5, exact GELU MLP). Weights are randomized (seeded), rounded to float32 (what the
safetensors file stores), and the forward/backward is computed in float64 from those values.

Usage: /usr/bin/python3 test/python/make_mae_checkpoint.py /path/to/facebookresearch-mae
"""
import json
import struct
import sys
import types
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.patch_size = (patch_size, patch_size)
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, patch_size, patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias):
        super().__init__()
        self.h = num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.h, c // self.h).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        a = ((q * (c // self.h) ** -0.5) @ k.transpose(-2, -1)).softmax(-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, qkv_bias=False, qk_scale=None, norm_layer=nn.LayerNorm):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = Attention(dim, num_heads, qkv_bias)
        self.norm2 = norm_layer(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def write_safetensors(path, tensors):
    header, blobs, off = OrderedDict(), [], 0
    for k, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def arr(t):
    t = t.detach().to(torch.float64)
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def main():
    stub = types.ModuleType("timm")
    stub.models = types.ModuleType("timm.models")
    vt = types.ModuleType("timm.models.vision_transformer")
    vt.PatchEmbed, vt.Block = PatchEmbed, Block
    sys.modules.update({"timm": stub, "timm.models": stub.models, "timm.models.vision_transformer": vt})
    sys.path.insert(0, sys.argv[1])
    np.float = float  # util/pos_embed.py uses np.float (removed in numpy 1.24); same values.
    import models_mae
    from functools import partial

    cfg = dict(img_size=16, patch_size=4, in_chans=3, embed_dim=16, depth=2, num_heads=2,
               decoder_embed_dim=8, decoder_depth=1, decoder_num_heads=2, mlp_ratio=4.0, norm_pix_loss=True)
    torch.manual_seed(20240)
    model = models_mae.MaskedAutoencoderViT(norm_layer=partial(nn.LayerNorm, eps=1e-6), **cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "pos_embed" in name:
                continue  # fixed sin-cos, as in the official checkpoints
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or "norm.weight" in name:
                p.copy_(1 + 0.3 * torch.randn_like(p))
            elif p.dim() == 1 or name in ("cls_token", "mask_token"):
                p.copy_(0.2 * torch.randn_like(p))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn_like(p) / fan_in ** 0.5)
    sd = OrderedDict((k, v.detach().to(torch.float32)) for k, v in model.state_dict().items())
    write_safetensors("test/fixtures/mae_tiny.safetensors", sd)

    model = model.double()
    model.load_state_dict({k: v.double() for k, v in sd.items()})
    model.eval()
    imgs = torch.randn(2, 3, 16, 16, dtype=torch.float64, requires_grad=True)
    noise = torch.rand(2, 16, dtype=torch.float64)
    real_rand = torch.rand
    torch.rand = lambda *a, **k: noise.clone()
    loss, pred, mask = model(imgs, mask_ratio=0.75)
    torch.rand = lambda *a, **k: torch.arange(16, dtype=torch.float64).repeat(2, 1)
    tokens, _, _ = model.forward_encoder(imgs, 0.0)
    torch.rand = real_rand
    names = ["cls_token", "mask_token", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight",
             "blocks.1.mlp.fc2.weight", "decoder_blocks.0.attn.qkv.bias", "decoder_pred.weight"]
    params = dict(model.named_parameters())
    grads = torch.autograd.grad(loss, [imgs] + [params[n] for n in names])
    out = {
        "case": "mae_tiny_forward",
        "reference": {"repo": "facebookresearch/mae", "commit": "efb2a8062c206524e35e47d04501ed4f544c0ae8",
                      "symbol": "models_mae.MaskedAutoencoderViT.forward / forward_encoder (timm PatchEmbed/Block stubbed)"},
        "config": {**cfg, "mask_ratio": 0.75, "layer_norm_eps": 1e-6},
        "inputs": {"imgs": arr(imgs), "noise": arr(noise)},
        "params": {},
        "outputs": {"loss": arr(loss), "pred": arr(pred), "mask": arr(mask), "tokens_unmasked": arr(tokens)},
        "grads": {n: arr(g) for n, g in zip(["imgs"] + names, grads)},
        "meta": {"dtype": "float64 compute from float32 weights", "torch_version": torch.__version__,
                 "seed": 20240, "grad_output": "loss",
                 "weights": "test/fixtures/mae_tiny.safetensors (float32, reference key names and layouts)"},
    }
    with open("test/fixtures/mae_tiny_forward.json", "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
