"""The one-dimensional minimiser: golden-section search inside brackets found by a scan."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.optimize import golden_section, minimize


@given(centre=st.floats(-9.0, 9.0), curvature=st.floats(1e-3, 1e3))
def test_a_parabola_is_minimised_to_the_tolerance(centre: float, curvature: float) -> None:
    x, fx = minimize(lambda x: curvature * (x - centre) ** 2 + 1.0, -10.0, 10.0)
    assert x == pytest.approx(centre, abs=1e-6)
    assert fx == pytest.approx(1.0, rel=1e-12)


@given(centre=st.floats(-0.9, 0.9))
def test_golden_section_alone_finds_a_unimodal_minimum(centre: float) -> None:
    x, _ = golden_section(lambda x: abs(x - centre), -1.0, 1.0, 1e-12)
    assert x == pytest.approx(centre, abs=1e-11)


def test_the_scan_guards_against_a_second_dip() -> None:
    # Two dips; the deeper one is narrow and far from the middle of the interval.
    def f(x: float) -> float:
        return min((x + 3.0) ** 2, 50.0 * (x - 7.0) ** 2 - 0.5)

    # Golden-section search on the whole interval settles in the wider, shallower dip...
    assert golden_section(f, -10.0, 10.0, 1e-10)[0] == pytest.approx(-3.0, abs=1e-6)
    # ...the scan brackets both and keeps the deeper one.
    x, fx = minimize(f, -10.0, 10.0)
    assert x == pytest.approx(7.0, abs=1e-6)
    assert fx == pytest.approx(-0.5)


def test_a_minimum_at_the_end_of_the_interval_is_found() -> None:
    assert minimize(math.exp, 0.0, 5.0)[0] == pytest.approx(0.0, abs=1e-8)
    assert minimize(lambda x: -x, 0.0, 5.0)[0] == pytest.approx(5.0, abs=1e-8)


def test_an_empty_interval_is_a_bug() -> None:
    with pytest.raises(ValueError, match="need low < high"):
        minimize(math.exp, 1.0, 1.0)
