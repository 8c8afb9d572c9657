"""Reproduce Besiroglu et al. 2024 (arXiv 2404.10102) on the shared Chinchilla extraction.

The data (245 runs read off Hoffmann et al. 2022, Fig. 4) lives beside the project in
../shared/data and is not part of the repository; without it these tests skip.
Published estimate and bootstrap standard errors: ../shared/data/README.md.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from planner.fitting import FitResult, bootstrap, compute_optimal, fit_chinchilla
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA / "chinchilla-fig4-epoch-extraction.csv"
PUBLISHED = {"A": 482.01, "B": 2085.43, "E": 1.8172, "alpha": 0.3478, "beta": 0.3658}
PUBLISHED_SE = {"A": 124.58, "B": 1293.23, "E": 0.03, "alpha": 0.02, "beta": 0.02}
NOTEBOOK_SE = {"A": 124.52232, "B": 1293.28410, "E": 0.02566, "alpha": 0.01540, "beta": 0.02060}

Runs = tuple[np.ndarray, np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def runs() -> Runs:
    """(N, D, loss) of the 245 runs, D = C / (6 N) as the authors derive it."""
    if not DATA.is_file():
        pytest.skip(f"shared data not found at {DATA}; it sits beside the project, not in it")
    with DATA.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    N = np.array([float(row["Model Size"]) for row in rows])
    C = np.array([float(row["Training FLOP"]) for row in rows])
    return N, C / (6.0 * N), np.array([float(row["loss"]) for row in rows])


@pytest.fixture(scope="module")
def fit(runs: Runs) -> FitResult:
    """The fit after dropping the 5 highest-loss runs, as the authors did."""
    return fit_chinchilla(*runs, drop_highest=5)


def test_reproduces_the_published_point_estimate(fit: FitResult) -> None:
    assert fit.n_runs == 240
    assert fit.n_starts == 4500
    assert fit.converged
    for name in ("E", "alpha", "beta"):
        assert fit.params[name] == pytest.approx(PUBLISHED[name], rel=0.01), name
    for name in ("A", "B"):
        assert fit.params[name] == pytest.approx(PUBLISHED[name], rel=0.05), name
    assert [code for code, _ in fit.diagnostics] == ["residuals"]


def test_reproduces_the_published_standard_errors(runs: Runs, fit: FitResult) -> None:
    """4,000 resamples as the authors drew; every SE within 30% of the published one."""
    draws = bootstrap(*runs, 4000, seed=0, drop_highest=5, point=fit, budgets=[5.76e23])
    assert draws.n_converged >= 0.99 * 4000
    for name in PUBLISHED_SE:
        assert draws.stderr[name] == pytest.approx(PUBLISHED_SE[name], rel=0.30), name
        assert draws.stderr[name] == pytest.approx(NOTEBOOK_SE[name], rel=0.30), name
    low, high = draws.derived_intervals["N_opt"][:, 0]
    assert low < compute_optimal(fit.theta, [5.76e23])[0][0, 0] < high
