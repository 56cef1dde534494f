#!/usr/bin/env python3
"""PyTorch reference of the VoxelNet stages (our own implementation from the paper, with
second.pytorch / OpenPCDet parameter names and layouts), for the parity fixture
test/fixtures/voxelnet_tiny.json: a tiny network in eval mode, its outputs and gradients.

  /usr/bin/python3 scripts/torch_reference.py test/fixtures/voxelnet_tiny.json
"""
import json
import sys

import torch
import torch.nn as nn

torch.manual_seed(0)
EPS, MOM = 1e-3, 0.01


def bn1d(c):
    return nn.BatchNorm1d(c, eps=EPS, momentum=MOM)


class VFE(nn.Module):  # VoxelNet §2.1.1, Fig. 3
    def __init__(self, cin, cout):
        super().__init__()
        self.linear = nn.Linear(cin, cout // 2, bias=False)
        self.norm = bn1d(cout // 2)

    def forward(self, x, mask):
        K, T, _ = x.shape
        pw = torch.relu(self.norm(self.linear(x).view(K * T, -1)).view(K, T, -1)) * mask
        agg = pw.max(dim=1, keepdim=True)[0]
        return torch.cat([pw, agg.expand(-1, T, -1)], dim=2) * mask


class Extractor(nn.Module):
    def __init__(self, cin, chans, cout):
        super().__init__()
        c = cin
        for i, ch in enumerate(chans):
            setattr(self, f'vfe{i + 1}', VFE(c, ch))
            c = ch
        self.n = len(chans)
        self.linear = nn.Linear(c, cout, bias=False)
        self.norm = bn1d(cout)

    def forward(self, x, mask):
        for i in range(self.n):
            x = getattr(self, f'vfe{i + 1}')(x, mask)
        K, T, _ = x.shape
        pw = torch.relu(self.norm(self.linear(x).view(K * T, -1)).view(K, T, -1)) * mask
        return pw.max(dim=1)[0]


class Middle(nn.Module):  # §2.1.2
    def __init__(self, cin, specs):
        super().__init__()
        blocks = []
        for s in specs:
            b = nn.Module()
            b.conv = nn.Conv3d(cin, s['filters'], s['kernel'], stride=s['stride'], padding=s['padding'], bias=False)
            b.norm = nn.BatchNorm3d(s['filters'], eps=EPS, momentum=MOM)
            blocks.append(b)
            cin = s['filters']
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x):  # [1, C, D, H, W]
        for b in self.blocks:
            x = torch.relu(b.norm(b.conv(x)))
        n, c, d, h, w = x.shape
        return x.reshape(n, c * d, h, w)


class RPN(nn.Module):  # §2.1.3, Fig. 4; OpenPCDet BaseBEVBackbone layout
    def __init__(self, cin, blocks, ups):
        super().__init__()
        self.blocks = nn.ModuleList()
        self.deblocks = nn.ModuleList()
        for b, u in zip(blocks, ups):
            layers = [nn.ZeroPad2d(1), nn.Conv2d(cin, b['filters'], 3, stride=b['stride'], padding=0, bias=False),
                      nn.BatchNorm2d(b['filters'], eps=EPS, momentum=MOM), nn.ReLU()]
            for _ in range(b['layers'] - 1):
                layers += [nn.Conv2d(b['filters'], b['filters'], 3, padding=1, bias=False),
                           nn.BatchNorm2d(b['filters'], eps=EPS, momentum=MOM), nn.ReLU()]
            self.blocks.append(nn.Sequential(*layers))
            pad = (u['kernel'] - 1) // 2 if u['stride'] == 1 else 0
            self.deblocks.append(nn.Sequential(
                nn.ConvTranspose2d(b['filters'], u['filters'], u['kernel'], stride=u['stride'], padding=pad, bias=False),
                nn.BatchNorm2d(u['filters'], eps=EPS, momentum=MOM), nn.ReLU()))
            cin = b['filters']

    def forward(self, x):
        ups = []
        for blk, de in zip(self.blocks, self.deblocks):
            x = blk(x)
            ups.append(de(x))
        return torch.cat(ups, dim=1)


class Head(nn.Module):
    def __init__(self, cin, A):
        super().__init__()
        self.conv_cls = nn.Conv2d(cin, A, 1)
        self.conv_box = nn.Conv2d(cin, A * 7, 1)


cfg = dict(
    grid=[4, 8, 8], T=4, K=20, vfeChannels=[8, 16], voxelChannels=16,
    middle=[dict(filters=8, kernel=3, stride=[2, 1, 1], padding=[1, 1, 1])],
    blocks=[dict(layers=1, filters=8, stride=2), dict(layers=2, filters=8, stride=2), dict(layers=1, filters=16, stride=2)],
    upsample=[dict(filters=8, kernel=3, stride=1), dict(filters=8, kernel=2, stride=2), dict(filters=8, kernel=4, stride=4)],
    anchors=2,
)
ext = Extractor(7, cfg['vfeChannels'], cfg['voxelChannels'])
mid = Middle(cfg['voxelChannels'], cfg['middle'])
rpn = RPN(8 * 2, cfg['blocks'], cfg['upsample'])
head = Head(24, cfg['anchors'])
modules = dict(vfe=ext, middle=mid, rpn=rpn, head=head)
# non-trivial running statistics and affine parameters
for m in modules.values():
    for mod in m.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            mod.running_mean.uniform_(-0.2, 0.2)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.2, 0.2)
    m.eval()

