"""Intervals on plans: what they bracket, how they nest, that every path gives the same ones,
and that draws without an answer are counted, never silently dropped."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import plan, plan_array
from planner.errors import InputError
from planner.forms.base import Law
from planner.forms.chinchilla import ChinchillaParams
from planner.hardware import hardware
from planner.laws.catalog import find_law, shipped_arrays
from planner.laws.format import Covariance
from planner.laws.index import ARRAYS, Arrays, Stored, render_arrays
from planner.planning import intervals
from planner.planning.budget import plan_each
from planner.planning.draws import SAMPLES, SEED, covariance_of, draw, draws_of, from_payload, payload
from planner.planning.interval_arrays import budget_interval_arrays
from planner.planning.inverse import for_loss, for_params, for_tokens, size_curve
from planner.planning.model_error import MODEL_ERROR
from planner.planning.results import Interval, Intervals
from planner.planning.run import evaluate

LAW = find_law("besiroglu2024")
QUANTITIES = ("params", "tokens", "tokens_per_param", "loss")


def _bands(bounds: Intervals | None) -> dict[str, Interval]:
    assert bounds is not None
    return {name: getattr(bounds, name) for name in QUANTITIES}


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=18.0, max_value=26.0), st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]))
def test_an_interval_brackets_its_plan_and_wider_levels_hold_narrower_ones(
    exponent: float, level: float
) -> None:
    flops = 10.0**exponent
    result = plan(flops, level=level)
    bands = _bands(result.intervals)
    for name, band in bands.items():
        assert 0 < band.low < getattr(result.optimum, name) < band.high, name
    wider = _bands(plan(flops, level=min(0.999, level + 0.04)).intervals)
    for name, band in bands.items():
        assert wider[name].low <= band.low, name
        assert band.high <= wider[name].high, name


def test_the_same_question_gives_the_same_intervals_and_tokens_follow_from_params() -> None:
    first, again = plan(1e22).intervals, plan(1e22).intervals
    assert first == again
    assert first is not None
    assert first.params is not None
    assert first.tokens is not None
    per_token = (
        1e22 / 6
    )  # to the reported digits (planner.planning.rounding): a unit of the sixth is at most 1e-5
    assert first.tokens.low == pytest.approx(per_token / first.params.high, rel=2e-5)
    assert first.tokens.high == pytest.approx(per_token / first.params.low, rel=2e-5)
    assert first.draws + first.failed == SAMPLES


def test_the_column_path_is_the_per_draw_path_of_the_form() -> None:
    """ChinchillaParams.draw_plans gives what optimal_params and plan_loss give on each draw,
    with and without a cap (the uncapped loss comes from the optimum's condition)."""
    draws = draws_of(LAW)
    assert draws is not None
    for low, high in ((0.0, math.inf), (3e10, math.inf), (0.0, 1e10)):
        log_sizes, losses = LAW.params.draw_plans(draws, 1e23, low, high)
        for i, params in enumerate(draws.records()[:200]):
            n = min(max(params.optimal_params(1e23), low), high)
            assert math.exp(log_sizes[i]) == pytest.approx(n, rel=1e-12)
            assert losses[i] == pytest.approx(params.plan_loss(1e23, n), rel=1e-12)
    for given_, value in (("params", 7e9), ("tokens", 2e12)):
        log_c6, found = LAW.params.draw_inverse(draws, given_, value)
        for i, params in enumerate(draws.records()[:200]):
            expected = (
                params.budget_for_params(value) if given_ == "params" else params.budget_for_tokens(value)
            )
            assert 6 * math.exp(log_c6[i]) == pytest.approx(expected, rel=1e-9)
            n = expected / 6 / value if given_ == "tokens" else value
            assert math.exp(found[i]) == pytest.approx(n, rel=1e-9)
    aims = [2.1] * draws.kept
    log_c6, found = LAW.params.draw_inverse(draws, "loss", 2.1, aims)
    for i, params in enumerate(draws.records()[:200]):
        assert 6 * math.exp(log_c6[i]) == pytest.approx(params.frontier_budget(2.1), rel=1e-9)
        assert math.exp(found[i]) == pytest.approx(
            params.optimal_params(params.frontier_budget(2.1)), rel=1e-9
        )


def test_a_block_of_budgets_has_the_intervals_of_each_plan() -> None:
    budgets = np.geomspace(1e18, 1e26, 37)
    zeros, caps = np.zeros_like(budgets), np.full_like(budgets, 5e9)
    found = budget_interval_arrays(LAW, budgets, zeros, caps, 0.9)
    assert found is not None
    columns, _ = found
    for i, flops in enumerate(budgets.tolist()):
        one = _bands(plan(flops, max_params=5e9, level=0.9).intervals)
        for name, band in one.items():
            assert columns[f"{name}_low"][i] == pytest.approx(band.low, rel=1e-12), (name, flops)
            assert columns[f"{name}_high"][i] == pytest.approx(band.high, rel=1e-12), (name, flops)


def test_plan_array_carries_interval_columns_only_when_asked() -> None:
    budgets = [1e20, 1e22, 1e24]
    assert plan_array(budgets).params_low is None
    columns = plan_array(budgets, level=0.8)
    assert columns.level == 0.8
    assert columns.interval_method is not None
    assert "bootstrap covariance" in columns.interval_method
    for i, flops in enumerate(budgets):
        bounds = plan(flops, level=0.8).intervals
        assert bounds is not None
        assert bounds.loss is not None
        assert columns[i]["loss_high"] == pytest.approx(bounds.loss.high, rel=1e-12)
    with pytest.raises(InputError, match="level must be a number between 0 and 1"):
        plan_array(budgets, level=1.0)


def test_limited_data_intervals_search_every_draw_as_the_plan_does() -> None:
    result = plan(1e23, unique_tokens=1e11, level=0.9)
    bands = _bands(result.intervals)
    assert bands["params"].low < result.optimum.params < bands["params"].high
    supply = LAW.limited(1e11, LAW.decay_constants() or (15.387756, 5.309743))
    draws = draws_of(LAW)
    assert draws is not None
    _log_sizes, losses = supply.draw_plans(draws, 1e23, 0.0, math.inf)
    for i, params in enumerate(draws.records()[:25]):  # each draw's own scalar search
        alone = supply.with_params(params)
        n = alone.optimal_params(1e23)
        assert losses[i] == pytest.approx(alone.plan_loss(1e23, n), rel=1e-9)


def test_a_binding_cap_holds_in_every_draw_exactly() -> None:
    bounds = plan(1e23, max_params=1e9).intervals
    assert bounds is not None
    assert bounds.params == Interval(1e9, 1e9)
    assert bounds.tokens == Interval(1e23 / 6e9, 1e23 / 6e9)


def test_the_model_error_is_the_scatter_inside_the_runs_and_grows_beyond_them() -> None:
    covariance = covariance_of(LAW)
    assert covariance is not None
    assert covariance.scatter is not None
    assert intervals.model_sigma(LAW, 1e21) == covariance.scatter
    far = intervals.model_sigma(LAW, 1.3e22 * 1e3)
    assert far == pytest.approx(math.hypot(covariance.scatter, 3 * MODEL_ERROR.per_decade))
    result = plan(1e25)
    bounds = result.intervals
    assert bounds is not None
    assert bounds.loss is not None
    assert bounds.parameter_loss is not None
    assert bounds.loss.high - bounds.loss.low > 2 * (bounds.parameter_loss.high - bounds.parameter_loss.low)
    (notice,) = [n for n in result.notices if n.code == "extrapolation"]
    assert f"widens the 95% loss interval from {bounds.parameter_loss.low:.4f}" in notice.message


def test_every_question_has_its_intervals() -> None:
    run = evaluate(7e9, 2e12)
    assert run.intervals is not None
    assert run.intervals.run_loss is not None
    assert run.run is not None
    assert run.intervals.run_loss.low < run.run.loss < run.intervals.run_loss.high
    setup = hardware("h100", gpus=256, price_per_gpu_hour=2.0)
    target = for_loss(2.1, hardware=setup)
    assert target.intervals is not None
    bounds = target.intervals
    assert bounds.flops is not None
    assert bounds.days is not None
    assert bounds.cost is not None
    assert bounds.flops.low < target.flops < bounds.flops.high
    assert target.hardware is not None
    assert target.hardware.days is not None
    assert bounds.days.low < target.hardware.days < bounds.days.high
    sized = for_params(7e9)
    assert sized.intervals is not None
    assert sized.intervals.params is None
    assert sized.intervals.flops is not None
    assert sized.intervals.flops.low < sized.flops < sized.intervals.flops.high
    tokens = for_tokens(2e12)
    assert tokens.intervals is not None
    assert tokens.intervals.tokens is None
    curve = size_curve(1e22, 0.5, 2)
    assert curve.intervals is not None
    for point in curve.points:
        assert point.loss_interval is not None
        assert point.loss_interval.low < point.loss < point.loss_interval.high
    timed = plan(1e22, hardware=setup).intervals
    assert timed is not None
    assert timed.days is None


def test_no_intervals_when_not_asked_or_the_law_has_no_covariance() -> None:
    assert plan(1e21, level=None).intervals is None
    assert plan(1e21, "hoffmann2022").intervals is None
    assert evaluate(7e9, 2e12, level=None).intervals is None
    assert for_loss(2.1, level=None).intervals is None
    assert plan_each([1e21], LAW)[0].intervals is None
    block, alone = plan_each([1e21], LAW, level=0.95)[0].intervals, plan(1e21).intervals
    assert block is not None
    assert alone is not None
    assert block.params is not None
    assert alone.params is not None
    assert block.params.high == pytest.approx(alone.params.high, rel=1e-12)  # numpy's sums, to rounding


@pytest.mark.parametrize("bad", [0, 1, 1.0, -0.5, 95, math.nan, math.inf, "0.9", True])
def test_a_level_outside_zero_to_one_is_refused(bad: object) -> None:
    with pytest.raises(InputError, match="level must be"):
        plan(1e21, level=bad)  # type: ignore[arg-type]


def _wide(law: Law, variance: float) -> Law:
    """`law` with a covariance so wide on alpha and beta that some draws put them at or below zero."""
    covariance = Covariance(
        method="bootstrap", names=("alpha", "beta"), matrix=((variance, 0.0), (0.0, variance))
    )
    return law.replace(covariance=covariance, uncertainty=None)


def test_draws_no_form_can_hold_are_counted_and_reported() -> None:
    law = _wide(LAW, 0.15**2)  # alpha 0.348 +- 0.15, beta 0.366 +- 0.15: about 2% of draws at or below zero
    result = plan(1e21, law)
    bounds = result.intervals
    assert bounds is not None
    assert 0 < bounds.failed < SAMPLES / 2
    assert bounds.draws + bounds.failed == SAMPLES
    (notice,) = [n for n in result.notices if n.code == "draws_failed"]
    assert f"{bounds.failed} of {SAMPLES} draws" in notice.message
    hopeless = plan(1e21, _wide(LAW, 4.0))  # two thirds of the draws give no plan: no interval, a notice
    assert hopeless.intervals is None
    assert any(n.code == "no_intervals" for n in hopeless.notices)


def test_a_target_some_draws_cannot_reach_counts_them() -> None:
    """Close to E, the model error puts the target below some draws' irreducible loss."""
    result = for_loss(1.9)
    bounds = result.intervals
    assert bounds is not None
    assert bounds.failed > 0
    assert bounds.draws + bounds.failed == SAMPLES


def test_the_index_keeps_the_draws_the_covariance_gives(tmp_path: Path) -> None:
    covariance = covariance_of(LAW)
    assert covariance is not None
    fresh = draw(LAW, covariance)
    kept = draws_of(LAW)
    assert kept is not None
    assert kept.columns == fresh.columns
    assert kept.noise == fresh.noise
    shipped = shipped_arrays(LAW)
    assert shipped is not None
    read = from_payload(LAW, covariance, shipped)
    assert read is not None
    optimum = ChinchillaParams.draw_optimum_terms
    assert read.derived("chinchilla-optimum", optimum) == fresh.derived("chinchilla-optimum", optimum)
    assert "chinchilla" not in read.cache  # kept by the index, not worked out from the columns
    meta, arrays = payload(fresh)
    data = b"the law file's bytes"
    (tmp_path / ARRAYS).write_bytes(render_arrays({"language/law.toml": (data, meta, arrays)}))
    stored = Arrays(str(tmp_path))
    found = stored.get("language/law.toml", data)
    assert found is not None
    assert stored.get("language/law.toml", data + b" ") is None  # other bytes: not used
    again = from_payload(LAW, covariance, found)
    assert again is not None
    assert again.columns == fresh.columns
    assert again.noise == fresh.noise
    stale = Stored(meta | {"seed": SEED + 1}, {}, b"")
    assert from_payload(LAW, covariance, stale) is None  # drawn otherwise: drawn again


def test_intervals_never_hold_a_bound_beyond_floating_point() -> None:
    for flops in (6.0, 1e10, 1e40, 1e100, 1e300):
        try:
            result = plan(flops)
        except Exception:
            continue
        if result.intervals is not None:
            for name in QUANTITIES:
                band = getattr(result.intervals, name)
                assert math.isfinite(band.low)
                assert math.isfinite(band.high)
                assert 0 < band.low <= band.high


def test_a_law_of_another_form_draws_through_its_own_methods() -> None:
    law = find_law("kaplan2020-nd")
    names = tuple(f"log_{name}" for name in ("N_c", "D_c") if getattr(law.params, name, None) is not None)
    matrix = tuple(tuple(1e-3 if i == j else 0.0 for j in range(len(names))) for i in range(len(names)))
    wide = law.replace(
        covariance=Covariance(method="bootstrap", names=names, matrix=matrix), uncertainty=None
    )
    result = plan(1e21, wide)
    bands = _bands(result.intervals)
    for name, band in bands.items():
        assert band.low < getattr(result.optimum, name) < band.high, name
    assert not isinstance(wide.params, ChinchillaParams)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6) | st.sampled_from([0.0, 1.0, 2.5]), min_size=2, max_size=3000),
    st.floats(0.01, 0.999),
)
def test_the_tails_give_numpys_percentiles(values: list[float], level: float) -> None:
    """quantiles sorts only each tail when it can: always numpy's default percentiles."""
    band = intervals.quantiles(values, level)
    low, high = np.percentile(values, [50 * (1 - level), 50 * (1 + level)])
    assert band.low == pytest.approx(low, rel=1e-12, abs=1e-9)
    assert band.high == pytest.approx(high, rel=1e-12, abs=1e-9)
    ranks = list(range(0, len(values), max(1, len(values) // 7)))
    ordered = sorted(values)
    assert intervals._order_statistics(values, ranks) == {r: ordered[r] for r in ranks}


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=15.5, max_value=30.5),
    st.sampled_from([0.95, 0.951, 0.97, 0.99, 0.999, 0.9, 0.5]),
)
def test_the_kept_tails_give_the_order_statistics_of_every_draw(exponent: float, level: float) -> None:
    """A plan's intervals from the cells of candidates the law index keeps
    (planner.planning.tails) are those of planning every draw, to the last digit; a level
    narrower than the cells', or a budget beyond them, plans every draw."""
    flops = 10.0**exponent
    draws = draws_of(LAW)
    assert draws is not None
    sigma = intervals.model_sigma(LAW, flops)
    tails = intervals.frontier_tails(draws, math.log(flops / 6), level, sigma)
    if level < 0.95 or flops < 1e16:
        assert tails is None
    elif flops <= 1e30:  # the cells cover 1e16 to 1e30 FLOPs (the last one a little beyond)
        assert tails is not None
    if tails is None:
        return
    count = draws.kept
    full = intervals._planned(LAW, draws, flops, 0.0, math.inf, level, None, sigma)
    assert full is not None
    answered, size, loss, parameter_loss = full
    assert answered == count
    assert intervals.tail_quantiles(tails[0], tails[3], count, level) == size
    assert intervals.tail_quantiles(tails[1], tails[4], count, level) == parameter_loss
    logs = intervals.tail_quantiles(tails[2], tails[5], count, level)
    assert Interval(math.exp(logs.low), math.exp(logs.high)) == loss
    assert sum(map(len, tails)) < count  # a fraction of the draws


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=15.5, max_value=30.5), st.sampled_from([0.95, 0.951, 0.99, 0.9]))
def test_the_band_cells_give_the_intervals_of_the_tails(exponent: float, level: float) -> None:
    """A plan at the default level takes its intervals from the band cells (a few draws
    at each end's two ranks): the very intervals of the tail cells; any other level, or a
    budget beyond the cells, has none."""
    flops = 10.0**exponent
    draws = draws_of(LAW)
    assert draws is not None
    x, sigma = math.log(flops / 6), intervals.model_sigma(LAW, flops)
    bands = intervals.frontier_bands(draws, x, level, sigma)
    if level != 0.95 or flops < 1e16:
        assert bands is None
    elif flops <= 1e30:  # the cells cover 1e16 to 1e30 FLOPs (the last one a little beyond)
        assert bands is not None
    if bands is None:
        return
    tails = intervals.frontier_tails(draws, x, level, sigma)
    assert tails is not None
    count = draws.kept
    assert bands == tuple(intervals.tail_quantiles(tails[i], tails[i + 3], count, level) for i in range(3))


