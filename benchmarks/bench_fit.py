"""Benchmark the Chinchilla fitter on the Epoch extraction of Hoffmann et al. Fig. 4.

Run:  python benchmarks/bench_fit.py   (needs ../shared/data beside the project)
Prints: batched multi-start fit time (median of 5), naive per-start scipy
L-BFGS-B loop time over the same 4,500 starts, speed-up, both best objectives,
1000-draw bootstrap time, and a check that local-start bootstrap refits reach the
same optimum as full-grid refits.
"""

from __future__ import annotations

import csv
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.cli.fit import one_blas_thread  # noqa: E402

one_blas_thread()  # as plan fit does, for the fit and the scipy loop alike

import numpy as np  # noqa: E402

from planner.fitting import bootstrap, chinchilla  # noqa: E402
from planner.fitting.bootstrap import resample_weights  # noqa: E402
from planner.fitting.chinchilla import LOWER, UPPER, make_objective, start_grid  # noqa: E402
from planner.fitting.optimize import multistart, naive_multistart  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "chinchilla-fig4-epoch-extraction.csv"


def main() -> None:
    if not DATA.is_file():
        sys.exit(f"data not found: {DATA} (the shared data sits beside the project)")
    with DATA.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    N = np.array([float(r["Model Size"]) for r in rows])
    D = np.array([float(r["Training FLOP"]) for r in rows]) / (6.0 * N)
    L = np.array([float(r["loss"]) for r in rows])
    print(
        f"machine: {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    )

    chinchilla.fit(N, D, L, drop_highest=5)  # warm-up
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        fit = chinchilla.fit(N, D, L, drop_highest=5)
        times.append(time.perf_counter() - t0)
    t_fast = statistics.median(times)
    print(f"runs={fit.n_runs} starts={fit.n_starts}")
    print(f"vectorized fit: median {t_fast:.3f} s over 5 (min {min(times):.3f}, max {max(times):.3f})")
    print(f"  objective {fit.objective:.16g}  grad_norm {fit.grad_norm:.2e}  converged {fit.converged}")
    print("  params " + ", ".join(f"{k}={v:.6g}" for k, v in fit.params.items()))

    keep = np.sort(np.argsort(L, kind="stable")[:-5])
    lN, lD, lL = np.log(N[keep]), np.log(D[keep]), np.log(L[keep])
    fun = make_objective(lN, lD, lL, delta=1e-3, asymmetric=None)
    t0 = time.perf_counter()
    f_naive, _ = naive_multistart(fun, start_grid(), LOWER, UPPER)
    t_naive = time.perf_counter() - t0
    print(f"naive per-start scipy L-BFGS-B loop: {t_naive:.2f} s, best objective {f_naive:.16g}")
    print(f"speed-up: {t_naive / t_fast:.1f}x; fast - naive objective = {fit.objective - f_naive:.3e}")

    bootstrap(N, D, L, 50, seed=1, drop_highest=5, point=fit)  # warm-up
    t0 = time.perf_counter()
    b = bootstrap(N, D, L, 1000, seed=0, drop_highest=5, point=fit, budgets=[5.76e23])
    t_boot = time.perf_counter() - t0
    print(f"bootstrap 1000 draws: {t_boot:.2f} s, converged {b.n_converged}/1000")
    print("  SE " + ", ".join(f"{k}={v:.4g}" for k, v in b.stderr.items()))

    # Bias check of local starts: refit 10 resamples from the full 4,500-point grid.
    w = resample_weights(lN.size, 1000, 0)[:10]
    worst = 0.0
    for i in range(10):
        fun_i = make_objective(lN, lD, lL, delta=1e-3, asymmetric=None, weights=w[i])
        full = multistart(fun_i, start_grid(), LOWER, UPPER)
        worst = max(worst, (b.objective[i] - full.f) / full.f)
        dtheta = np.abs(b.theta_draws[i] - full.x).max()
        print(f"  resample {i}: local {b.objective[i]:.12g} full-grid {full.f:.12g} max|dtheta| {dtheta:.2e}")
    print(f"local-start vs full-grid refits: worst relative objective excess {worst:.2e}")


if __name__ == "__main__":
    main()
