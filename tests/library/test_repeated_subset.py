"""A subset seen many times (Hernandez et al. 2022): its share of the run, and the warning."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import InputError, plan


def test_the_headline_setting_is_warned_about_with_the_evidence() -> None:
    """0.1% of the data repeated 100 times: 10% of the training tokens (abstract)."""
    result = plan(1e22, repeated_fraction=0.001, repeats=100)
    subset = result.repeated_subset
    assert subset is not None
    assert subset.token_share == pytest.approx(0.10)
    assert subset.subset_tokens == pytest.approx(0.001 * result.optimum.tokens)
    assert subset.repeated_tokens == pytest.approx(0.10 * result.optimum.tokens)
    (warning,) = [n for n in result.notices if n.code == "repeated_subset"]
    assert warning.level == "warning"
    assert "10% of the run" in warning.message
    assert "degraded to that of a 2x smaller model (400M params)" in warning.message
    assert "arXiv:2205.10487" in warning.message
    assert "no formula" in warning.message


def test_a_repeated_subset_is_reported_not_priced() -> None:
    free = plan(1e22)
    assert plan(1e22, repeated_fraction=0.001, repeats=100).optimum == free.optimum
    assert free.repeated_subset is None


@pytest.mark.parametrize(("fraction", "repeats"), [(0.0004, 100), (0.2, 2), (0.05, 4)])
def test_settings_short_of_the_headline_get_a_note(fraction: float, repeats: float) -> None:
    (notice,) = [
        n
        for n in plan(1e21, repeated_fraction=fraction, repeats=repeats).notices
        if n.code == "repeated_subset"
    ]
    assert notice.level == "note"
    assert "short of the setting Hernandez et al. 2022" in notice.message
    assert "may still hurt" in notice.message


@given(fraction=st.floats(1e-7, 0.999), repeats=st.floats(1.0, 1e6))
def test_the_warning_covers_at_least_the_headline_share_repeated_many_times(
    fraction: float, repeats: float
) -> None:
    if fraction * repeats > 1:
        with pytest.raises(InputError, match="of the run"):
            plan(1e21, repeated_fraction=fraction, repeats=repeats)
        return
    result = plan(1e21, repeated_fraction=fraction, repeats=repeats)
    assert result.repeated_subset is not None
    assert 0 < result.repeated_subset.token_share <= 1
    (notice,) = [n for n in result.notices if n.code == "repeated_subset"]
    damaging = fraction * repeats >= 0.1 * (1 - 1e-9) and repeats > 4
    assert (notice.level == "warning") == damaging


@pytest.mark.parametrize(
    ("fraction", "repeats", "message"),
    [
        (0.0, 100, "repeated_fraction must be above 0 and below 1"),
        (1.0, 100, "repeated_fraction must be above 0 and below 1"),
        (-0.1, 100, "repeated_fraction must be above 0 and below 1"),
        (math.nan, 100, "repeated_fraction must be above 0 and below 1"),
        (0.001, 0.5, "repeats must be a finite number of at least 1"),
        (0.001, math.inf, "repeats must be a finite number of at least 1"),
        (0.001, math.nan, "repeats must be a finite number of at least 1"),
        (0.001, None, "repeated_fraction needs repeats"),
        (None, 100, "repeats needs repeated_fraction"),
        (0.5, 3, "would be 150% of the run"),
    ],
)
def test_bad_subsets_are_refused(fraction: float | None, repeats: float | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        plan(1e21, repeated_fraction=fraction, repeats=repeats)


def test_a_subset_and_a_unique_token_supply_combine() -> None:
    result = plan(1e22, "muennighoff2023", unique_tokens=25e9, repeated_fraction=0.001, repeats=100)
    assert result.data is not None
    assert result.repeated_subset is not None
    assert result.repeated_subset.repeated_tokens == pytest.approx(0.1 * result.optimum.tokens)
    assert {"many_epochs", "repeated_subset"} <= {n.code for n in result.notices}
