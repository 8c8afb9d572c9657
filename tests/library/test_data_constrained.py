"""Limited unique data (Muennighoff et al. 2023): the form, the constrained optimum, notices.

Golden numbers come from the authors' repository (huggingface/datablations README) and from
the published effective-data formula; properties are checked with hypothesis.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import InfeasibleError, InputError, Law, find_law, plan
from planner.forms.chinchilla import ChinchillaLaw, ChinchillaParams
from planner.forms.data_constrained import DataConstrainedLaw, DataConstrainedParams
from planner.forms.limited_data import LimitedDataForm, effective_data
from planner.laws.catalog import available_laws
from planner.planning.limited_data import limited_form
from planner.units import FLOPS_PER_PARAM_TOKEN

MUENNIGHOFF = find_law("muennighoff2023")
PRICEABLE = [law for law in available_laws() if isinstance(law, (ChinchillaLaw, DataConstrainedLaw))]
budgets = st.floats(min_value=1e17, max_value=1e26)
supplies = st.floats(min_value=1e7, max_value=1e13)


def _params() -> DataConstrainedParams:
    params = MUENNIGHOFF.params
    assert isinstance(params, DataConstrainedParams)
    return params


def test_the_law_file_holds_the_repository_values() -> None:
    params = _params()
    assert (params.log_A, params.log_B, params.log_E) == (6.255414, 7.3049974, 0.6254804)
    assert params.alpha == params.beta == 0.3526596
    assert (params.R_D_star, params.R_N_star) == (15.387756, 5.309743)
    assert params.coefficients == pytest.approx((1.8691, 520.82, 1487.72), rel=1e-4)
    assert any("15.4 and 5.3" in caveat for caveat in MUENNIGHOFF.caveats)


@pytest.mark.parametrize(
    ("params", "tokens", "loss"),
    [(6.34e9, 242e9, 2.2256440889984477), (8.67e9, 178e9, 2.2269634075087867)],
)
def test_the_readme_figure_1_losses_are_reproduced(params: float, tokens: float, loss: float) -> None:
    """datablations README, 'Parametric Fit': scaling_law(N, D, 25e9) for the Figure 1 models."""
    assert _params().limited(25e9).loss(params, tokens) == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize(
    ("epochs", "fraction"),
    [(1, 1.000), (2, 0.984), (4, 0.931), (8, 0.828), (16, 0.661), (40, 0.379), (100, 0.164)],
)
def test_effective_data_fraction_follows_the_published_formula(epochs: int, fraction: float) -> None:
    """D' / D = D' / (epochs U_D) with R_D* = 15.387756 (reference table of derived values)."""
    unique = 25e9
    got = effective_data(epochs * unique, unique, _params().R_D_star) / (epochs * unique)
    assert round(got, 3) == fraction


def test_the_datablations_example_at_1e22_flops_and_25b_unique_tokens() -> None:
    """`optimal_allocation(1e22, 25e9)` -> 237B tokens (9.5 epochs), 7.0B params: a 500-step grid."""
    result = plan(1e22, MUENNIGHOFF, unique_tokens=25e9)
    assert result.optimum.params == pytest.approx(7.0e9, rel=0.03)
    assert result.optimum.tokens == pytest.approx(237e9, rel=0.03)
    assert result.data is not None
    assert result.data.epochs == pytest.approx(9.5, rel=0.03)


def test_the_readme_allocation_from_the_figure_1_model() -> None:
    """Another README version: from 8.67e9 params on 178e9 tokens (C = 6ND), 227B tokens,
    9.1 epochs, 6.8B parameters (huggingface/datablations README, 'Parametric Fit')."""
    result = plan(6 * 8.67e9 * 178e9, MUENNIGHOFF, unique_tokens=25e9)
    assert result.optimum.params == pytest.approx(6.8e9, rel=0.03)
    assert result.optimum.tokens == pytest.approx(227e9, rel=0.03)
    assert result.data is not None
    assert result.data.epochs == pytest.approx(9.1, rel=0.03)


@pytest.mark.parametrize("law", PRICEABLE, ids=lambda law: law.id)
@given(flops=budgets, spare=st.floats(1.0, 1e3))
def test_enough_unique_data_gives_the_unconstrained_plan(law: Law, flops: float, spare: float) -> None:
    free = plan(flops, law)
    limited = plan(flops, law, unique_tokens=free.optimum.tokens * spare)
    assert limited.optimum == free.optimum
    assert limited.data is not None
    assert limited.data.loss_penalty == 0
    assert limited.data.epochs <= 1


@pytest.mark.parametrize("law", PRICEABLE, ids=lambda law: law.id)
@given(flops=budgets, unique=supplies)
def test_limited_data_never_beats_unlimited_data(law: Law, flops: float, unique: float) -> None:
    result = plan(flops, law, unique_tokens=unique)
    assert result.data is not None
    assert result.optimum.loss >= result.data.unlimited.loss
    assert result.data.loss_penalty >= 0
    assert result.data.unlimited == plan(flops, law).optimum
    assert FLOPS_PER_PARAM_TOKEN * result.optimum.params * result.optimum.tokens == pytest.approx(flops)


@given(
    params=st.floats(1e6, 1e13),
    tokens=st.floats(1e6, 1e15),
    unique=st.floats(1e5, 1e14),
)
def test_effective_counts_never_exceed_the_real_ones_nor_saturation(
    params: float, tokens: float, unique: float
) -> None:
    form = _params().limited(unique)
    n_eff, d_eff = form.effective(params, tokens)
    assert d_eff <= tokens * (1 + 1e-12)
    assert d_eff <= unique * (1 + form.R_D_star) * (1 + 1e-12)
    assert n_eff <= params * (1 + 1e-12)
    assert form.loss(params, tokens) >= _params().loss(params, tokens) * (1 - 1e-12)


@pytest.mark.parametrize("law", PRICEABLE, ids=lambda law: law.id)
@given(flops=budgets, unique=supplies)
def test_plans_report_effective_data_within_its_bounds(law: Law, flops: float, unique: float) -> None:
    data = plan(flops, law, unique_tokens=unique).data
    assert data is not None
    assert data.effective_tokens <= data.epochs * unique * (1 + 1e-12)
    assert data.effective_tokens <= data.saturation_tokens * (1 + 1e-12)
    assert data.saturation_tokens == pytest.approx(unique * (1 + data.R_D_star))


@pytest.mark.parametrize("law", PRICEABLE, ids=lambda law: law.id)
@given(flops=budgets, unique=supplies, shift=st.floats(1e-3, 3.0))
def test_no_nearby_split_of_the_budget_is_better(law: Law, flops: float, unique: float, shift: float) -> None:
    best = plan(flops, law, unique_tokens=unique).optimum
    form = limited_form(law, unique)
    for k in (math.exp(shift), math.exp(-shift)):
        assert form.budget_loss(flops, best.params * k) >= best.loss * (1 - 1e-12)


@settings(max_examples=40)
@given(flops=budgets, unique=supplies)
def test_the_optimum_agrees_with_scipy(flops: float, unique: float) -> None:
    from scipy.optimize import minimize_scalar

    form = _params().limited(unique)
    best = form.optimal_params(flops)
    centre = math.log(_params().optimal_params(flops))
    found = minimize_scalar(
        lambda u: form.budget_loss(flops, math.exp(u)),
        bounds=(centre - 10, centre + 10),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert form.budget_loss(flops, best) <= found.fun * (1 + 1e-13)


@pytest.mark.parametrize("law", PRICEABLE, ids=lambda law: law.id)
def test_the_budget_line_loss_has_one_dip(law: Law) -> None:
    """Clamping to --max-params/--max-tokens relies on it; the solver guards anyway."""
    for flops in np.logspace(16, 27, 6):
        for unique in np.logspace(6, 14, 9):
            form = limited_form(law, float(unique))
            centre = math.log(law.params.optimal_params(float(flops)))  # type: ignore[union-attr]
            grid = np.linspace(centre - 12, centre + 12, 1201)
            losses = np.array([form.budget_loss(float(flops), math.exp(u)) for u in grid])
            steps = np.diff(losses)
            noise = 1e-13 * losses[:-1]
            signs = np.sign(np.where(np.abs(steps) > noise, steps, 0.0))
            signs = signs[signs != 0]
            assert np.sum((signs[:-1] < 0) & (signs[1:] > 0)) <= 1, (flops, unique)


@pytest.mark.parametrize(("flops", "unique"), [(1e21, 25e9), (1e22, 25e9), (1e23, 25e9), (1e22, 1e9)])
def test_marginal_value_of_compute_matches_the_envelope_theorem(flops: float, unique: float) -> None:
    """With D > U_D and N above N_opt(U_D), N' does not depend on D, so at the optimum
    d loss / d ln C = dL/d ln D at fixed N = -beta B D'^(-beta-1) D exp(-R_D / R_D*)."""
    result = plan(flops, MUENNIGHOFF, unique_tokens=unique)
    data = result.data
    assert data is not None
    params = _params()
    assert result.optimum.params > params.limited(unique).unique_params(unique)
    _, _, B = params.coefficients
    repeats = result.optimum.tokens / unique - 1
    analytic = (
        -params.beta
        * B
        * data.effective_tokens ** (-params.beta - 1)
        * result.optimum.tokens
        * math.exp(-repeats / params.R_D_star)
    )
    assert data.loss_per_ln_flops == pytest.approx(analytic, rel=1e-5, abs=1e-10)


