#!/usr/bin/env python3
"""PyTorch-CUDA counterpart of bench/gpu/src/main.ts: the same training steps (forward, backward,
Adam update) at the same shapes, timed the same way (median over --steps after --warmup, each
step synchronized). Written from the papers' architectures, not copied from reference code:

- hopfield: a default self-associating Hopfield layer as @paperstack/hopfield-layer resolves it
  (hflayers' defaults): layer norms on stored/state/projection inputs, per-head projections of
  size input/heads with bias, beta = 1/sqrt(head dim), one softmax update, output projection.
- mae: MAE (He et al. 2022) with a ViT-Ti/16 encoder (192 wide, 12 blocks, 3 heads) on 224^2
  images, 75 % of patches masked, decoder 512 wide, 8 blocks, 16 heads, normalized-pixel loss;
  pre-norm transformer blocks with GELU MLPs (ratio 4), as in the paper's ViT.
- voxelnet: the car network of Zhou & Tuzel (CVPR 2018, section 3.1): VFE(7->32), VFE(32->128),
  FCN 128, voxel max-pool, scatter to a 10 x 400 x 352 grid, three Conv3D middle layers, the
  three-block RPN (4/6/6 convs of 128/128/256 channels) with 256-channel deconvolutions, a 1x1
  head for 2 anchors; numVoxels from the tfjs run's JSON (--voxels), random voxel contents.

Usage: python3 bench/gpu/torch_bench.py [--size paper|small] [--only hopfield,mae,voxelnet]
       [--warmup 3] [--steps 10] [--voxels K] [--tf32] [--out file.json]
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SHAPES = {
    "hopfield": {"paper": dict(batch=32, seq=128, input=256, heads=8), "small": dict(batch=2, seq=16, input=32, heads=2)},
    "mae": {
        "paper": dict(batch=32, img=224, patch=16, dim=192, depth=12, heads=3, ddim=512, ddepth=8, dheads=16),
        "small": dict(batch=2, img=32, patch=4, dim=64, depth=4, heads=4, ddim=64, ddepth=2, dheads=4),
    },
    "voxelnet": {
        "paper": dict(grid=(10, 400, 352), T=35, vfe=(32, 128), mid=[(64, (2, 1, 1), (1, 1, 1)), (64, (1, 1, 1), (0, 1, 1)), (64, (2, 1, 1), (1, 1, 1))],
                      rpn=[(4, 128), (6, 128), (6, 256)], up=[(256, 3, 1), (256, 2, 2), (256, 4, 4)]),
        "small": dict(grid=(2, 64, 64), T=8, vfe=(16, 32), mid=[(32, (2, 1, 1), (1, 1, 1))],
                      rpn=[(2, 32), (2, 48), (2, 64)], up=[(32, 3, 1), (32, 2, 2), (32, 4, 4)]),
    },
}


class HopfieldSelf(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h, self.hd = heads, d // heads
        self.norms = nn.ModuleList([nn.LayerNorm(d) for _ in range(3)])
        self.q, self.k, self.v = (nn.Linear(d, d) for _ in range(3))
        self.out = nn.Linear(d, d)

    def forward(self, x):
        b, s, d = x.shape
        stored, state, proj = (n(x) for n in self.norms)
        split = lambda t: t.view(b, s, self.h, self.hd).transpose(1, 2)
        q, k, v = split(self.q(state)), split(self.k(stored)), split(self.v(proj))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.hd), dim=-1)
        return self.out((a @ v).transpose(1, 2).reshape(b, s, d))


def block(d, heads):
    return nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)


class MAE(nn.Module):
    def __init__(self, img, patch, dim, depth, heads, ddim, ddepth, dheads, **_):
        super().__init__()
        self.p, self.n = patch, (img // patch) ** 2
        self.embed = nn.Conv2d(3, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, self.n + 1, dim) * 0.02, requires_grad=False)
        self.enc = nn.Sequential(*[block(dim, heads) for _ in range(depth)], nn.LayerNorm(dim))
        self.dembed = nn.Linear(dim, ddim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, ddim))
        self.dpos = nn.Parameter(torch.randn(1, self.n + 1, ddim) * 0.02, requires_grad=False)
        self.dec = nn.Sequential(*[block(ddim, dheads) for _ in range(ddepth)], nn.LayerNorm(ddim))
        self.pred = nn.Linear(ddim, patch * patch * 3)

    def forward(self, imgs, ratio=0.75):
        b = imgs.shape[0]
        x = self.embed(imgs).flatten(2).transpose(1, 2) + self.pos[:, 1:]
        keep = int(self.n * (1 - ratio))
        shuffle = torch.rand(b, self.n, device=imgs.device).argsort(1)
        restore = shuffle.argsort(1)
        x = torch.gather(x, 1, shuffle[:, :keep, None].expand(-1, -1, x.shape[2]))
        x = self.enc(torch.cat([(self.cls + self.pos[:, :1]).expand(b, -1, -1), x], 1))
        x = self.dembed(x)
        y = torch.cat([x[:, 1:], self.mask_token.expand(b, self.n - keep, -1)], 1)
        y = torch.gather(y, 1, restore[:, :, None].expand(-1, -1, y.shape[2]))
        y = self.dec(torch.cat([x[:, :1], y], 1) + self.dpos)
        pred = self.pred(y[:, 1:])
        p, h = self.p, imgs.shape[2] // self.p
        target = imgs.reshape(b, 3, h, p, h, p).permute(0, 2, 4, 3, 5, 1).reshape(b, h * h, p * p * 3)
        mean, var = target.mean(-1, keepdim=True), target.var(-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
        mask = torch.ones(b, self.n, device=imgs.device)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, restore)
        return (((pred - target) ** 2).mean(-1) * mask).sum() / mask.sum()


class VFE(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.fc, self.bn = nn.Linear(cin, cout // 2), nn.BatchNorm1d(cout // 2)

    def forward(self, x, mask):  # x [K, T, C], mask [K, T, 1]
        h = F.relu(self.bn(self.fc(x).transpose(1, 2)).transpose(1, 2))
        m = h.max(1, keepdim=True).values.expand_as(h)
        return torch.cat([h, m], 2) * mask


def conv_bn(cin, cout, k, s, p, dims=2, transpose=False):
    Conv = {(2, False): nn.Conv2d, (3, False): nn.Conv3d, (2, True): nn.ConvTranspose2d}[(dims, transpose)]
    BN = nn.BatchNorm3d if dims == 3 else nn.BatchNorm2d
    return nn.Sequential(Conv(cin, cout, k, s, p), BN(cout), nn.ReLU())


class VoxelNet(nn.Module):
    def __init__(self, grid, T, vfe, mid, rpn, up):
        super().__init__()
        self.grid = grid
        self.vfe1, self.vfe2 = VFE(7, vfe[0]), VFE(vfe[0], vfe[1])
        self.fcn = nn.Sequential(nn.Linear(vfe[1], vfe[1]))
        layers, c, d = [], vfe[1], grid[0]
        for f, s, p in mid:
            layers.append(conv_bn(c, f, 3, s, p, dims=3))
            d = (d + 2 * p[0] - 3) // s[0] + 1
            c = f
        self.mid = nn.Sequential(*layers)
        c = c * d
        self.blocks, self.ups = nn.ModuleList(), nn.ModuleList()
        for (n, f), (uf, uk, us) in zip(rpn, up):
            self.blocks.append(nn.Sequential(conv_bn(c, f, 3, 2, 1), *[conv_bn(f, f, 3, 1, 1) for _ in range(n - 1)]))
            self.ups.append(conv_bn(f, uf, uk, us, 1 if uk == 3 else 0, transpose=True))
            c = f
        total = sum(u[0] for u in up)
        self.score, self.reg = nn.Conv2d(total, 2, 1), nn.Conv2d(total, 14, 1)

    def forward(self, feats, mask, coords):
        x = self.vfe2(self.vfe1(feats, mask), mask)
        v = (self.fcn(x) * mask).max(1).values  # [K, C]
        D, H, W = self.grid
        dense = feats.new_zeros(D * H * W, v.shape[1]).index_copy(0, coords, v)
        x = self.mid(dense.view(1, D, H, W, -1).permute(0, 4, 1, 2, 3))
        x = x.flatten(1, 2)
        outs = []
        for b, u in zip(self.blocks, self.ups):
            x = b(x)
            outs.append(u(x))
        x = torch.cat(outs, 1)
        return self.score(x), self.reg(x)


def make(case, size, dev, voxels):
    s = SHAPES[case][size]
    g = torch.Generator(device="cpu").manual_seed(0)
    if case == "hopfield":
        m = HopfieldSelf(s["input"], s["heads"]).to(dev)
        x = torch.randn(s["batch"], s["seq"], s["input"], generator=g).to(dev)
        return m, lambda: (m(x) ** 2).mean()
    if case == "mae":
        m = MAE(**s).to(dev)
        imgs = torch.rand(s["batch"], 3, s["img"], s["img"], generator=g).to(dev)
        return m, lambda: m(imgs)
    m = VoxelNet(**s).to(dev)
    D, H, W = s["grid"]
    K = voxels or (12000 if size == "paper" else 600)
    coords = torch.randperm(D * H * W, generator=g)[:K].to(dev)
    counts = torch.randint(1, s["T"] + 1, (K,), generator=g)
    mask = (torch.arange(s["T"])[None, :] < counts[:, None]).float()[:, :, None].to(dev)
    feats = torch.randn(K, s["T"], 7, generator=g).to(dev) * mask
    labels = None

    def loss():
        nonlocal labels
        score, reg = m(feats, mask, coords)
        if labels is None:
            labels = (torch.rand(score.shape, generator=g) < 0.01).float().to(dev)
        cls = F.binary_cross_entropy_with_logits(score, labels)
        return cls + F.smooth_l1_loss(reg, torch.zeros_like(reg))

    return m, loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="paper", choices=["paper", "small"])
    ap.add_argument("--only", default="hopfield,mae,voxelnet")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--voxels", type=int, default=0, help="non-empty voxels (take numVoxels from the tfjs JSON)")
    ap.add_argument("--tf32", action="store_true", help="allow TF32 matmuls/convs (default: strict fp32, like WebGPU)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    results = []
    for case in a.only.split(","):
        model, loss_fn = make(case, a.size, dev, a.voxels)
        opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        times, losses = [], []
        for i in range(a.warmup + a.steps):
            sync()
            t = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = loss_fn()
            loss.backward()
            opt.step()
            losses.append(loss.item())  # .item() waits for the step, as the tfjs script's await data()
            ms = (time.perf_counter() - t) * 1e3
            if i >= a.warmup:
                times.append(ms)
        r = dict(id=case, shapes=SHAPES[case][a.size], medianMs=statistics.median(times) if times else None,
                 minMs=min(times) if times else None, stepsMs=times, losses=losses)
        print(f"{case}: median {r['medianMs']:.2f} ms over {a.steps} steps", flush=True)
        results.append(r)
        del model, opt
    report = dict(date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), torch=torch.__version__, device=dev,
                  gpu=torch.cuda.get_device_name() if dev == "cuda" else None, tf32=a.tf32, size=a.size, results=results)
    out = a.out or f"bench/gpu/results/{report['date'][:10]}-torch-{dev}-{a.size}.json"
    import os
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
