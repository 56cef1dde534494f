"""PyTorch counterpart of vit-throughput.ts: the same ViT shapes (timm-style modules from
test/python/make_mae_checkpoint.py), forward and AdamW training step, images/s, 1 thread (tfjs-wasm
runs on one thread in Node)."""
import json
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "python"))
from make_mae_checkpoint import Block, PatchEmbed  # noqa: E402

torch.set_num_threads(int(os.environ.get("THREADS", "1")))


class ViT(nn.Module):
    def __init__(self, img, p, d, depth, heads):
        super().__init__()
        self.patch_embed = PatchEmbed(img, p, 3, d)
        n = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d), requires_grad=False)
        self.blocks = nn.ModuleList([Block(d, heads, 4.0, qkv_bias=True, norm_layer=lambda x: nn.LayerNorm(x, eps=1e-6)) for _ in range(depth)])
        self.norm = nn.LayerNorm(d, eps=1e-6)

    def forward(self, x):
        x = self.patch_embed(x) + self.pos_embed[:, 1:]
        x = torch.cat([(self.cls_token + self.pos_embed[:, :1]).expand(x.shape[0], -1, -1), x], 1)
        for b in self.blocks:
            x = b(x)
        return self.norm(x)


cases = [("tiny (32 px, p4, D64×4)", 32, 4, 64, 4, 4, 64, 5, False), ("ViT-B/16 (224 px)", 224, 16, 768, 12, 12, 2, 1, True)]
cases = [c for c in cases if c[0].startswith(os.environ.get("CASE", ""))]
for name, img, p, d, depth, heads, batch, iters, sgd in cases:
    m = ViT(img, p, d, depth, heads)
    x = torch.randn(batch, 3, img, img)

    def run(f):
        f()
        t = time.perf_counter()
        for _ in range(iters):
            f()
        return iters * batch / (time.perf_counter() - t)

    with torch.no_grad():
        fwd = run(lambda: m(x))
    params = [q for q in m.parameters() if q.requires_grad]
    # Same optimizer as the tfjs side (SGD for ViT-B, whose AdamW state overflows the wasm heap).
    opt = torch.optim.SGD(params, lr=1e-4) if sgd else torch.optim.AdamW(params, lr=1e-4, weight_decay=0.05)

    def step():
        opt.zero_grad()
        m(x)[:, 1:].mean().backward()
        opt.step()

    train = run(step)
    print(json.dumps({"impl": f"pytorch {torch.__version__} cpu, {torch.get_num_threads()} thread(s)", "case": name,
                      "batch": batch, "optimizer": "SGD" if sgd else "AdamW", "forwardImagesPerS": fwd, "trainImagesPerS": train}))
