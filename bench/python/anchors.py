"""Which PyTorch to compare against: CPU time (not wall time, so that it holds on a busy machine) of a
few of the bench's own shapes, one thread, in the interpreter that runs this script.

  OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 bench/python/anchors.py

Run it with Debian's /usr/bin/python3 (python3-torch 1.13 on the system OpenBLAS) and with a venv
holding PyPI's torch (MKL linked in) to compare the two anchors (bench/NOTES.md, "Which PyTorch").
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_env  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)


def cpu_ms(fn, reps=15):
    fn()
    out = []
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        out.append((time.process_time() - t0) * 1e3)
    out.sort()
    return round(out[len(out) // 2], 2)


def main():
    a, b = torch.randn(4096, 256), torch.randn(256, 256)
    x1 = torch.randn(1024, 1024)
    xc = torch.randn(8, 32, 64, 64, requires_grad=True)
    wc = torch.randn(32, 32, 3, 3, requires_grad=True)
    xa = torch.randn(32, 128, 256, requires_grad=True)
    ws = [torch.randn(256, 256, requires_grad=True) for _ in range(4)]

    def attention():
        q, k, v = (xa @ w for w in ws[:3])
        split = lambda z: z.reshape(32, 128, 8, 32).permute(0, 2, 1, 3)  # noqa: E731
        att = torch.softmax(split(q) @ split(k).transpose(-1, -2) / 32**0.5, -1)
        o = (att @ split(v)).permute(0, 2, 1, 3).reshape(32, 128, 256) @ ws[3]
        torch.autograd.grad(o.square().sum(), [xa, *ws])

    with torch.no_grad():
        rows = {
            "matMul [4096,256]·[256,256]": cpu_ms(lambda: a @ b),
            "matMul [1024,1024]²": cpu_ms(lambda: x1 @ x1),
        }
    rows["conv2d train step x[8,64,64,32] w[3,3,32,32]"] = cpu_ms(
        lambda: torch.autograd.grad(F.conv2d(xc, wc, padding=1).sum(), [xc, wc]))
    rows["attention fwd+bwd (32, 128, 256, 8 heads)"] = cpu_ms(attention, 5)
    rep = blas_env.report()
    print(json.dumps({"torch": torch.__version__, "cpuMs": rows, "probe": rep["probe"]["gflops"],
                      "blas": rep["torch"].get("blasInfo")}, indent=1))


if __name__ == "__main__":
    main()
