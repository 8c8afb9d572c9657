"""Krajewski et al. 2024's fine-grained MoE law: its maths at a granularity, what N counts
(checked against Table 2), and the refusals of planning without a granularity or with
another expert count."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError, PlannerError
from planner.forms.chinchilla import ChinchillaParams
from planner.forms.fine_grained_moe import FineGrainedMoELaw
from planner.laws.catalog import find_law
from planner.planning.budget import compare, plan, plan_each, reproduce
from planner.planning.run import evaluate
from planner.units import FLOPS_PER_PARAM_TOKEN

# Sec. 6.3, Table 2: N_act (of "64 x N_act"), D, G, FLOPs, loss.
TABLE_2 = [
    (100e6, 4.37e9, 8, 2.95e18, 3.133),
    (1e9, 28.94e9, 16, 1.93e20, 2.491),
    (3e9, 72.90e9, 16, 1.41e21, 2.245),
    (7e9, 137.60e9, 32, 6.46e21, 2.076),
    (70e9, 941.07e9, 32, 4.16e23, 1.694),
    (300e9, 2.96e12, 64, 5.69e24, 1.503),
    (1e12, 7.94e12, 64, 4.97e25, 1.367),
]

granularities = st.floats(1.0, 64.0)
sizes = st.floats(1e6, 1e12)
tokens = st.floats(1e8, 1e14)


def law() -> FineGrainedMoELaw:
    found = find_law("krajewski2024")
    assert isinstance(found, FineGrainedMoELaw)
    return found


def test_constants_are_table_1_as_printed() -> None:
    p = law().params
    assert (p.a, p.alpha, p.b, p.beta, p.g, p.gamma, p.c) == (18.1, 0.115, 30.8, 0.147, 2.1, 0.58, 0.47)
    assert p.experts == 64
    assert p.G is None  # the shipped file gives no granularity: plans need one
    assert p.total_per_active == 43  # (8E + 4) / 12 at E = 64


@given(G=granularities, N=sizes, D=tokens)
def test_at_a_granularity_the_law_is_the_chinchilla_form_in_active_params(
    G: float, N: float, D: float
) -> None:
    """Eq. (9) at N = 43 N_act is E + A / N_act^alpha + B / D^beta with E = c, B = b and
    A = (g / G^gamma + a) 43^-alpha, checked against a ChinchillaParams built here."""
    p = law().params
    bound = law().at_granularity(G).params
    A = (p.g / G**p.gamma + p.a) * 43**-p.alpha
    same = ChinchillaParams(alpha=p.alpha, beta=p.beta, E=p.c, A=A, B=p.b)
    assert p.moe_loss(43 * N, D, G) == pytest.approx(same.loss(N, D), rel=1e-12)
    assert bound.loss(N, D) == pytest.approx(same.loss(N, D), rel=1e-12)


@given(G=granularities, N=sizes, D=tokens, k=st.floats(1.01, 100.0))
def test_loss_falls_with_params_tokens_and_granularity(G: float, N: float, D: float, k: float) -> None:
    p = law().params
    assert p.moe_loss(N * k, D, G) < p.moe_loss(N, D, G)
    assert p.moe_loss(N, D * k, G) < p.moe_loss(N, D, G)
    assert p.moe_loss(N, D, G * k) < p.moe_loss(N, D, G)
    assert p.moe_loss(N, D, G) > p.c


@given(G=granularities, C=st.floats(1e17, 1e27), shift=st.floats(0.01, 3.0))
def test_the_optimum_spends_the_budget_and_no_other_split_is_better(G: float, C: float, shift: float) -> None:
    result = plan(C, "krajewski2024", granularity=G)
    best = result.optimum
    assert FLOPS_PER_PARAM_TOKEN * best.params * best.tokens == pytest.approx(C, rel=1e-12)
    p = law().params
    for factor in (math.exp(shift), math.exp(-shift)):
        n = best.params * factor
        assert p.moe_loss(43 * n, C / (FLOPS_PER_PARAM_TOKEN * n), G) >= p.moe_loss(
            43 * best.params, best.tokens, G
        )
    assert best.loss == pytest.approx(p.moe_loss(43 * best.params, best.tokens, G), rel=1e-12)
    mixture = result.mixture_of_experts
    assert mixture is not None
    assert (mixture.experts, mixture.granularity) == (64, G)
    assert mixture.total_params == pytest.approx(43 * best.params, rel=1e-12)


@pytest.mark.parametrize(("active", "D", "G", "flops", "loss"), TABLE_2)
def test_table_1_reproduces_table_2_losses_with_n_counting_43_active(
    active: float, D: float, G: float, flops: float, loss: float
) -> None:
    """Krajewski et al. 2024: with N = 43 N_act, Table 1 gives Table 2's losses to within
    -0.011 to -0.023; with N = N_act it would be far off, so N_act is what the plan counts."""
    run = evaluate(active, D, "krajewski2024", granularity=G)
    assert run.run is not None
    assert -0.024 <= run.run.loss - loss <= -0.010
    assert law().params.moe_loss(active, D, G) - loss > 0.2  # N = N_act instead: ten times further off
    mixture = run.mixture_of_experts
    assert mixture is not None
    assert mixture.run_total_params == pytest.approx(43 * active)
    assert 1.04 <= flops / (FLOPS_PER_PARAM_TOKEN * active * D) <= 1.13  # the routing FLOPs left out


def test_reproduces_rows_plan_at_their_own_granularity() -> None:
    rows = law().reproduces
    assert {row.granularity for row in rows} == {8, 16, 32, 64}
    for row in rows:
        got = reproduce(law(), row)
        assert got.keys() == row.expected().keys()


def test_without_a_granularity_the_law_is_refused_in_one_line() -> None:
    with pytest.raises(
        InputError, match=r"needs the granularity G = d_ff / d_expert.*from 1 to 64"
    ) as caught:
        plan(1e21, "krajewski2024")
    assert "\n" not in str(caught.value)
    with pytest.raises(InputError, match="needs the granularity"):
        evaluate(1e9, 3e10, "krajewski2024")


@pytest.mark.parametrize("G", [0.5, 64.5, 1e3])
def test_a_granularity_out_of_range_is_refused(G: float) -> None:
    with pytest.raises(InputError, match=r"outside what law krajewski2024 plans \(1 to 64\)"):
        plan(1e21, "krajewski2024", granularity=G)


@pytest.mark.parametrize("G", [0.0, -8.0, math.nan, math.inf])
def test_a_granularity_that_is_no_positive_number_is_refused(G: float) -> None:
    with pytest.raises(InputError, match="granularity"):
        plan(1e21, "krajewski2024", granularity=G)


def test_other_expert_counts_are_refused_and_64_taken() -> None:
    with pytest.raises(InputError, match="fitted with the experts fixed at E = 64"):
        plan(1e21, "krajewski2024", granularity=8, experts=32)
    assert plan(1e21, "krajewski2024", granularity=8, experts=64) == plan(
        1e21, "krajewski2024", granularity=8
    )


@pytest.mark.parametrize("options", [{"granularity": 8.0}, {"experts": 64.0}])
def test_laws_without_experts_refuse_the_moe_options(options: dict[str, float]) -> None:
    for name in ("besiroglu2024", "gadre2024-c4", None):
        with pytest.raises(InputError, match="has no experts or granularity"):
            plan(1e21, name, **options)


def test_a_block_of_budgets_gets_each_budgets_own_total() -> None:
    bound = law().at_granularity(8)
    budgets = [1e18 * 2**k for k in range(40)]
    for got in plan_each(budgets, bound):
        assert got.mixture_of_experts is not None
        assert got.mixture_of_experts.total_params == pytest.approx(43 * got.optimum.params, rel=1e-12)


def test_compare_leaves_the_moe_law_out_saying_what_it_needs() -> None:
    result = compare(1e21)
    assert "krajewski2024" not in {p.law.id for p in result.plans}
    assert any("krajewski2024 is left out: it needs the granularity" in n.message for n in result.notices)


def test_a_recipe_of_an_moe_plan_is_refused() -> None:
    from planner.planning.recipe import recipe

    with pytest.raises(PlannerError, match="Mixture-of-Experts"):
        recipe(plan(1e21, "krajewski2024", granularity=8))


def test_other_laws_carry_no_mixture() -> None:
    assert plan(1e21).mixture_of_experts is None
    assert evaluate(7e9, 2e12).mixture_of_experts is None


def test_a_law_file_may_give_its_own_granularity(tmp_path: pytest.TempPathFactory) -> None:
    """G in [params] is the granularity plans use when none is given, within [granularity]."""
    from pathlib import Path

    from planner.errors import LawFileError
    from planner.laws.catalog import laws_dir

    text = (laws_dir() / "language" / "krajewski2024.toml").read_text()
    own = Path(str(tmp_path)) / "krajewski2024-g8.toml"
    own.write_text(
        text.replace('id = "krajewski2024"', 'id = "krajewski2024-g8"').replace("c = 0.47", "c = 0.47\nG = 8")
    )
    assert plan(1e21, str(own)).optimum == plan(1e21, "krajewski2024", granularity=8).optimum
    wide = Path(str(tmp_path)) / "krajewski2024-g99.toml"
    wide.write_text(
        text.replace('id = "krajewski2024"', 'id = "krajewski2024-g99"').replace(
            "c = 0.47", "c = 0.47\nG = 99"
        )
    )
    with pytest.raises(LawFileError, match=r"params\.G 99 is outside"):
        plan(1e21, str(wide))
