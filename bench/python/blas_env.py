"""What BLAS the reference timings run on, with how many threads, and how fast it is (issue 20).

`report(probe=True)` returns a JSON-friendly dict that every reference script of the benchmarks
(bench/python/torch_cases.py, packages/kernel-dre/bench/sweep_reference.py, packages/voxelnet/scripts/*.py)
prints with its timings; bench/src/blas.ts judges it (reference BLAS or a probe under the floor: no
BENCHMARKS.md). `python3 blas_env.py` prints it alone.

Why several sources: Debian's python3-torch reports `BLAS_INFO=generic` whatever `libblas.so.3` points to
(a compile-time string), so the loaded library is read from /proc/self/maps and from threadpoolctl (which
asks the library itself: internal_api, version, detected CPU core, threads). PyPI's torch links MKL
statically (no library to see in the maps); its `BLAS_INFO=mkl` is then the evidence, with the probe.
"""

import json
import os
import platform
import re
import sys
import time

# recorded: every variable that sets BLAS / OpenMP threads or kernels
THREAD_ENV = re.compile(r"^(OPENBLAS_|GOTO_|MKL_|OMP_|KMP_|BLIS_)")
_LIB = re.compile(r"(blas|lapack|mkl|blis|gomp|iomp|omp5|dnnl)", re.I)


def loaded_libraries():
    """Shared libraries of the BLAS / OpenMP family mapped into this process (resolved paths)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line and _LIB.search(line.rsplit("/", 1)[-1])}
    except OSError:
        return []
    return sorted(paths)


def _gflops(matmul, n, threads_probe_reps=5):
    matmul()  # warm-up (first call allocates BLAS buffers)
    times = []
    for _ in range(threads_probe_reps):
        t0 = time.perf_counter()
        matmul()
        times.append(time.perf_counter() - t0)
    times.sort()
    flop = 2.0 * n**3
    return {"median": round(flop / times[len(times) // 2] / 1e9, 1), "best": round(flop / times[0] / 1e9, 1)}


def _torch_info():
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 - report why
        return {"error": f"{type(exc).__name__}: {exc}"}
    show = torch.__config__.show()
    m = re.search(r"BLAS_INFO=(\w+)", show)
    mkl = [ln.strip(" -") for ln in show.splitlines() if "Math Kernel Library" in ln]
    return {
        "version": torch.__version__,
        "file": os.path.dirname(torch.__file__),
        "blasInfo": m.group(1) if m else "unknown",
        "mkl": mkl[0] if mkl else None,
        "numThreads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
    }


def _numpy_info():
    try:
        import numpy as np
    except Exception as exc:  # noqa: BLE001
        return {"error": f"{type(exc).__name__}: {exc}"}
    blas = None
    try:  # numpy >= 1.26: show_config(mode="dicts")
        cfg = np.show_config(mode="dicts")
        dep = cfg["Build Dependencies"]["blas"]
        blas = f"{dep.get('name')} {dep.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - numpy 1.24 (Debian): distutils-style info
        try:
            info = np.__config__.get_info("blas_opt_info") or np.__config__.get_info("blas_info")
            blas = "libraries " + ",".join(info.get("libraries", [])) if info else "none"
        except Exception as exc:  # noqa: BLE001
            blas = f"unknown ({exc})"
    return {"version": np.__version__, "file": os.path.dirname(np.__file__), "blas": blas}


def _threadpools():
    try:
        from threadpoolctl import threadpool_info
    except Exception:  # noqa: BLE001
        return None
    keep = ("user_api", "internal_api", "filepath", "version", "num_threads", "threading_layer", "architecture")
    return [{k: p.get(k) for k in keep if k in p} for p in threadpool_info()]


def report(probe=True, n=2048, with_torch=True):
    """`with_torch=False` for a reference that does not use PyTorch (its record and probe are numpy's)."""
    out = {
        "python": f"{sys.executable} {platform.python_version()}",
        "env": {k: v for k, v in sorted(os.environ.items()) if THREAD_ENV.match(k)},
        "torch": _torch_info() if with_torch else {"error": "not used by this reference"},
        "numpy": _numpy_info(),
    }
    if probe:
        probes = {}
        try:
            import numpy as np

            a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
            probes["numpy"] = _gflops(lambda: a @ a, n)
        except Exception as exc:  # noqa: BLE001
            probes["numpy"] = {"error": str(exc)}
        if "error" not in out["torch"]:
            import torch

            with torch.no_grad():
                x = torch.randn(n, n)
                probes["torch"] = _gflops(lambda: torch.mm(x, x), n)
        out["probe"] = {"op": f"float32 matmul {n}x{n}x{n}", "gflops": probes}
    out["libraries"] = loaded_libraries()
    out["threadpools"] = _threadpools()
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].isdigit():
        try:
            import torch

            torch.set_num_threads(int(sys.argv[1]))
        except ImportError:
            pass
    print(json.dumps(report(), indent=2))
