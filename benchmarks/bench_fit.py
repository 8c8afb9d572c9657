"""Benchmark the Chinchilla fitter on the Epoch extraction of Hoffmann et al. Fig. 4.

Run:  python benchmarks/bench_fit.py [--rounds R]   (needs ../shared/data beside the project)
Prints, from one interleaved run (each round: the fit 3 times, then the naive loop once),
CPU times: the fit (median), the naive per-start scipy L-BFGS-B loop over the same 4,500
starts (median), the speed-up, both best objectives; how far the screening went; the
whole `plan fit` command with and without a bootstrap and whether it imports scipy; the
1000-draw bootstrap; and a check that local-start bootstrap refits reach the optimum
of full-grid refits.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import statistics
import subprocess
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
from planner.fitting.common import SCREEN_RUNS, screening_sample  # noqa: E402
from planner.fitting.optimize import multistart, naive_multistart  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "chinchilla-fig4-epoch-extraction.csv"


def cpu(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(CPU seconds of this process, result) of one call."""
    t0 = time.process_time()
    out = fn(*args, **kwargs)
    return time.process_time() - t0, out


def command_cpu(args: list[str]) -> float:
    """CPU seconds (user + system) of one `plan ...` run in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


IMPORTS_SCIPY = (
    "import sys\nfrom planner.cli.main import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
    "sys.stderr.write('scipy imported: %s\\n' % ('scipy' in sys.modules))\n"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    rounds = parser.parse_args().rounds
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
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}; CPU times (process_time)"
    )
    keep = np.sort(np.argsort(L, kind="stable")[:-5])
    lN, lD, lL = np.log(N[keep]), np.log(D[keep]), np.log(L[keep])
    fun = make_objective(lN, lD, lL, delta=1e-3, asymmetric=None)

    chinchilla.fit(N, D, L, drop_highest=5)  # warm-up
    fast_times, naive_times = [], []
    for _ in range(rounds):
        for _ in range(3):
            t, fit = cpu(chinchilla.fit, N, D, L, drop_highest=5)
            fast_times.append(t)
        t, (f_naive, _) = cpu(naive_multistart, fun, start_grid(), LOWER, UPPER)
        naive_times.append(t)
    t_fast, t_naive = statistics.median(fast_times), statistics.median(naive_times)
    print(f"runs={fit.n_runs} starts={fit.n_starts} rounds={rounds}")
    print(
        f"fit: median {t_fast:.3f} s CPU over {len(fast_times)} "
        f"(min {min(fast_times):.3f}, max {max(fast_times):.3f})"
    )
    print(f"  objective {fit.objective:.16g}  grad_norm {fit.grad_norm:.2e}  converged {fit.converged}")
    print("  params " + ", ".join(f"{k}={v:.6g}" for k, v in fit.params.items()))
    print(
        f"naive per-start scipy L-BFGS-B loop: median {t_naive:.2f} s CPU over {len(naive_times)} "
        f"(min {min(naive_times):.2f}, max {max(naive_times):.2f}), best objective {f_naive:.16g}"
    )
    print(f"speed-up: {t_naive / t_fast:.1f}x; fit - naive objective = {fit.objective - f_naive:.3e}")

    sample = screening_sample(lN, lD, SCREEN_RUNS)
    screen = make_objective(lN[sample], lD[sample], lL[sample], delta=1e-3, asymmetric=None)
    ms = multistart(fun, start_grid(), LOWER, UPPER, screen=screen, screen_scale=lN.size / sample.size)
    b = ms.batch
    assert b.pruned is not None
    print(
        f"screening on {sample.size} runs: {b.n_evals} start-evaluations ({b.n_evals / len(b.f):.1f} a start), "
        f"{int(b.pruned.sum())} starts pruned, {int((~b.pruned).sum())} ran to their stopping test; "
        f"check: {ms.n_checked} distinct screened optima on all runs, {ms.n_refined} refined, "
        f"{len(ms.polished)} polished"
    )

    data = str(DATA.relative_to(ROOT.parent).as_posix())
    args0 = ["fit", "../" + data, "--drop-highest", "5", "--bootstrap", "0", "--json"]
    args200 = ["fit", "../" + data, "--drop-highest", "5", "--json"]
    cmd0, cmd200 = [], []
    for _ in range(rounds):
        cmd0.append(command_cpu(args0))
        cmd200.append(command_cpu(args200))
    print(
        f"plan fit (whole command, imports included): median {statistics.median(cmd0):.2f} s CPU without a "
        f"bootstrap, {statistics.median(cmd200):.2f} s with the default 200 resamples"
    )
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_SCIPY.format(args=args0)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    print(f"  {done.stderr.strip().splitlines()[-1]}")

    bootstrap(N, D, L, 50, seed=1, drop_highest=5, point=fit)  # warm-up
    t_boot, bs = cpu(bootstrap, N, D, L, 1000, seed=0, drop_highest=5, point=fit, budgets=[5.76e23])
    t_all, every = cpu(bootstrap, N, D, L, 1000, seed=0, drop_highest=5, point=fit, prune=False)
    print(
        f"bootstrap 1000 draws: {t_boot:.2f} s CPU, converged {bs.n_converged}/1000; every local start "
        f"to its stopping test: {t_all:.2f} s; largest |objective difference| of a draw "
        f"{np.abs(bs.objective - every.objective).max():.1e}"
    )
    print("  SE " + ", ".join(f"{k}={v:.4g}" for k, v in bs.stderr.items()))

    # Bias check of local starts: refit 10 resamples from the full 4,500-point grid, unpruned.
    w = resample_weights(lN.size, 1000, 0)[:10]
    worst = 0.0
    for i in range(10):
        fun_i = make_objective(lN, lD, lL, delta=1e-3, asymmetric=None, weights=w[i])
        full = multistart(fun_i, start_grid(), LOWER, UPPER, screening=None)
        worst = max(worst, (bs.objective[i] - full.f) / full.f)
    print(f"local-start vs full-grid refits of 10 resamples: worst relative objective excess {worst:.2e}")


if __name__ == "__main__":
    main()
