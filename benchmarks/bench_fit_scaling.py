"""How fit time grows with the number of runs and with bootstrap resamples.

Run:  python benchmarks/bench_fit_scaling.py [--no-reference]
Synthetic runs are drawn from the Epoch refit of Chinchilla (laws/language/besiroglu2024.toml:
E 1.81686, A 482.00572, B 2085.43420, alpha 0.34781, beta 0.36585), model sizes and
tokens log-uniform over the ranges of Hoffmann et al.'s runs, with log-normal noise of
0.0075 (the RMS log residual of the fit to the Epoch extraction). For 50 to 20,000 runs it
prints the CPU time of the fit (`chinchilla.fit`, 4,500 starts; interleaved rounds, median)
and, unless --no-reference, the objective of the exhaustive full grid (every start run to
its stopping test on all runs, then refined and polished; minutes at 20,000 runs) and the
difference. Then the bootstrap at 0, 200 and 1,000 resamples, for 240 and 1,000 runs, and
at 200 (the default of `plan fit`) for 20,000.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.cli.fit import one_blas_thread  # noqa: E402

one_blas_thread()

import numpy as np  # noqa: E402

from planner.fitting import bootstrap, chinchilla  # noqa: E402
from planner.fitting.chinchilla import LOWER, UPPER, make_objective, start_grid  # noqa: E402
from planner.fitting.optimize import multistart  # noqa: E402

LAW = {"E": 1.81686, "A": 482.00572, "B": 2085.43420, "alpha": 0.34781, "beta": 0.36585}
SIZES = (50, 240, 1_000, 5_000, 20_000)
NOISE = 0.0075


def synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n runs drawn from the Epoch law with log-normal noise (deterministic per seed)."""
    rng = np.random.default_rng(seed)
    N = np.exp(rng.uniform(np.log(5.7e7), np.log(1.6e10), n))
    D = np.exp(rng.uniform(np.log(8.2e8), np.log(3.2e11), n))
    L = LAW["E"] + LAW["A"] / N ** LAW["alpha"] + LAW["B"] / D ** LAW["beta"]
    return N, D, L * np.exp(rng.normal(0.0, NOISE, n))


def cpu(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t0 = time.process_time()
    out = fn(*args, **kwargs)
    return time.process_time() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-reference", action="store_true", help="skip the exhaustive full-grid fits")
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
        f"python {platform.python_version()}, numpy {np.__version__}; CPU times (process_time)"
    )
    data = {n: synthetic(n, seed=n) for n in SIZES}
    chinchilla.fit(*data[50])  # warm-up
    times: dict[int, list[float]] = {n: [] for n in SIZES}
    fits = {}
    for _ in range(opts.rounds):  # interleaved: every size once per round
        for n in SIZES:
            t, fits[n] = cpu(chinchilla.fit, *data[n])
            times[n].append(t)
    print("runs    fit CPU s (median; min-max)  objective of the fit    full grid - fit")
    for n in SIZES:
        fit = fits[n]
        line = (
            f"{n:>6,}  {statistics.median(times[n]):7.3f} ({min(times[n]):.3f}-{max(times[n]):.3f})"
            f"  {fit.objective:.16g}"
        )
        if not opts.no_reference:
            logs = (np.log(v) for v in data[n])
            fun = make_objective(*logs, delta=1e-3, asymmetric=None)
            t_ref, ref = cpu(multistart, fun, start_grid(), LOWER, UPPER, screening=None)
            line += f"  {ref.f - fit.objective:+.2e} (full grid {t_ref:.0f} s)"
        print(line, flush=True)

    for n, resamples in ((240, (200, 1_000)), (1_000, (200, 1_000)), (20_000, (200,))):
        N, D, L = synthetic(n, seed=7 + n)
        point = chinchilla.fit(N, D, L)
        bootstrap(N, D, L, 20, seed=1, point=point)  # warm-up
        row = [f"{n:>6,} runs, fit {cpu(chinchilla.fit, N, D, L)[0]:.2f} s"]
        for k in resamples:
            t, _ = cpu(bootstrap, N, D, L, k, seed=0, point=point)
            row.append(f"+ {k:,} resamples {t:.2f} s")
        print("bootstrap: " + "; ".join(row), flush=True)
    if not opts.no_reference:
        shared_runs_check()


SHARED = ROOT.parent / "shared" / "data"
OTHER_RUNS = (("porian2024-isoflop-points.csv", None), ("gadre2024-openlm-runs.csv", "loss_c4_val"))
"""Other runs files beside the project, with the loss column to fit where it is not `loss`."""


def shared_runs_check() -> None:
    """Both forms on the other shared runs files: the fit against the exhaustive full grid."""
    from planner.fitting import kaplan_nd
    from planner.fitting.runs import read_runs

    for name, loss_col in OTHER_RUNS:
        if not (SHARED / name).is_file():
            print(f"{name}: not found beside the project, skipped")
            continue
        runs = read_runs(str(SHARED / name), loss_col=loss_col)
        arrays = [np.array(v) for v in (runs.params, runs.tokens, runs.loss)]
        for mod in (chinchilla, kaplan_nd):
            t_fit, fit = cpu(mod.fit, *arrays)
            fun = mod.make_objective(*(np.log(v) for v in arrays), delta=1e-3, asymmetric=None)
            t_ref, ref = cpu(multistart, fun, mod.start_grid(), mod.LOWER, mod.UPPER, screening=None)
            print(
                f"{name} ({len(runs):,} runs) {mod.FORM}: fit {t_fit:.2f} s, full grid {t_ref:.1f} s, "
                f"full grid - fit {ref.f - fit.objective:+.1e}",
                flush=True,
            )


if __name__ == "__main__":
    main()
