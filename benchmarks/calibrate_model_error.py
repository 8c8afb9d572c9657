"""Fit the model-error constant k of planner.planning.model_error to the shared backtests.

Runs every command line of CALIBRATION_RUNS (from the repository root, where
../shared/data/ is beside it), fits k by maximum likelihood over all their held-out runs,
and prints k with the coverage it gives on each data set, and the coverage when k is fitted
without that data set (leave one data set out), so the in-sample figures can be judged.

    python benchmarks/calibrate_model_error.py
"""

from __future__ import annotations

import shlex
import sys
import time

from planner.cli.backtest import backtests_of
from planner.cli.main import load
from planner.cli.parse import normalise, parse
from planner.fitting.backtest import LEVELS, Backtest, calibrate, calibration
from planner.planning.model_error import CALIBRATION_RUNS, ModelError


def backtests(line: str, term: ModelError | None = None) -> list[Backtest]:
    """The backtests of a `plan backtest` line, under `term` (None: the bootstrap alone)."""
    command = load("backtest")
    words = [*shlex.split(line)[2:], "--model-error", "none" if term is None else "fitted"]
    found = parse(command, normalise(command, words))
    assert found is not None, line
    return backtests_of(command.request(found), term)


def main() -> None:
    start = time.perf_counter()
    runs = {line: backtests(line) for line in CALIBRATION_RUNS}
    every = [test for tests in runs.values() for test in tests]
    term = calibrate(every, CALIBRATION_RUNS)
    print(
        f"k = {term.per_decade!r} per decade, fitted on {term.held_out} held-out runs of {len(every)} backtests"
    )
    header = "data set".ljust(60) + "".join(f"{level:>10.0%}" for level in LEVELS)
    print(header + "   (bootstrap only / with k / with k fitted without it)")
    for line, tests in runs.items():
        others = [test for other, group in runs.items() if other != line for test in group]
        left_out = calibrate(others, [])
        with_k = calibration(backtests(line, term))
        without = calibration(backtests(line, left_out))
        alone = calibration(tests)
        name = " ".join(word for word in shlex.split(line)[2:] if not word.startswith("--"))[:58]
        cells = "".join(
            f"  {a.parameter_fraction:.0%}/{b.fraction:.0%}/{c.fraction:.0%}"
            for a, b, c in zip(alone, with_k, without, strict=True)
        )
        print(f"{name.ljust(60)}{cells}   k without: {left_out.per_decade:.4f}")
    pooled = calibration([test for line in CALIBRATION_RUNS for test in backtests(line, term)])
    print("pooled: " + ", ".join(f"{c.level:.0%} nominal: {c.fraction:.1%}" for c in pooled))
    print(f"{time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