@pytest.mark.parametrize("law", PRICEABLE, ids=lambda law: law.id)
@pytest.mark.parametrize("flops", [1e19, 1e22, 1e25])
def test_marginal_value_with_unlimited_data_is_chinchillas(law: Law, flops: float) -> None:
    """Along Chinchilla's frontier L = E + K C^-g with g = alpha beta / (alpha + beta), so
    d loss / d ln C = -g (L - E)."""
    result = plan(flops, law, unique_tokens=1e8)
    assert result.data is not None
    chinchilla = law.params
    assert isinstance(chinchilla, ChinchillaParams)
    g = chinchilla.alpha * chinchilla.beta / (chinchilla.alpha + chinchilla.beta)
    expected = -g * (result.data.unlimited.loss - chinchilla.irreducible_loss)
    assert result.data.unlimited_loss_per_ln_flops == pytest.approx(expected, rel=1e-6)


def test_more_compute_pays_less_and_less_on_the_same_data() -> None:
    plans = plan([1e20, 1e21, 1e22, 1e23, 1e24], MUENNIGHOFF, unique_tokens=25e9)
    returns = [p.data.returns for p in plans]  # type: ignore[union-attr]
    assert returns[0] == pytest.approx(1.0)
    assert all(later < earlier for earlier, later in itertools.pairwise(returns))
    assert returns[-1] < 0.02
    assert [p.optimum.loss for p in plans] == sorted((p.optimum.loss for p in plans), reverse=True)


