"""The one-dimensional minimiser: golden-section search inside brackets found by a scan."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.optimize import golden_section, log_root, minimize, minimize_log


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


@given(centre=st.floats(1e3, 1e15), width=st.floats(1.0, 8.0))
def test_finds_the_minimum_of_a_bowl_in_log_n(centre: float, width: float) -> None:
    low, high = centre * math.exp(-width), centre * math.exp(width * 0.7)
    found = minimize_log(lambda n: math.log(n / centre) ** 2, low, high)
    assert found == pytest.approx(centre, rel=1e-4)


@given(low=st.floats(1.0, 1e10), span=st.floats(1.5, 1e6))
def test_a_monotone_function_gives_the_end_exactly(low: float, span: float) -> None:
    high = low * span
    assert minimize_log(lambda n: 1.0 / n, low, high) == high
    assert minimize_log(lambda n: n, low, high) == low


def test_the_lower_of_two_dips_wins() -> None:
    """A shallow dip at 1e3 and a deeper one at 1e9: a pure golden search could stop at either."""

    def two_dips(n: float) -> float:
        u = math.log10(n)
        return min((u - 3) ** 2 + 1.0, (u - 9) ** 2)

    assert minimize_log(two_dips, 1e1, 1e11) == pytest.approx(1e9, rel=1e-4)


def test_a_point_interval_and_a_bad_one() -> None:
    assert minimize_log(lambda n: n, 5.0, 5.0) == 5.0
    with pytest.raises(ValueError, match="need 0 < low <= high"):
        minimize_log(lambda n: n, 5.0, 1.0)


@settings(max_examples=100)
@given(st.floats(math.log(1e3), math.log(1e15)), st.floats(0.1, 3.0))
def test_log_root_inverts_an_increasing_function_and_keeps_its_upper_side(log_x: float, power: float) -> None:

    def f(x: float) -> float:
        return x + 1e3 * x**power

    x = math.exp(log_x)
    found = log_root(f, f(x), f(x), math.log(f(x)) + 10.0, 1e-13)  # the bracket [e^-10, f(x)] holds x
    assert found == pytest.approx(x, rel=1e-12)
    assert f(found) >= f(x)


well = st.tuples(
    st.floats(-9.0, 9.0),  # first dip
    st.floats(-9.0, 9.0),  # second dip
    st.floats(0.0, 2.0),  # how much deeper the second is
    st.sampled_from([math.inf, 0.5, 3.0]),  # a plateau the wells are cut at (ties: one flat bottom)
)


def _two_wells(a: float, b: float, depth: float, cut: float) -> object:
    """Only +, -, * and min, which numpy and Python round alike: the rows and the scalar see
    the same numbers."""
    return lambda x: min((x - a) * (x - a), (x - b) * (x - b) - depth, cut)


@settings(max_examples=60)
@given(st.lists(well, min_size=1, max_size=12))
def test_the_rows_minimiser_finds_what_the_scalar_finds_row_by_row(rows: list[tuple[float, ...]]) -> None:
    """minimize_rows (the arrays' search of the limited-data form) beside minimize: the same
    x where the scan is unambiguous, and never a worse value where dips tie."""
    import numpy as np

    from planner.forms.limited_data import minimize_rows

    a, b, depth, cut = (np.array(column) for column in zip(*rows, strict=True))

    def f(x: np.ndarray, which: np.ndarray) -> np.ndarray:
        shape = (-1,) + (1,) * (x.ndim - 1)
        p, q, d, c = (v[which].reshape(shape) for v in (a, b, depth, cut))
        return np.minimum(np.minimum((x - p) * (x - p), (x - q) * (x - q) - d), c)

    low, high = np.full(len(rows), -10.0), np.full(len(rows), 10.0)
    found = minimize_rows(f, low, high)
    for i, row in enumerate(rows):
        g = _two_wells(*row)
        x, fx = minimize(g, -10.0, 10.0)  # type: ignore[arg-type]
        assert g(float(found[i])) <= fx  # type: ignore[operator]
        if row[3] == math.inf:
            assert found[i] == x
