"""Arrays of budgets: plan_array's budgets per second and peak memory, beside the floor.

    python benchmarks/bench_arrays.py [--budgets 1000000] [--sample 2000] [--interval-budgets 10000] [--only TEXT]

Each case plans the same seeded array of budgets (log-uniform over 1e18-1e26 FLOPs) in a
fresh interpreter, and prints budgets/s (best of three, in CPU time of the process) and the peak memory of the call
(tracemalloc, which numpy reports its arrays to) and of the process (ru_maxrss, numpy's
import included). The floor is a bare numpy closed form of the Chinchilla allocation (Eq. 4
of Hoffmann et al. 2022) with its loss on the same array; the scalar `plan()` loop runs on a
sample. The interval cases (`level=0.95`) run on --interval-budgets budgets, beside their
floor: the same closed form over the law's 4,000 draws and every budget at once in numpy,
then np.quantile over the draws (a naive vectorisation, memory no object). Prints figures
only; never a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CASES = [
    ("floor: numpy closed form", "floor", {}),
    ("plan() loop, besiroglu2024", "scalar", {}),
    ("besiroglu2024 (default)", "besiroglu2024", {}),
    ("hoffmann2022", "hoffmann2022", {}),
    ("kaplan2020-nd", "kaplan2020-nd", {}),
    ("kaplan2020 (frontier)", "kaplan2020", {}),
    ("max_params=3e9", "besiroglu2024", {"max_params": 3e9}),
    ("max_tokens=1e11", "besiroglu2024", {"max_tokens": 1e11}),
    ("unique_tokens=25e9", "besiroglu2024", {"unique_tokens": 25e9}),
    ("muennighoff2023, unique_tokens=25e9", "muennighoff2023", {"unique_tokens": 25e9}),
    ("floor: intervals, naive numpy", "floor-intervals", {"level": 0.95}),
    ("besiroglu2024, level=0.95", "besiroglu2024", {"level": 0.95}),
    ("max_params=3e9, level=0.95", "besiroglu2024", {"max_params": 3e9, "level": 0.95}),
]

CHILD = r"""
import json, math, resource, sys, time, tracemalloc
import numpy as np
from planner.planning.budget import plan
from planner.planning.columns import plan_array

law, options, size, sample = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
budgets = 10.0 ** np.random.default_rng(2024).uniform(18.0, 26.0, size)


def floor(C):
    E, A, B, alpha, beta = 1.81686, 482.00572, 2085.43420, 0.34781, 0.36585
    s = alpha + beta
    G = (alpha * A / (beta * B)) ** (1.0 / s)
    N = G * (C / 6.0) ** (beta / s)
    D = C / (6.0 * N)
    return N, D, D / N, E + A / N**alpha + B / D**beta


def floor_intervals(C):
    from planner.laws.catalog import find_law
    from planner.planning.draws import draws_of

    draws = draws_of(find_law("besiroglu2024"))
    E, A, B, alpha, beta = (np.asarray(draws.columns[k])[:, None] for k in ("E", "A", "B", "alpha", "beta"))
    out = []
    for start in range(0, C.size, 256):  # 4,000 x 256 at a time: all at once would be gigabytes
        c = C[None, start : start + 256]
        s = alpha + beta
        N = (alpha * A / (beta * B)) ** (1.0 / s) * (c / 6.0) ** (beta / s)
        D = c / (6.0 * N)
        L = E + A / N**alpha + B / D**beta
        out.append((np.quantile(N, [0.025, 0.975], axis=0), np.quantile(L, [0.025, 0.975], axis=0)))
    return out


if law == "scalar":
    values = budgets[:sample].tolist()
    start = time.process_time()
    plan(values)
    print(json.dumps({"rate": sample / (time.process_time() - start), "peak": None, "rss": None}))
    sys.exit()
if law == "floor":
    run = lambda: floor(budgets)  # noqa: E731
elif law == "floor-intervals":
    run = lambda: floor_intervals(budgets)  # noqa: E731
else:
    run = lambda: plan_array(budgets, law, **options)  # noqa: E731
run()  # warm: the law file, numpy's first calls
times = []
for _ in range(3):
    start = time.process_time()
    run()
    times.append(time.process_time() - start)
tracemalloc.start()
run()
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rate": size / min(times), "peak": peak / 2**20, "rss": rss}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000, help="budgets for the plan() loop")
    parser.add_argument("--interval-budgets", type=int, default=10_000, help="budgets for the interval cases")
    parser.add_argument(
        "--only", action="append", default=[], help="run only the cases whose name holds this"
    )
    args = parser.parse_args()
    print(
        f"{args.budgets:.0e} budgets ({args.interval_budgets:.0e} with intervals), log-uniform over "
        "1e18-1e26 FLOPs; one fresh interpreter per case"
    )
    print(f"{'case':40} {'budgets/s':>11} {'peak MB':>9} {'max RSS MB':>11}")
    for name, law, options in CASES:
        if args.only and not any(text in name for text in args.only):
            continue
        done = subprocess.run(
            [
                *(sys.executable, "-c", CHILD, law, json.dumps(options)),
                str(args.interval_budgets if "level" in options else args.budgets),
                str(args.sample),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        got = json.loads(done.stdout)
        peak = "" if got["peak"] is None else f"{got['peak']:.0f}"
        rss = "" if got["rss"] is None else f"{got['rss']:.0f}"
        print(f"{name:40} {got['rate']:11.3g} {peak:>9} {rss:>11}", flush=True)


if __name__ == "__main__":
    main()
