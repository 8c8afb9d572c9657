"""Properties of the maths of each law form (hypothesis), and agreement with brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.forms.base import Law
from planner.forms.chinchilla import ChinchillaLaw, ChinchillaParams
from planner.forms.data_constrained import DataConstrainedLaw
from planner.forms.frontier import FrontierParams
from planner.forms.kaplan_nd import KaplanNDLaw, KaplanNDParams
from planner.laws.catalog import planning_laws
from planner.planning.budget import plan, why_unplannable
from planner.records import type_hints
from planner.units import FLOPS_PER_PARAM_TOKEN

budgets = st.floats(min_value=1e15, max_value=1e28)
# Transfer laws price data, not budgets (tests/test_transfer.py); model-size laws cannot split one.
LAWS = [law for law in planning_laws() if why_unplannable(law) is None]
OFF_FRONTIER = [law for law in LAWS if isinstance(law, (ChinchillaLaw, DataConstrainedLaw, KaplanNDLaw))]

chinchilla_params = st.builds(
    ChinchillaParams,
    alpha=st.floats(0.05, 1.0),
    beta=st.floats(0.05, 1.0),
    E=st.floats(0.1, 5.0),
    A=st.floats(1.0, 1e4),
    B=st.floats(1.0, 1e4),
)
kaplan_params = st.builds(
    KaplanNDParams,
    alpha_N=st.floats(0.02, 0.5),
    alpha_D=st.floats(0.02, 0.5),
    N_c=st.floats(1e10, 1e16),
    D_c=st.floats(1e10, 1e16),
)


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.id)
@given(flops=budgets)
def test_budget_is_spent_exactly(law: Law, flops: float) -> None:
    result = plan(flops, law).optimum
    assert FLOPS_PER_PARAM_TOKEN * result.params * result.tokens == pytest.approx(flops, rel=1e-12)
    assert result.tokens_per_param == pytest.approx(result.tokens / result.params, rel=1e-12)


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.id)
@given(small=budgets, factor=st.floats(1.01, 1e4))
def test_more_budget_buys_more_params_tokens_and_lower_loss(law: Law, small: float, factor: float) -> None:
    low, high = plan(small, law).optimum, plan(small * factor, law).optimum
    assert high.params > low.params
    assert high.tokens > low.tokens
    if law.why_no_loss() is None:
        assert high.loss is not None
        assert low.loss is not None
        assert high.loss < low.loss
    else:
        assert high.loss is low.loss is None


@given(params=st.one_of(chinchilla_params, kaplan_params), flops=budgets, shift=st.floats(0.01, 3.0))
def test_no_other_split_of_the_budget_is_better(
    params: ChinchillaParams | KaplanNDParams, flops: float, shift: float
) -> None:
    best = params.optimal_params(flops)
    loss = params.budget_loss(flops, best)
    for k in (math.exp(shift), math.exp(-shift)):
        assert params.budget_loss(flops, best * k) >= loss * (1 - 1e-12)


@pytest.mark.parametrize("law", OFF_FRONTIER, ids=lambda law: law.id)
@given(flops=budgets, shift=st.floats(0.001, 3.0))
def test_shipped_laws_have_no_better_split(law: Law, flops: float, shift: float) -> None:
    best = plan(flops, law).optimum
    for k in (math.exp(shift), math.exp(-shift)):
        assert law.params.budget_loss(flops, best.params * k) >= best.loss * (1 - 1e-12)  # type: ignore[operator]


@settings(max_examples=30)
@given(params=kaplan_params, flops=st.floats(1e17, 1e26))
def test_kaplan_optimum_agrees_with_a_dense_grid_search(params: KaplanNDParams, flops: float) -> None:
    # 200,001 sizes spanning 12 decades around the closed form: a step of 1.4e-4 in log N.
    best = params.optimal_params(flops)
    grid = best * np.exp(np.linspace(-14.0, 14.0, 200_001))
    p = params.alpha_N / params.alpha_D
    tokens = flops / (FLOPS_PER_PARAM_TOKEN * grid)
    with np.errstate(over="ignore"):
        losses = ((params.N_c / grid) ** p + params.D_c / tokens) ** params.alpha_D
    winner = grid[int(np.nanargmin(losses))]
    assert winner == pytest.approx(best, rel=2e-4)
    assert float(np.nanmin(losses)) >= params.budget_loss(flops, best) * (1 - 1e-12)


@settings(max_examples=30)
@given(params=chinchilla_params, flops=budgets)
def test_chinchilla_closed_form_agrees_with_a_numeric_minimum(params: ChinchillaParams, flops: float) -> None:
    from scipy.optimize import minimize_scalar

    best = params.optimal_params(flops)
    found = minimize_scalar(
        lambda u: params.budget_loss(flops, math.exp(u)),
        bracket=(math.log(best) - 1, math.log(best) + 1),
        tol=1e-12,
    )
    # Compare losses: where the minimum is flat to machine precision, sizes need not agree.
    assert params.budget_loss(flops, best) <= found.fun * (1 + 1e-13)


@given(
    c_c=st.floats(1e-10, 1e10),
    alpha=st.floats(0.01, 1.0),
    floor=st.floats(0.0, 5.0),
    flops=st.floats(1e10, 1e30),
)
def test_frontier_loss_falls_towards_its_floor_and_never_below(
    c_c: float, alpha: float, floor: float, flops: float
) -> None:
    frontier = FrontierParams(compute_unit="pf-day", C_c=c_c, alpha_C=alpha, L_inf=floor, N_e=1e9, p_N=0.7)
    loss = frontier.frontier_loss(flops)
    assert loss >= floor
    assert frontier.frontier_loss(flops * 10) <= loss


def test_chinchilla_accepts_logs_or_plain_values_but_not_both() -> None:
    logs = ChinchillaParams(alpha=0.3, beta=0.3, log_E=0.5, log_A=6.0, log_B=6.0)
    plain = ChinchillaParams(alpha=0.3, beta=0.3, E=math.exp(0.5), A=math.exp(6.0), B=math.exp(6.0))
    assert logs.coefficients == pytest.approx(plain.coefficients)
    with pytest.raises(ValueError, match="exactly one of 'A' and 'log_A'"):
        ChinchillaParams(alpha=0.3, beta=0.3, E=1.0, A=2.0, log_A=1.0, B=3.0)


TOY_FORM = '''"""A toy form for the registry test: L(N, D) = A / N^alpha + B / D^beta, no floor."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from planner.forms.base import Law
from planner.laws.format import STRICT, Exponent, Positive
from planner.records import Record