D, H, W = cfg['grid']
K, T = cfg['K'], cfg['T']
cells = torch.randperm(D * H * W)[:K]
coords = torch.stack([cells // (H * W), (cells // W) % H, cells % W], 1)
num = torch.randint(1, T + 1, (K,))
mask = (torch.arange(T)[None, :] < num[:, None]).float()[..., None]
feats = (torch.randn(K, T, 7) * mask).requires_grad_(True)

vf = ext(feats, mask)
dense = torch.zeros(1, 16, D, H, W)
dense = torch.zeros(16, D * H * W).index_add(1, cells, vf.t()).view(1, 16, D, H, W)
bev = mid(dense)
feat = rpn(bev)
cls = head.conv_cls(feat)
box = head.conv_box(feat)
u = torch.randn_like(cls)
v = torch.randn_like(box)
loss = (cls * u).sum() + (box * v).sum()
grad_names = ['vfe.vfe1.linear.weight', 'vfe.linear.weight', 'middle.blocks.0.conv.weight', 'rpn.blocks.0.1.weight',
              'rpn.blocks.1.4.weight', 'rpn.deblocks.0.0.weight', 'rpn.deblocks.2.0.weight', 'head.conv_box.weight']
params = {f'{p}.{n}': t for p, m in modules.items() for n, t in m.state_dict().items() if 'num_batches_tracked' not in n}
named = {f'{p}.{n}': t for p, m in modules.items() for n, t in m.named_parameters()}
grads = torch.autograd.grad(loss, [feats] + [named[n] for n in grad_names])


def arr(t):
    t = t.detach().double()
    return dict(shape=list(t.shape), data=t.reshape(-1).tolist())


out = dict(
    case='voxelnet tiny forward/backward (eval mode)',
    reference=dict(repo='paperstack', symbol='scripts/torch_reference.py', torch=torch.__version__),
    config=cfg,
    inputs=dict(features=arr(feats), mask=arr(mask), coords=arr(coords.float()), numPoints=arr(num.float()), u=arr(u.permute(0, 2, 3, 1)), v=arr(v.permute(0, 2, 3, 1))),
    params={k: arr(t) for k, t in params.items()},
    outputs=dict(voxelFeatures=arr(vf), bev=arr(bev.permute(0, 2, 3, 1)), rpn=arr(feat.permute(0, 2, 3, 1)),
                 scores=arr(cls.permute(0, 2, 3, 1)), boxes=arr(box.permute(0, 2, 3, 1))),
    grads={'features': arr(grads[0]), **{n: arr(g) for n, g in zip(grad_names, grads[1:])}},
    meta=dict(grad_output='sum(scores*u) + sum(boxes*v)', layout='outputs NHWC; params in PyTorch layouts'),
)
json.dump(out, open(sys.argv[1], 'w'))
print('wrote', sys.argv[1], 'scores', list(cls.shape))
