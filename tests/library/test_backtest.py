"""Backtests of a fit: the split at a cut, the predictions, intervals, coverage and the model error."""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError
from planner.fitting.backtest import (
    LEVELS,
    Backtest,
    HeldOut,
    backtest,
    calibrate,
    calibration,
    cuts_for,
    recipe,
)
from planner.fitting.runs import Runs, read_runs
from planner.planning.model_error import MODEL_ERROR
from tests.conftest import SHARED_DATA, synthetic_runs, write_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    path = write_runs(tmp_path_factory.mktemp("backtest") / "runs.csv", synthetic_runs(0))
    return read_runs(str(path))


@pytest.fixture(scope="module")
def tested(runs: Runs) -> list[Backtest]:
    """Two cuts of the default recipe with a small bootstrap: shared by the tests below."""
    return backtest(runs, cuts=(3e19, 3e20), bootstrap=30, seed=1)


def test_each_cut_fits_below_and_predicts_at_or_above(runs: Runs, tested: list[Backtest]) -> None:
    assert [test.cut for test in tested] == [3e19, 3e20]
    for test in tested:
        assert test.fitted + test.held_out == len(runs)
        assert test.largest_fitted_flops < test.cut
        assert all(run.flops >= test.cut for run in test.runs)
        assert all(runs.flops[run.row - 1] == run.flops for run in test.runs)
        assert test.held_out == sum(1 for flops in runs.flops if flops >= test.cut)


def test_runs_drawn_from_the_law_are_predicted_closely(tested: list[Backtest]) -> None:
    for test in tested:
        assert test.mean_abs_error < 0.02
        for run in test.runs:
            assert run.relative_error == pytest.approx(run.predicted / run.loss - 1)
            assert run.log_error == pytest.approx(math.log(run.predicted / run.loss))
            assert run.decades >= 0


def test_intervals_nest_and_coverage_counts_them(tested: list[Backtest]) -> None:
    for test in tested:
        for run in test.runs:
            for bands in (run.intervals, run.parameter_intervals):
                assert [band.level for band in bands] == list(LEVELS)
                for inner, outer in itertools.pairwise(bands):
                    assert outer.low <= inner.low <= inner.high <= outer.high
                for band in bands:
                    assert band.covered == (band.low <= run.loss <= band.high)
            # The model error only widens the bootstrap's intervals.
            assert run.intervals[-1].high - run.intervals[-1].low > (
                run.parameter_intervals[-1].high - run.parameter_intervals[-1].low
            )
        for coverage in test.coverage:
            at = LEVELS.index(coverage.level)
            assert coverage.covered == sum(run.intervals[at].covered for run in test.runs)
            assert coverage.fraction == coverage.covered / test.held_out


def test_calibration_pools_the_backtests(tested: list[Backtest]) -> None:
    pooled = calibration(tested)
    assert [row.level for row in pooled] == list(LEVELS)
    for row in pooled:
        assert row.runs == sum(test.held_out for test in tested)
        assert row.covered == sum(c.covered for test in tested for c in test.coverage if c.level == row.level)


def test_without_bootstrap_the_interval_is_the_model_error_alone(runs: Runs) -> None:
    (test,) = backtest(runs, cuts=(3e20,), bootstrap=0)
    for run in test.runs:
        assert run.parameter_intervals == ()
        band = run.intervals[-1]
        # symmetric in log loss about the prediction, 1.96 sigma each side
        assert math.log(band.high / run.predicted) == pytest.approx(1.959964 * run.sigma)
        assert math.log(run.predicted / band.low) == pytest.approx(1.959964 * run.sigma)
    assert all(c.parameter_covered is None for c in test.coverage)


def test_without_bootstrap_or_model_error_there_is_no_interval(runs: Runs) -> None:
    (test,) = backtest(runs, cuts=(3e20,), bootstrap=0, model_error=None)
    assert test.coverage == ()
    assert all(run.intervals == () for run in test.runs)


def test_holdout_largest_is_a_cut_at_the_kth_largest_run(runs: Runs) -> None:
    flops = sorted(runs.flops)
    assert cuts_for(runs, (), 5, 0) == [flops[-5]]
    (test,) = backtest(runs, holdout_largest=5, bootstrap=0)
    assert test.held_out == sum(1 for value in runs.flops if value >= flops[-5])


def test_every_recipe_at_every_cut(runs: Runs) -> None:
    tests = backtest(runs, cuts=(3e20, 3e19), recipes=("squares", "envelope", "squares"), bootstrap=0)
    assert [(test.recipe.name, test.cut) for test in tests] == [
        ("squares", 3e19),
        ("squares", 3e20),
        ("envelope", 3e19),
        ("envelope", 3e20),
    ]
    assert recipe("squares").delta is None
    assert recipe("envelope", asymmetric=3).asymmetric == 3


