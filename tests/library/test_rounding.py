"""Interval ends are reported to six significant digits, rounded outward (planner.planning.rounding)."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import plan, plan_array
from planner.laws.catalog import find_law
from planner.planning import intervals
from planner.planning.draws import covariance_of, draw
from planner.planning.results import Interval
from planner.planning.rounding import DIGITS, outward, outward_arrays

LAW = find_law("besiroglu2024")
positive = st.floats(min_value=1e-300, max_value=1e299, allow_nan=False, allow_infinity=False)
ENDS = ("params", "tokens", "tokens_per_param", "loss", "parameter_loss")


def _digits(value: float) -> int:
    """Significant digits of the shortest text of `value`."""
    return len(Decimal(repr(value)).normalize().as_tuple().digits)


@given(positive, st.floats(min_value=0.0, max_value=3.0))
def test_rounding_is_outward_small_short_and_done_once(low: float, spread: float) -> None:
    high = low * math.exp(spread)
    band = outward(Interval(low, high))
    assert band.low <= low
    assert band.high >= high
    if low < high:
        assert band.low >= low * (1 - 10 ** (1 - DIGITS))
        assert band.high <= high * (1 + 10 ** (1 - DIGITS))
        for end, raw in ((band.low, low), (band.high, high)):
            # six digits, but for an end within a hair of a round number beyond it (kept as computed)
            assert _digits(end) <= DIGITS or end == raw
    assert outward(band) == band


@given(st.lists(st.tuples(positive, st.floats(min_value=0.0, max_value=3.0)), min_size=1, max_size=40))
def test_the_columns_round_as_each_interval_does_to_the_last_bit(pairs: list[tuple[float, float]]) -> None:
    low = np.array([p for p, _ in pairs])
    high = low * np.exp([s for _, s in pairs])
    low_end, high_end = outward_arrays(low, high)
    for i in range(low.size):
        band = outward(Interval(float(low[i]), float(high[i])))
        assert (band.low, band.high) == (low_end[i], high_end[i])


def test_equal_ends_no_interval_and_caps_are_kept() -> None:
    assert outward(Interval(1234567891.0, 1234567891.0)) == Interval(1234567891.0, 1234567891.0)
    assert outward(Interval(1.0, 1234567891.0), ceiling=1234567891.0).high == 1234567891.0
    low, high = outward_arrays(np.array([math.nan, 2.0]), np.array([math.nan, 2.0]))
    assert math.isnan(low[0])
    assert math.isnan(high[0])
    assert (low[1], high[1]) == (2.0, 2.0)


def test_a_plan_reports_short_ends_that_hold_its_point_estimate() -> None:
    found = plan(1e21)
    bounds = found.intervals
    assert bounds is not None
    for name in ENDS:
        band = getattr(bounds, name)
        assert _digits(band.low) <= DIGITS, name
        assert _digits(band.high) <= DIGITS, name
    optimum = found.optimum
    for name in ("params", "tokens", "tokens_per_param", "loss"):
        band = getattr(bounds, name)
        assert band.low < getattr(optimum, name) < band.high, name


@pytest.mark.parametrize("caps", [{"max_params": 3456789123.0}, {"max_tokens": 54321987654.0}])
def test_rounded_ends_never_cross_a_cap_the_user_gave(caps: dict[str, float]) -> None:
    for flops in (1e21, 3e21, 1e22):
        bounds = plan(flops, **caps).intervals
        assert bounds is not None
        if "max_params" in caps:
            assert bounds.params.high <= caps["max_params"]
        else:
            assert bounds.tokens.high <= caps["max_tokens"]
        columns = plan_array([flops], **caps, level=0.95)
        for name in ENDS[:4]:  # the arrays round the same numbers the same way
            band = getattr(bounds, name)
            assert (columns[0][f"{name}_low"], columns[0][f"{name}_high"]) == (band.low, band.high), name


def test_the_rounding_is_finer_than_the_monte_carlo_error_of_the_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Redraw the 4,000 draws with other seeds: every end of the 95% intervals at 1e21 FLOPs
    moves by more than four units of its sixth digit (the digits dropped are noise)."""
    covariance = covariance_of(LAW)
    assert covariance is not None
    ends: dict[str, list[float]] = {}
    for seed in range(1, 9):
        drawn = draw(LAW, covariance, seed=seed)
        monkeypatch.setattr(intervals, "draws_of", lambda law, drawn=drawn: drawn)
        found = intervals.budget_intervals(LAW, 1e21, 0.0, math.inf, 0.95)
        assert found is not None
        for name in ENDS:
            band = getattr(found, name)
            ends.setdefault(f"{name} low", []).append(band.low)
            ends.setdefault(f"{name} high", []).append(band.high)
    for name, values in ends.items():
        unit = 10 ** (math.floor(math.log10(statistics.mean(values))) - (DIGITS - 1))
        assert statistics.stdev(values) > 4 * unit, name