def _codes(result: object) -> list[str]:
    return [notice.code for notice in result.notices]  # type: ignore[attr-defined]


def test_notices_follow_the_epochs() -> None:
    one_pass = plan(1e20, MUENNIGHOFF, unique_tokens=25e9)
    assert not {"many_epochs", "returns_near_zero"} & set(_codes(one_pass))
    many = plan(1e22, MUENNIGHOFF, unique_tokens=25e9)
    (note,) = [n for n in many.notices if n.code == "many_epochs"]
    assert note.level == "note"
    assert "9.49 epochs" in note.message
    assert "about 4 epochs" in note.message
    saturated = plan(1e24, MUENNIGHOFF, unique_tokens=25e9)
    assert "many_epochs" not in _codes(saturated)
    (warning,) = [n for n in saturated.notices if n.code == "returns_near_zero"]
    assert warning.level == "warning"
    assert "U_D (1 + R_D*) = 4.1e+11" in warning.message
    assert "combined_sources" not in _codes(saturated)


def test_other_chinchilla_laws_borrow_the_decay_and_say_so() -> None:
    result = plan(1e22, "besiroglu2024", unique_tokens=25e9)
    (note,) = [n for n in result.notices if n.code == "combined_sources"]
    assert "R_D* 15.387756, R_N* 5.309743" in note.message
    assert "combination of two papers" in note.message
    assert result.data is not None
    assert result.data.decay_source == "Muennighoff et al. 2023, arXiv:2305.16264"
    form = limited_form(find_law("besiroglu2024"), 25e9)
    assert isinstance(form, LimitedDataForm)
    assert form.law == find_law("besiroglu2024").params


