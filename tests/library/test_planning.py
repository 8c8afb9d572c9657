"""The library API: plan() and compare(), limits, notices and input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import InfeasibleError, InputError, Law, Plan, compare, find_law, plan

budgets = st.floats(min_value=1e17, max_value=1e26)


def test_one_budget_gives_a_plan_and_many_give_a_list() -> None:
    single = plan(1e21)
    assert isinstance(single, Plan)
    assert single.law.id == "besiroglu2024"
    many = plan([1e20, 1e21, 1e22])
    assert [item.flops for item in many] == [1e20, 1e21, 1e22]
    assert many[1] == single
    assert [item.flops for item in plan(np.array([1e20, 1e21]))] == [1e20, 1e21]


@pytest.mark.parametrize("bad", [0, -1e21, math.nan, math.inf, -math.inf])
def test_bad_budgets_are_refused(bad: float) -> None:
    with pytest.raises(InputError, match="flops must be a finite number above zero"):
        plan(bad)
    with pytest.raises(InputError, match="flops must be a finite number above zero"):
        plan([1e21, bad])


def test_a_budget_too_small_for_one_parameter_is_refused() -> None:
    with pytest.raises(InfeasibleError, match="too small to plan"):
        plan(1e-30)


@given(flops=budgets, cap=st.floats(0.01, 0.99))
def test_a_binding_params_cap_is_met_and_costs_loss(besiroglu: Law, flops: float, cap: float) -> None:
    free = plan(flops, besiroglu).optimum
    capped = plan(flops, besiroglu, max_params=free.params * cap)
    assert capped.optimum.params == pytest.approx(free.params * cap)
    assert 6 * capped.optimum.params * capped.optimum.tokens == pytest.approx(flops)
    assert capped.constraints is not None
    assert capped.constraints.binding == "max_params"
    assert capped.constraints.unconstrained == free
    assert capped.constraints.loss_increase == pytest.approx(capped.optimum.loss - free.loss)
    assert capped.constraints.loss_increase > 0
    assert "constraint_binds" in {notice.code for notice in capped.notices}


@given(flops=budgets, cap=st.floats(0.01, 0.99))
def test_a_binding_tokens_cap_moves_the_budget_into_params(besiroglu: Law, flops: float, cap: float) -> None:
    free = plan(flops, besiroglu).optimum
    capped = plan(flops, besiroglu, max_tokens=free.tokens * cap)
    assert capped.optimum.tokens == pytest.approx(free.tokens * cap)
    assert capped.optimum.params > free.params
    assert capped.constraints is not None
    assert capped.constraints.binding == "max_tokens"
    assert capped.optimum.loss > free.loss


@given(flops=budgets, shift=st.floats(0.001, 2.0), cap=st.floats(0.05, 0.95))
def test_no_feasible_split_beats_the_capped_plan(
    besiroglu: Law, flops: float, shift: float, cap: float
) -> None:
    free = plan(flops, besiroglu).optimum
    limit = free.params * cap
    capped = plan(flops, besiroglu, max_params=limit).optimum
    smaller = capped.params * math.exp(-shift)
    assert besiroglu.params.budget_loss(flops, smaller) >= capped.loss  # type: ignore[operator]


def test_a_slack_limit_does_not_bind() -> None:
    result = plan(1e21, max_params=1e12, max_tokens=1e15)
    assert result.constraints is not None
    assert result.constraints.binding is None
    assert result.constraints.loss_increase is None
    assert result.optimum == plan(1e21).optimum


def test_limits_that_cannot_hold_the_budget_are_refused() -> None:
    with pytest.raises(InfeasibleError, match="at most 6e\\+17 FLOPs"):
        plan(1e21, max_params=1e8, max_tokens=1e9)


def test_frontier_law_refuses_to_price_a_cap() -> None:
    with pytest.raises(InfeasibleError, match="frontier only"):
        plan(1e21, "kaplan2020", max_params=1e9)
    assert plan(1e21, "kaplan2020", max_params=1e12).constraints is not None


@pytest.mark.parametrize("name", ["max_params", "max_tokens"])
@pytest.mark.parametrize("bad", [0, -5, math.nan, math.inf])
def test_bad_limits_are_refused(name: str, bad: float) -> None:
    with pytest.raises(InputError, match=f"{name} must be a finite number above zero"):
        plan(1e21, **{name: bad})


def test_extrapolation_is_flagged_with_how_far() -> None:
    inside = plan(1e20)
    assert not [n for n in inside.notices if n.code == "extrapolation"]
    beyond = plan(1.3e23)
    (notice,) = [n for n in beyond.notices if n.code == "extrapolation"]
    assert "flops 1.3e+23 is 10x above the largest (1.3e+22)" in notice.message
    below = plan(1.4e17)
    assert (
        "10x below the smallest (1.4e+18)"
        in next(n for n in below.notices if n.code == "extrapolation").message
    )


def test_kaplan_frontier_says_which_token_convention_it_uses() -> None:
    result = plan(8.64e19, "kaplan2020")
    (notice,) = [n for n in result.notices if n.code == "token_convention"]
    assert "2e+10" in notice.message  # Table 6's D_opt at 1 PF-day
    assert result.optimum.tokens == pytest.approx(8.64e19 / (6 * 1.3e9))
    assert result.units.params == "non_embedding"


def test_compare_covers_every_language_law_and_its_spread() -> None:
    result = compare(1e21)
    ids = [item.law.id for item in result.plans]
    assert ids == [
        "besiroglu2024",
        "henighan2020-language",
        "hoffmann2022",
        "hoffmann2022-exact",
        "kaplan2020",
        "kaplan2020-nd",
        "muennighoff2023",
    ]
    left_out = {notice.message.split()[0] for notice in result.notices}
    assert {"deepseek2024", "dubey2024-llama3", "hoffmann2022-approach1", "porian2024"} <= left_out
    params = [item.optimum.params for item in result.plans]
    assert result.spread.params == pytest.approx(max(params) / min(params))
    assert result.spread.params > 4


def test_plans_carry_units_citation_and_caveats() -> None:
    result = plan(1e21, "hoffmann2022")
    assert result.law.citation == "Hoffmann et al. 2022, arXiv:2203.15556"
    assert "Eq. (10)" in result.law.locator
    assert result.units.params == "total"
    assert result.units.loss == "nats/token"
    assert result.caveats == find_law("hoffmann2022").caveats
