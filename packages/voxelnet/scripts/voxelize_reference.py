#!/usr/bin/env python3
"""Python side of the voxelizer comparison (`pnpm bench -- --external voxelizer`): times, on one real
KITTI scan with the paper's car configuration (voxel 0.2 x 0.2 x 0.4 m, range x 0..70.4, y -40..40,
z -3..1, T = 35, K = 20,000):

- numpy: scripts/voxelize_numpy.py (our vectorised port of the algorithm, the parity fixture's source);
- numba: second.pytorch's `points_to_voxel` (traveller59/second.pytorch commit 57efcc8,
  second/core/point_cloud/point_cloud_ops.py, the numba voxelizer of the VoxelNet/SECOND line of
  work; imported unmodified from a checkout or the bare mirror by bench/python/reference.py, never
  vendored). Its first call compiles (timed apart as `compileMs`); the median is of the calls after.

Both keep, per voxel, the first T points in file order and at most K voxels in order of first
appearance, as our `Voxelizer` with `shuffle: false`. second's kernel stores the raw points only
(no centroid offsets: its VFE adds them later); numpy and ours also write the 7 features.

  voxelize_reference.py <velodyne.bin> [reps]   prints one JSON object
"""
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "bench", "python"))
sys.path.insert(0, HERE)
import blas_env  # noqa: E402
import reference  # noqa: E402
from voxelize_numpy import voxelize  # noqa: E402

SECOND_COMMIT = "57efcc8"
RANGE = [0.0, -40.0, -3.0, 70.4, 40.0, 1.0]
VSIZE = [0.2, 0.2, 0.4]
T, K = 35, 20000


def median_ms(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    path = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    points = np.fromfile(path, dtype=np.float32).reshape(-1, 4)
    out = {"points": int(points.shape[0]), "reps": reps}

    voxelize(points, RANGE, VSIZE, T, K)  # warm-up
    out["numpy"] = {"ms": median_ms(lambda: voxelize(points, RANGE, VSIZE, T, K), reps)}
    out["numpy"]["voxels"] = int(len(voxelize(points, RANGE, VSIZE, T, K)[1]))

    try:
        sys.path.insert(0, os.path.join(
            reference.load("traveller59/second.pytorch", "second/core/point_cloud", SECOND_COMMIT),
            "second", "core", "point_cloud"))
        import numba
        import point_cloud_ops

        vsize, rng = np.array(VSIZE, np.float32), np.array(RANGE, np.float32)
        grid = tuple(np.round((rng[3:] - rng[:3]) / vsize).astype(np.int32).tolist())
        # the voxel-index map that second's VoxelGenerator allocates once and the kernel resets after use
        coor_to_voxelidx = np.full(grid[::-1], -1, dtype=np.int32)

        def run():
            return point_cloud_ops.points_to_voxel(points, vsize, rng, coor_to_voxelidx, max_points=T,
                                                   reverse_index=True, max_voxels=K)

        t0 = time.perf_counter()
        voxels, coords, num = run()
        compile_ms = (time.perf_counter() - t0) * 1e3
        out["numba"] = {"ms": median_ms(run, reps), "voxels": int(voxels.shape[0]), "compileMs": compile_ms,
                        "numba": numba.__version__, "source": f"traveller59/second.pytorch@{SECOND_COMMIT}"}
    except Exception as exc:  # noqa: BLE001 - the runner shows why
        out["numba"] = {"error": f"{type(exc).__name__}: {exc}"}
    out["reference"] = blas_env.report(with_torch=False)  # numpy and numba only
    print(json.dumps(out))


if __name__ == "__main__":
    main()