@pytest.mark.parametrize("law_id", ["kaplan2020", "kaplan2020-nd", "henighan2020-language"])
def test_laws_of_other_forms_cannot_price_repeats(law_id: str) -> None:
    with pytest.raises(InputError, match="cannot price repeated data"):
        plan(1e21, law_id, unique_tokens=1e9)


@pytest.mark.parametrize("bad", [0, -25e9, math.nan, math.inf])
def test_bad_unique_token_supplies_are_refused(bad: float) -> None:
    with pytest.raises(InputError, match="unique_tokens must be a finite number above zero"):
        plan(1e22, unique_tokens=bad)


def test_absurd_supplies_are_refused_not_printed_as_nan() -> None:
    with pytest.raises(InputError, match="less than one token"):
        plan(1e22, unique_tokens=1e-300)
    with pytest.raises(InfeasibleError, match="beyond what can be computed in floating point"):
        plan(1e22, unique_tokens=1e308)


def test_returns_are_undefined_where_even_unlimited_data_stops_paying() -> None:
    data = plan(1e300, unique_tokens=1e3).data
    assert data is not None
    assert data.unlimited_loss_per_ln_flops == 0
    assert data.returns is None
    assert plan(1e22, MUENNIGHOFF, unique_tokens=25e9).data.returns == pytest.approx(0.716, abs=1e-3)  # type: ignore[union-attr]


def test_many_budgets_at_once_share_the_supply() -> None:
    plans = plan(np.array([1e21, 1e22]), MUENNIGHOFF, unique_tokens=25e9)
    assert [p.flops for p in plans] == [1e21, 1e22]
    assert plans[1] == plan(1e22, MUENNIGHOFF, unique_tokens=25e9)


@given(flops=budgets, unique=supplies, cap=st.floats(0.05, 0.95))
def test_a_params_cap_and_a_data_limit_combine(flops: float, unique: float, cap: float) -> None:
    free = plan(flops, MUENNIGHOFF, unique_tokens=unique).optimum
    capped = plan(flops, MUENNIGHOFF, unique_tokens=unique, max_params=free.params * cap)
    assert capped.optimum.params == pytest.approx(free.params * cap)
    assert capped.constraints is not None
    assert capped.constraints.binding == "max_params"
    assert capped.constraints.unconstrained == free
    assert capped.data is not None
    assert capped.data.unlimited == plan(flops, MUENNIGHOFF, max_params=free.params * cap).optimum
    assert capped.optimum.loss >= capped.data.unlimited.loss


def test_without_a_supply_the_law_plans_like_chinchilla() -> None:
    result = plan(5.76e23, MUENNIGHOFF)
    assert result.data is None
    # Chinchilla's Eq. (4) with the C4 constants: alpha = beta, so D/N is the same at every budget.
    assert result.optimum.tokens_per_param == pytest.approx(19.6, rel=0.01)
    assert result.optimum.params == pytest.approx(7.00e10, rel=0.01)
