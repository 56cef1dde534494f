#!/usr/bin/env python3
"""numpy implementation of the voxelizer algorithm of src/voxelizer.ts (VoxelNet §2.3), written
for this package: parity fixture and benchmark baseline.

  voxelize_numpy.py fixture <out.json>          small synthetic cloud -> test/fixtures/voxelize_numpy.json
  voxelize_numpy.py bench <velodyne.bin> [reps] time on a real scan (paper car config), no shuffle

Order: voxels appear in the order of their first point (file order, no shuffle); within a voxel
the first T points are kept; at most K voxels; features = [x, y, z, r, x-cx, y-cy, z-cz] with the
centroid of the kept points.
"""
import json
import sys
import time

import numpy as np


def voxelize(points, rng, vsize, T, K):
    xyz = points[:, :3]
    lo = np.array(rng[:3], dtype=np.float32)
    hi = np.array(rng[3:], dtype=np.float32)
    vs = np.array(vsize, dtype=np.float32)
    grid = np.round((hi - lo) / vs).astype(np.int64)  # (W, H, D) as x, y, z
    keep = np.all((xyz >= lo) & (xyz < hi), axis=1)
    pts = points[keep]
    idx = np.floor((pts[:, :3] - lo) / vs).astype(np.int64)
    lin = (idx[:, 2] * grid[1] + idx[:, 1]) * grid[0] + idx[:, 0]
    uniq, first, inverse = np.unique(lin, return_index=True, return_inverse=True)
    order_of_voxel = np.argsort(first, kind='stable')  # voxel ids by first appearance
    rank_of_voxel = np.empty_like(order_of_voxel)
    rank_of_voxel[order_of_voxel] = np.arange(len(order_of_voxel))
    vox = rank_of_voxel[inverse]  # voxel id (by appearance) of each point
    sel = vox < K
    pts, vox, idx = pts[sel], vox[sel], idx[sel]
    # rank of each point within its voxel (stable: file order)
    perm = np.argsort(vox, kind='stable')
    sorted_vox = vox[perm]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_vox)) + 1]
    counts_all = np.diff(np.r_[starts, len(sorted_vox)])
    within = np.arange(len(sorted_vox)) - np.repeat(starts, counts_all)
    rank = np.empty_like(within)
    rank[perm] = within
    m = rank < T
    pts, vox, rank, idx = pts[m], vox[m], rank[m], idx[m]
    nv = int(vox.max()) + 1 if len(vox) else 0
    counts = np.bincount(vox, minlength=nv)
    sums = np.zeros((nv, 3), np.float64)
    np.add.at(sums, vox, pts[:, :3].astype(np.float64))
    cent = (sums / counts[:, None]).astype(np.float32)
    feats = np.zeros((nv, T, 7), np.float32)
    feats[vox, rank, :4] = pts
    feats[vox, rank, 4:] = pts[:, :3] - cent[vox]
    coords = np.zeros((nv, 3), np.int32)
    coords[vox] = idx[:, ::-1]  # (z, y, x)
    return feats, counts.astype(np.int32), coords


def main():
    if sys.argv[1] == 'fixture':
        r = np.random.default_rng(0)
        centers = r.uniform([0, -4, -3], [8, 4, 1], size=(30, 3))
        pts = np.concatenate([c + r.normal(0, 0.15, size=(r.integers(1, 60), 3)) for c in centers])
        pts = np.concatenate([pts, r.uniform([-1, -5, -4], [9, 5, 2], size=(200, 3))])
        cloud = np.concatenate([pts, r.uniform(0, 1, size=(len(pts), 1))], 1).astype(np.float32)
        cfg = dict(pointCloudRange=[0, -4, -3, 8, 4, 1], voxelSize=[0.4, 0.4, 0.5], maxPointsPerVoxel=8, maxVoxels=150)
        f, n, c = voxelize(cloud, cfg['pointCloudRange'], cfg['voxelSize'], 8, 150)
        out = dict(
            case='voxelize: first-come voxels, first T points, centroid offsets (no shuffle)',
            reference=dict(repo='paperstack', symbol='scripts/voxelize_numpy.py voxelize'),
            config=cfg,
            inputs=dict(points=dict(shape=list(cloud.shape), data=cloud.astype(float).ravel().tolist())),
            params={},
            outputs=dict(
                features=dict(shape=list(f.shape), data=f.astype(float).ravel().tolist()),
                numPoints=dict(shape=list(n.shape), data=n.astype(float).tolist()),
                coords=dict(shape=list(c.shape), data=c.astype(float).ravel().tolist()),
            ),
            grads={},
            meta=dict(numpy=np.__version__),
        )
        json.dump(out, open(sys.argv[2], 'w'))
        print('wrote', sys.argv[2], 'voxels', len(n), 'points', len(cloud))
    else:
        cloud = np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, 4)
        reps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
        args = ([0, -40, -3, 70.4, 40, 1], [0.2, 0.2, 0.4], 35, 20000)
        voxelize(cloud, *args)
        t = time.perf_counter()
        for _ in range(reps):
            f, n, c = voxelize(cloud, *args)
        dt = (time.perf_counter() - t) / reps
        print(json.dumps(dict(points=len(cloud), voxels=int(len(n)), ms=dt * 1e3, points_per_s=len(cloud) / dt)))


if __name__ == '__main__':
    main()