def test_drop_highest_leaves_runs_out_of_fit_and_score(runs: Runs) -> None:
    (test,) = backtest(runs, cuts=(3e20,), drop_highest=2, bootstrap=0)
    worst = sorted(range(len(runs)), key=lambda i: runs.loss[i])[-2:]
    assert test.dropped_rows == tuple(sorted(i + 1 for i in worst))
    assert not {run.row for run in test.runs} & set(test.dropped_rows)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "give --cut FLOPS"),
        ({"cuts": (1e10,)}, "every run is above it"),
        ({"cuts": (1e30,)}, "no run is at or above it"),
        ({"cuts": (1e18,)}, "leaves 3 runs below it to fit, fewer than the 5 parameters"),
        ({"holdout_largest": 36}, "holds out every one of the 36 runs"),
        ({"cuts": (3e20,), "recipes": ("nope",)}, "no recipe 'nope'"),
        ({"cuts": (3e20,), "bootstrap": 1}, "--bootstrap must be 0"),
        ({"cuts": (3e20,), "form": "nope"}, "no form 'nope'"),
        ({"cuts": (3e20,), "asymmetric": -1.0}, "--asymmetric must be"),
    ],
)
def test_bad_requests_are_input_errors(runs: Runs, options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        backtest(runs, **{"bootstrap": 0, **options})  # type: ignore[arg-type]


def test_too_few_runs_to_fit(tmp_path: Path) -> None:
    few = read_runs(str(write_runs(tmp_path / "few.csv", synthetic_runs(0)[:5])))
    with pytest.raises(InputError, match="has 5 runs; the chinchilla form has 5 parameters"):
        backtest(few, cuts=(1e19,), bootstrap=0)


# -- the model error term


@given(
    scatter=st.floats(0, 0.1),
    near=st.floats(0, 5),
    far=st.floats(0, 5),
)
def test_model_error_grows_with_distance_from_the_scatter(scatter: float, near: float, far: float) -> None:
    near, far = sorted((near, far))
    assert MODEL_ERROR.sigma(scatter, 0.0) == pytest.approx(scatter)
    assert MODEL_ERROR.sigma(scatter, -1.0) == pytest.approx(scatter)
    assert scatter <= MODEL_ERROR.sigma(scatter, near) <= MODEL_ERROR.sigma(scatter, far) + 1e-15
    assert MODEL_ERROR.sigma(0.0, far) == pytest.approx(MODEL_ERROR.per_decade * far)


def test_the_shipped_term_says_what_it_was_fitted_on() -> None:
    assert MODEL_ERROR.per_decade > 0
    assert MODEL_ERROR.held_out > 100
    assert all(line.startswith("plan backtest ../shared/data/") for line in MODEL_ERROR.fitted_on)
    data = {line.split()[2] for line in MODEL_ERROR.fitted_on}
    assert {Path(name).name for name in data} == {
        "chinchilla-fig4-epoch-extraction.csv",
        "gadre2024-openlm-runs.csv",
        "porian2024-isoflop-points.csv",
        "porian2024-isoflop-optima.csv",
    }


def _held(error: float, decades: float) -> HeldOut:
    return HeldOut(
        row=1,
        params=1.0,
        tokens=1.0,
        flops=1.0,
        loss=1.0,
        predicted=math.exp(error),
        relative_error=math.expm1(error),
        log_error=error,
        decades=decades,
        spread=0.0,
        sigma=0.0,
        intervals=(),
        parameter_intervals=(),
    )


@pytest.mark.parametrize("k", [0.0, 0.02, 0.1])
def test_calibrate_recovers_the_growth_of_simulated_errors(tested: list[Backtest], k: float) -> None:
    rng = random.Random(0)
    scatter = 0.01
    rows = []
    for _ in range(3000):
        decades = rng.uniform(0, 2)
        rows.append(_held(rng.gauss(0, math.hypot(scatter, k * decades)), decades))
    fake = tested[0].replace(runs=tuple(rows), scatter=scatter)
    term = calibrate([fake], ["simulated"])
    assert term.per_decade == pytest.approx(k, abs=0.004)
    assert term.held_out == 3000
    assert term.fitted_on == ("simulated",)


# -- the shared data, when it is beside the project

CHINCHILLA = SHARED_DATA / "chinchilla-fig4-epoch-extraction.csv"


def test_the_bootstrap_alone_under_covers_chinchilla_and_the_model_error_mends_it() -> None:
    if not CHINCHILLA.is_file():
        pytest.skip(f"shared data not found at {CHINCHILLA}; it sits beside the project, not in it")
    runs = read_runs(str(CHINCHILLA))
    tests = backtest(runs, cuts=(1e21, 3e21), drop_highest=5, bootstrap=200)
    top = calibration(tests)[-1]
    assert top.level == 0.95
    assert top.runs == 27
    assert top.parameter_fraction is not None
    assert top.parameter_fraction < 0.3
    assert top.fraction >= 0.9


# -- one group of a runs file that holds several (read_runs's `where`)


def _groups(tmp_path: Path) -> str:
    lines = ["set,params,tokens,loss", "a,1e8,2e9,3.1", "b,1e8,2e9,9", "a,2e8,4e9,2.9", "b,x,x,x"]
    path = tmp_path / "groups.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_where_keeps_one_group_and_its_row_numbers(tmp_path: Path) -> None:
    runs = read_runs(_groups(tmp_path), where=[("set", "a")])
    assert runs.loss == (3.1, 2.9)
    assert runs.rows == (1, 3)
    assert [runs.row(index) for index in range(len(runs))] == [1, 3]
    assert read_runs(_groups(tmp_path), where=[("set", "a"), ("params", "2e8")]).rows == (3,)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ([("nope", "a")], "has no column 'nope' to select rows by; the columns are: 'set', 'params'"),
        ([("set", "c")], "no run of .* has set = 'c'; the values found are: 'a', 'b'"),
        ([("set", "b")], "column 'params'.*'x' is not a number"),
    ],
)
def test_where_names_what_is_wrong(tmp_path: Path, where: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_runs(_groups(tmp_path), where=where)