def test_a_plan_reads_only_its_cell_and_the_draws_it_needs() -> None:
    """The default plan takes its intervals from the kept tails, without decoding the draws."""
    result = plan(1e21)
    assert result.intervals is not None
    fresh = from_payload(LAW, covariance_of(LAW), shipped_arrays(LAW))  # type: ignore[arg-type]
    assert fresh is not None
    law = fresh.law
    draws_sigma = intervals.model_sigma(law, 1e21)
    assert intervals.frontier_tails(fresh, math.log(1e21 / 6), 0.95, draws_sigma) is not None
    assert not fresh.cache.get("chinchilla-optimum")  # read as views, not decoded
    assert isinstance(fresh._noise, type(lambda: None))  # the noise too


def test_arrays_of_budgets_take_their_tails_from_the_kept_cells() -> None:
    """Budgets without caps in the cells the index keeps: the intervals of each plan (to
    the rounding of numpy's exp and log), and every draw planned where a cap is given."""
    budgets = np.geomspace(2e16, 9e29, 301)
    zeros, caps = np.zeros_like(budgets), np.full_like(budgets, math.inf)
    found = budget_interval_arrays(LAW, budgets, zeros, caps, 0.95, parameter_loss=True)
    assert found is not None
    columns, _ = found
    assert (columns["failed"] == 0).all()
    for i, flops in enumerate(budgets.tolist()):
        one = plan(flops).intervals
        assert one is not None
        for name in (*QUANTITIES, "parameter_loss"):
            band = getattr(one, name)
            assert columns[f"{name}_low"][i] == pytest.approx(band.low, rel=4e-15), (name, flops)
            assert columns[f"{name}_high"][i] == pytest.approx(band.high, rel=4e-15), (name, flops)


def test_arrays_rewritten_while_in_use_are_refused(tmp_path: Path) -> None:
    """The index reads each array when asked: a file rewritten since its header was read
    is refused, never read at the old places."""
    covariance = covariance_of(LAW)
    assert covariance is not None
    meta, arrays = payload(draw(LAW, covariance))
    data = b"the law file's bytes"
    target = tmp_path / ARRAYS
    target.write_bytes(render_arrays({"language/law.toml": (data, meta, arrays)}))
    stored = Arrays(str(tmp_path)).get("language/law.toml", data)
    assert stored is not None
    assert stored.array("noise") == arrays["noise"]
    target.write_bytes(render_arrays({"language/law.toml": (data, meta, {"noise": [1.0, 2.0]})}))
    with pytest.raises(ValueError, match="changed while in use"):
        stored.array("noise")