class PowerSumParams(Record, eq=False):
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FRONTIER_BUDGET_METHOD: ClassVar[str] = "none"
    irreducible_loss: ClassVar[float] = 0.0

    A: Positive
    B: Positive
    alpha: Exponent
    beta: Exponent

    def loss(self, N: float, D: float) -> float:
        return self.A / N**self.alpha + self.B / D**self.beta

    def optimal_params(self, C: float) -> float:
        s = self.alpha + self.beta
        G = (self.alpha * self.A / (self.beta * self.B)) ** (1 / s)
        return G * (C / 6) ** (self.beta / s)

    def budget_loss(self, C: float, N: float) -> float:
        return self.loss(N, C / (6 * N))

    def plan_loss(self, C: float, N: float) -> float:
        return self.budget_loss(C, N)


class PowerSumLaw(Law, kw_only=True, eq=False):
    """A law of the toy form L(N, D) = A / N^alpha + B / D^beta."""

    form: Literal["power-sum"]
    params: PowerSumParams

    off_optimum: ClassVar[str | None] = None


LAW = PowerSumLaw
'''

TOY_LAW = """schema_version = 1
id = "toy2026"
name = "A toy law of a form added in one file"
domain = "language"
form = "power-sum"

[source]
authors = "Nobody"
year = 2026
title = "A registry test"
arxiv = "2203.15556"
locator = "the test itself"

[quantities]
params = "total"
tokens = "tokens"
loss = "loss"
loss_units = "nats/token"
flops = "C = 6ND"

[params]
A = 406.4
B = 410.7
alpha = 0.34
beta = 0.28

[fitted_range]
flops = [1e18, 1e22]
"""


@pytest.fixture
def toy_form(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A new form, power-sum, as one file in a folder the forms package also searches."""
    import sys

    import planner.forms
    from planner.laws.validate import law_adapter

    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "power_sum.py").write_text(TOY_FORM)
    caches = (planner.forms._module_names, planner.forms.form_names, law_adapter)
    monkeypatch.setattr(planner.forms, "__path__", [*planner.forms.__path__, str(folder)])
    for cache in caches:
        cache.cache_clear()
    law_file = tmp_path / "toy2026.toml"
    law_file.write_text(TOY_LAW)
    yield law_file
    monkeypatch.undo()
    sys.modules.pop("planner.forms.power_sum", None)
    for cache in caches:
        cache.cache_clear()


def test_a_new_form_is_one_file(toy_form) -> None:
    """Registry, validation, planning and the CLI take a form from its file alone."""
    from planner.forms import form_names
    from planner.laws.catalog import load_law
    from tests.conftest import invoke

    assert "power-sum" in form_names()
    law = load_law(toy_form)
    assert law.form == "power-sum"
    chinchilla = ChinchillaParams(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    result = plan(1e21, law)
    assert result.optimum.params == pytest.approx(chinchilla.optimal_params(1e21), rel=1e-12)
    assert result.optimum.loss == pytest.approx(chinchilla.budget_loss(1e21, result.optimum.params) - 1.69)
    shown = invoke("--flops", "1e21", "--law", str(toy_form), "--json")
    assert shown.exit_code == 0, shown.stderr
    assert '"form":"power-sum"' in shown.stdout


def test_every_form_module_names_its_form() -> None:
    """A form's module is its name with _ for -, and its law class says that form."""
    import typing

    from planner.forms import form_names, law_class

    assert form_names() == (
        "allocation",
        "chinchilla",
        "critical-batch",
        "data-constrained",
        "fine-grained-moe",
        "frontier",
        "hparams-compute",
        "hparams-nd",
        "kaplan-nd",
        "model-size",
        "overtraining",
        "transfer",
    )
    for form in form_names():
        cls = law_class(form)
        assert cls is not None
        assert typing.get_args(type_hints(cls)["form"]) == (form,)
    assert law_class("kaplan_nd") is None
    assert law_class("quadratic") is None


def test_an_allocation_law_of_tokens_alone_spends_the_budget_on_c_over_6d() -> None:
    from planner.forms.allocation import AllocationParams

    tokens_first = AllocationParams(D_base=0.29, b=0.53)
    flops = 1e21
    assert tokens_first.optimal_params(flops) == pytest.approx(flops / (6 * 0.29 * flops**0.53))
    assert tokens_first.budget_for_params(tokens_first.optimal_params(flops)) == pytest.approx(flops)
    per_token = AllocationParams(N_base=0.1715, a=0.5243, size="flops_per_token")
    assert per_token.optimal_params(flops) == pytest.approx(0.1715 * flops**0.5243 / 6)
    assert per_token.budget_for_tokens(flops / (6 * per_token.optimal_params(flops))) == pytest.approx(flops)
    assert per_token.plan_loss(flops, 1e9) is None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"N_base": 0.1}, "give both or neither of N_base and a"),
        ({}, "give N_base and a"),
        ({"N_base": 0.1, "a": 1.2}, "a must be below 1"),
        ({"D_base": 0.29, "b": 0.53, "size": "flops_per_token"}, "size flops_per_token describes N_base"),
    ],
)
def test_an_allocation_law_refuses_what_it_cannot_spend(given: dict[str, object], message: str) -> None:
    from planner.forms.allocation import AllocationParams

    with pytest.raises(ValueError, match=message):
        AllocationParams(**given)  # type: ignore[arg-type]
