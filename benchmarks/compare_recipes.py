"""Compare the fit recipes of `plan backtest` by their point predictions of held-out runs.

Runs every backtest of planner.planning.model_error.CALIBRATION_RUNS (from the repository
root, with ../shared/data/ beside it) with each recipe and no bootstrap, and prints the
Markdown table of docs/backtests.md: the mean absolute and the mean signed relative error
of each recipe on each data set and cut, and over them all.

    python benchmarks/compare_recipes.py
"""

from __future__ import annotations

import shlex
import sys
import time

from planner.cli.backtest import backtests_of
from planner.cli.main import load
from planner.cli.parse import normalise, parse
from planner.fitting.backtest import RECIPE_NAMES, Backtest
from planner.planning.model_error import CALIBRATION_RUNS


def backtests(line: str) -> list[Backtest]:
    command = load("backtest")
    words = [*shlex.split(line)[2:], "--bootstrap", "0"]
    for name in RECIPE_NAMES:
        words += ["--recipe", name]
    found = parse(command, normalise(command, words))
    assert found is not None, line
    return backtests_of(command.request(found))


def label(line: str) -> str:
    """The data set of a line: its file's first word and the group it selects."""
    words = shlex.split(line)
    name = words[2].rsplit("/", 1)[-1].removesuffix(".csv")
    groups = [word.split("=", 1)[1] for word in words if word.startswith("dataset=")]
    return name + (f" ({groups[0]})" if groups else "")


def main() -> None:
    start = time.perf_counter()
    header = ["data set", "cut", "held out"] + [f"{name} MAE (bias)" for name in RECIPE_NAMES]
    print("| " + " | ".join(header) + " |")
    print("|---|---:|---:|" + "---:|" * len(RECIPE_NAMES))
    scores: dict[str, list[float]] = {name: [] for name in RECIPE_NAMES}
    wins = dict.fromkeys(RECIPE_NAMES, 0)
    for line in CALIBRATION_RUNS:
        tests = backtests(line)
        for cut in sorted({test.cut for test in tests}):
            row = {test.recipe.name: test for test in tests if test.cut == cut}
            best = min(row.values(), key=lambda test: test.mean_abs_error).recipe.name
            wins[best] += 1
            cells = []
            for name in RECIPE_NAMES:
                test = row[name]
                scores[name].append(test.mean_abs_error)
                text = f"{test.mean_abs_error:.2%} ({test.mean_error:+.2%})"
                cells.append(f"**{text}**" if name == best else text)
            held = row[RECIPE_NAMES[0]].held_out
            print(f"| {label(line)} | {cut:.0e} | {held} | " + " | ".join(cells) + " |")
    means = [f"{sum(values) / len(values):.2%}, lowest in {wins[name]}" for name, values in scores.items()]
    print(f"| mean over the {len(scores[RECIPE_NAMES[0]])} backtests | | | " + " | ".join(means) + " |")
    print(f"{time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
