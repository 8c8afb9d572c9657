"""Shared fixtures: a clean terminal environment and an in-process `plan` runner."""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from planner.cli.fit import one_blas_thread
from planner.cli.main import main
from planner.forms.base import Law
from planner.laws.catalog import available_laws, find_law

one_blas_thread()  # before any test module loads numpy, as plan fit does

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"

# Timing deadlines make property tests flaky on a loaded 2-core CI machine; speed is
# measured in benchmarks/, not here.
settings.register_profile("planner", deadline=None)
settings.load_profile("planner")


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("PLANNER_DEBUG", raising=False)


@dataclass
class Result:
    """What a `plan` run left behind: exit code and the two streams, separately."""

    exit_code: int
    stdout: str
    stderr: str


Run = Callable[..., Result]


def invoke(*args: str, stdin: str = "") -> Result:
    """Run `plan ARGS...` in-process through the real entry point, as a user would."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main(list(args))
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    else:  # pragma: no cover - main always exits
        code = -1
    finally:
        sys.stdin = saved
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run() -> Run:
    """Run `plan ARGS...` in-process through the real entry point, as a user would."""
    return invoke


@pytest.fixture(scope="session")
def laws() -> list[Law]:
    """Every shipped law."""
    return available_laws()


@pytest.fixture(scope="session")
def besiroglu() -> Law:
    """The default language law."""
    return find_law("besiroglu2024")


TRUTH = {"E": 1.7, "A": 400.0, "B": 1800.0, "alpha": 0.34, "beta": 0.28}
"""Chinchilla-form parameters the synthetic runs are drawn from (near Hoffmann et al.'s)."""
KAPLAN_TRUTH = {"alpha_N": 0.076, "alpha_D": 0.103, "N_c": 6.4e13, "D_c": 1.8e13}
"""Kaplan et al. 2020, Table 2: the synthetic runs of the kaplan-nd form."""


def synthetic_runs(
    seed: int, form: str = "chinchilla", noise: float = 0.004, sizes: int = 6
) -> list[dict[str, float]]:
    """Runs on a grid of model sizes and token counts, losses from the truth times seeded noise."""
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(sizes):
        for j in range(sizes):
            n = 10 ** (7.5 + 2.5 * i / (sizes - 1))
            d = 10 ** (9 + 2.5 * j / (sizes - 1))
            if form == "chinchilla":
                loss = TRUTH["E"] + TRUTH["A"] / n ** TRUTH["alpha"] + TRUTH["B"] / d ** TRUTH["beta"]
            else:
                k = KAPLAN_TRUTH
                loss = ((k["N_c"] / n) ** (k["alpha_N"] / k["alpha_D"]) + k["D_c"] / d) ** k["alpha_D"]
            rows.append({"params": n, "tokens": d, "loss": loss * math.exp(noise * rng.gauss(0, 1))})
    return rows


def write_runs(
    path: Path, rows: list[dict[str, float]], names: tuple[str, str, str] = ("params", "tokens", "loss")
) -> Path:
    """The runs as CSV with the given column names for params, tokens and loss."""
    lines = [",".join(f'"{name}"' if " " in name else name for name in names)]
    lines += [f"{row['params']!r},{row['tokens']!r},{row['loss']!r}" for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path
