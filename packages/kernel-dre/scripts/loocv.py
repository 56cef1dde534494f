"""Our numpy uLSIF/RuLSIF leave-one-out scores, written from Kanamori et al. 2009, Sec. 3.3: used by
make_fixtures.py and by the randomized parity sweep (parity/python/sweep.py)."""
import numpy as np


def loocv_scores(x, y, centers, sigmas, lambdas, alpha, variant):
    """uLSIF/RuLSIF analytic leave-one-out score (Kanamori et al. 2009, Sec. 3.3) for every (sigma, lambda).
    variant 'r': B1 divided by the LOO denominator as in R densratio/densityratio; 'densratio-py': without."""
    nx, ny = len(x), len(y)
    nmin = min(nx, ny)
    out = np.zeros((len(sigmas), len(lambdas)))
    for a, s in enumerate(sigmas):
        px = np.exp(-((x[:, None, :] - centers[None]) ** 2).sum(-1) / (2 * s * s))
        py = np.exp(-((y[:, None, :] - centers[None]) ** 2).sum(-1) / (2 * s * s))
        H = alpha * px.T @ px / nx + (1 - alpha) * py.T @ py / ny
        h = px.mean(0)
        Xx, Xy_ = px[:nmin].T, py[:nmin].T
        b = len(centers)
        for c, lam in enumerate(lambdas):
            B = H + np.eye(b) * lam * (ny - 1) / ny
            BiY = np.linalg.solve(B, Xy_)
            den_ = ny - (Xy_ * BiY).sum(0)
            B0 = np.linalg.solve(B, h)[:, None] + BiY * ((h @ BiY) / den_)[None, :]
            t = (Xx * BiY).sum(0)
            B1 = np.linalg.solve(B, Xx) + BiY * ((t / den_) if variant == 'r' else t)[None, :]
            B2 = np.maximum(0, (ny - 1) * (nx * B0 - B1) / (ny * (nx - 1)))
            ry = (Xy_ * B2).sum(0)
            rx = (Xx * B2).sum(0)
            out[a, c] = (ry @ ry / 2 - rx.sum()) / nmin
    return out
