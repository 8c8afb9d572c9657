"""The bracketed minimiser behind data-limited fine-tunes: right answer, ends, several dips."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.search import minimise_log


@given(centre=st.floats(1e3, 1e15), width=st.floats(1.0, 8.0))
def test_finds_the_minimum_of_a_bowl_in_log_n(centre: float, width: float) -> None:
    low, high = centre * math.exp(-width), centre * math.exp(width * 0.7)
    found = minimise_log(lambda n: math.log(n / centre) ** 2, low, high)
    assert found == pytest.approx(centre, rel=1e-4)


@given(low=st.floats(1.0, 1e10), span=st.floats(1.5, 1e6))
def test_a_monotone_function_gives_the_end_exactly(low: float, span: float) -> None:
    high = low * span
    assert minimise_log(lambda n: 1.0 / n, low, high) == high
    assert minimise_log(lambda n: n, low, high) == low


def test_the_lower_of_two_dips_wins() -> None:
    """A shallow dip at 1e3 and a deeper one at 1e9: a pure golden search could stop at either."""

    def two_dips(n: float) -> float:
        u = math.log10(n)
        return min((u - 3) ** 2 + 1.0, (u - 9) ** 2)

    assert minimise_log(two_dips, 1e1, 1e11) == pytest.approx(1e9, rel=1e-4)


def test_a_point_interval_and_a_bad_one() -> None:
    assert minimise_log(lambda n: n, 5.0, 5.0) == 5.0
    with pytest.raises(ValueError, match="need 0 < low <= high"):
        minimise_log(lambda n: n, 5.0, 1.0)
