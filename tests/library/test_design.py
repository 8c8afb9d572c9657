"""The maths of plan design and of approach 2: ladders within budget, exact recovery of a
noiseless law's exponents, refusals, and simulations that are reproducible."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.fitting.design import design, ladder
from planner.fitting.isoflop import isoflop_fit
from planner.fitting.ladders import MIN_RUN_FLOPS, least_ladder
from planner.forms.base import Law


@settings(deadline=None)
@given(
    budget=st.floats(min_value=1e18, max_value=1e26),
    budgets=st.integers(3, 8),
    sizes=st.integers(3, 9),
    step=st.floats(min_value=1.5, max_value=10),
    spread=st.floats(min_value=1.5, max_value=8),
)
def test_the_ladder_stays_within_its_budget(
    besiroglu: Law, budget: float, budgets: int, sizes: int, step: float, spread: float
) -> None:
    if budget < least_ladder(budgets, sizes, step):
        return
    runs = ladder(besiroglu, budget, budgets, sizes, step, spread)
    assert len(runs) == budgets * sizes
    assert math.fsum(run.flops for run in runs) <= budget
    assert all(run.flops <= run.budget for run in runs)
    assert min(run.budget for run in runs) >= MIN_RUN_FLOPS * (1 - 1e-6)
    assert len({run.budget for run in runs}) == budgets


def _parabola_runs(a: float, coefficient: float, budgets: list[float]) -> tuple[list[float], ...]:
    """Runs whose losses are exact parabolas in log N with vertex coefficient * C^a."""
    params, tokens, loss = [], [], []
    for c in budgets:
        vertex = math.log(coefficient * c**a)
        for k in range(-2, 3):
            n = math.exp(vertex + 0.5 * k)
            params.append(n)
            tokens.append(c / (6 * n))
            loss.append(2.0 + 0.1 * (math.log(n) - vertex) ** 2 + 0.3 / math.log10(c))
    return params, tokens, loss


@settings(deadline=None, max_examples=30)
@given(a=st.floats(min_value=0.3, max_value=0.7), coefficient=st.floats(min_value=0.01, max_value=1.0))
def test_approach_2_recovers_the_exponents_of_a_noiseless_law(a: float, coefficient: float) -> None:
    budgets = [1e18, 1e19, 1e20, 1e21]
    result = isoflop_fit(*_parabola_runs(a, coefficient, budgets))
    assert result.params.exponent == pytest.approx(a, rel=1e-9)
    assert result.tokens.exponent == pytest.approx(1 - a, rel=1e-9)
    assert result.params.coefficient == pytest.approx(coefficient, rel=1e-7)
    assert [row.flops for row in result.budgets] == pytest.approx(budgets, rel=1e-12)


def test_approach_2_refuses_a_budget_with_two_sizes() -> None:
    params, tokens, loss = _parabola_runs(0.5, 0.1, [1e18, 1e19, 1e20])
    with pytest.raises(InputError, match=r"has 2 model sizes .* at least 3"):
        isoflop_fit(params[:2] + params[5:], tokens[:2] + tokens[5:], loss[:2] + loss[5:])


def test_approach_2_refuses_a_minimum_at_the_edge() -> None:
    params, tokens, loss = _parabola_runs(0.5, 0.1, [1e18, 1e19, 1e20])
    with pytest.raises(InputError, match=r"budget 1e\+18: .* no minimum strictly inside"):
        isoflop_fit(params[:3] + params[5:], tokens[:3] + tokens[5:], loss[:3] + loss[5:])


def test_approach_2_refuses_two_budgets() -> None:
    with pytest.raises(InputError, match="at least 3"):
        isoflop_fit(*_parabola_runs(0.5, 0.1, [1e18, 1e19]))


def test_the_simulation_is_reproducible_and_favours_a_named_design(besiroglu: Law) -> None:
    first = design(besiroglu, 1e21, target_flops=1e24, simulations=20)
    again = design(besiroglu, 1e21, target_flops=1e24, simulations=20)
    assert first == again
    names = [item.name for item in first.designs]
    assert names[0] == "proposed"
    assert first.favoured in names
    assert all(item.used_flops <= item.ladder_budget for item in first.designs + first.series)
    assert first.series[0].ladder_budget < first.series[-1].ladder_budget


def test_more_noise_widens_the_interval(besiroglu: Law) -> None:
    quiet = design(besiroglu, 1e21, target_flops=1e24, simulations=20, noise=0.004)
    loud = design(besiroglu, 1e21, target_flops=1e24, simulations=20, noise=0.016)
    assert loud.designs[0].loss_width > quiet.designs[0].loss_width


def test_a_target_run_is_priced_at_its_own_size(besiroglu: Law) -> None:
    result = design(besiroglu, 1e21, target_params=7e10, target_tokens=1.4e12, simulations=30)
    assert result.target_flops == pytest.approx(6 * 7e10 * 1.4e12)
    assert result.prior.loss == pytest.approx(besiroglu.params.loss(7e10, 1.4e12))
    assert np.isfinite(result.designs[0].loss.low)
