"""Reproduce Besiroglu et al. 2024 (arXiv 2404.10102) on the shared Chinchilla extraction.

The data (245 runs read off Hoffmann et al. 2022, Fig. 4) lives beside the project in
../shared/data and is not part of the repository; without it these tests skip. They go
through the same path as `plan fit`: the runs reader with its default column names, then
the fitting procedure. Published estimate and bootstrap standard errors: ../shared/data/README.md.
"""

from __future__ import annotations

import pytest

from planner.fitting import FitReport, fit
from planner.fitting.runs import read_runs
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA / "chinchilla-fig4-epoch-extraction.csv"
PUBLISHED = {"A": 482.01, "B": 2085.43, "E": 1.8172, "alpha": 0.3478, "beta": 0.3658}
PUBLISHED_SE = {"A": 124.58, "B": 1293.23, "E": 0.03, "alpha": 0.02, "beta": 0.02}
NOTEBOOK_SE = {"A": 124.52232, "B": 1293.28410, "E": 0.02566, "alpha": 0.01540, "beta": 0.02060}
"""The full-precision SEs of the authors' notebook, as laws/language/besiroglu2024.toml carries them."""


@pytest.fixture(scope="module")
def report() -> FitReport:
    """The fit after dropping the 5 highest-loss runs as the authors did, with their 4,000
    bootstrap resamples."""
    if not DATA.is_file():
        pytest.skip(f"shared data not found at {DATA}; it sits beside the project, not in it")
    runs = read_runs(str(DATA))
    return fit(runs, drop_highest=5, bootstrap=4000, seed=0, budget=5.76e23)


def test_reads_the_columns_of_the_extraction(report: FitReport) -> None:
    runs = report.runs
    assert (runs.params_column, runs.flops_column, runs.loss_column) == (
        "Model Size",
        "Training FLOP",
        "loss",
    )
    assert (runs.count, runs.fitted) == (245, 240)


def test_reproduces_the_published_point_estimate(report: FitReport) -> None:
    assert report.method.starts == 4500
    assert report.method.converged
    values = {estimate.name: estimate.value for estimate in report.params}
    for name in ("E", "alpha", "beta"):
        assert values[name] == pytest.approx(PUBLISHED[name], rel=0.01), name
    for name in ("A", "B"):
        assert values[name] == pytest.approx(PUBLISHED[name], rel=0.05), name
    warnings = [notice.code for notice in report.notices if notice.level == "warning"]
    assert warnings == ["extrapolation"]  # the Gopher budget is beyond the runs; nothing else


def test_reproduces_the_published_standard_errors(report: FitReport) -> None:
    assert report.bootstrap is not None
    assert report.bootstrap.converged >= 0.99 * 4000
    stderr = {estimate.name: estimate.stderr for estimate in report.params}
    for name in PUBLISHED_SE:
        assert stderr[name] == pytest.approx(PUBLISHED_SE[name], rel=0.30), name
        assert stderr[name] == pytest.approx(NOTEBOOK_SE[name], rel=0.30), name


def test_chinchilla_itself_lies_inside_the_interval_at_the_gopher_budget(report: FitReport) -> None:
    """70B parameters at 5.76e23 FLOPs (Hoffmann et al. 2022, Sec. 1)."""
    assert report.plan is not None
    assert report.plan.intervals is not None
    assert report.plan.intervals.params is not None
    low, high = report.plan.intervals.params.low, report.plan.intervals.params.high
    assert low < 70e9 < high
