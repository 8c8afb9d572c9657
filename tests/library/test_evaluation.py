"""A given run against the compute-optimal plan at the same FLOPs."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner import InfeasibleError, InputError
from planner.forms.chinchilla import ChinchillaLaw, ChinchillaParams
from planner.forms.kaplan_nd import KaplanNDLaw, KaplanNDParams
from planner.laws.catalog import available_laws, find_law
from planner.optimize import flops_for_loss, frontier_loss
from planner.planning.run import evaluate
from planner.units import PF_DAY
from tests.conftest import Run

OFF_FRONTIER = [law for law in available_laws() if isinstance(law, (ChinchillaLaw, KaplanNDLaw))]


def test_gpt3_175b_costs_what_table_d1_prints() -> None:
    """Brown et al. 2020 (arXiv 2005.14165), Table D.1: GPT-3 175B, 174,600M params, 300B
    tokens, 3.14E+23 FLOPs (3.64E+03 PF-days). 6ND gives 3.1428e23: the table rounds to
    three figures, so the tolerance is half a unit in the last printed digit (0.005/3.14)."""
    result = evaluate(174.6e9, 300e9)
    assert result.flops == 6 * 174.6e9 * 300e9
    assert result.flops == pytest.approx(3.14e23, rel=0.005 / 3.14)
    assert result.flops / PF_DAY == pytest.approx(3.64e3, rel=0.005 / 3.64)
    assert result.run is not None
    assert result.run.params == 174.6e9
    assert result.run.tokens == 300e9


def test_gpt3_evaluated_from_the_command_line(run: Run) -> None:
    line = json.loads(run("--params", "174.6e9", "--tokens", "300e9", "--json").stdout)
    assert line["flops"] == pytest.approx(3.14e23, rel=0.005 / 3.14)
    # GPT-3 trained 1.7 tokens per parameter; Chinchilla-style laws want about 20, so the
    # same compute buys a smaller model on more data, and the run is over-sized.
    assert line["run"]["params_ratio"] > 1
    assert line["optimum"]["tokens_per_param"] > line["run"]["tokens_per_param"]


def test_the_run_and_its_gap(besiroglu: object) -> None:
    result = evaluate(7e9, 2e12, "besiroglu2024")
    run = result.run
    assert run is not None
    assert result.flops == 8.4e22
    assert run.loss == pytest.approx(find_law("besiroglu2024").params.loss(7e9, 2e12))  # type: ignore[union-attr]
    assert run.loss_gap == pytest.approx(run.loss - result.optimum.loss)
    assert run.loss_gap > 0
    assert run.loss_gap_percent == pytest.approx(100 * run.loss_gap / result.optimum.loss)
    assert run.params_ratio == pytest.approx(7e9 / result.optimum.params)
    assert run.optimal_flops_for_loss < result.flops
    assert run.compute_fraction == pytest.approx(run.optimal_flops_for_loss / result.flops)


@pytest.mark.parametrize("law", OFF_FRONTIER, ids=lambda law: law.id)
@given(flops=st.floats(1e18, 1e26), shift=st.floats(0.05, 3.0), up=st.booleans())
@settings(max_examples=40)
def test_the_optimum_reaches_the_runs_loss_with_less_compute(
    law: object, flops: float, shift: float, up: bool
) -> None:
    form = law.params  # type: ignore[attr-defined]
    best = form.optimal_params(flops)
    params = best * math.exp(shift if up else -shift)
    tokens = flops / (6 * params)
    result = evaluate(params, tokens, law)  # type: ignore[arg-type]
    run = result.run
    assert run is not None
    assert run.loss >= result.optimum.loss
    assert 0 < run.compute_fraction <= 1
    # The solve lands on the run's loss, to floating-point resolution of the bisection.
    assert frontier_loss(form, run.optimal_flops_for_loss) <= run.loss * (1 + 1e-12)
    assert frontier_loss(form, run.optimal_flops_for_loss * (1 - 1e-9)) >= run.loss * (1 - 1e-12)


@given(
    params=st.builds(
        ChinchillaParams,
        alpha=st.floats(0.05, 1.0),
        beta=st.floats(0.05, 1.0),
        E=st.floats(0.1, 5.0),
        A=st.floats(1.0, 1e4),
        B=st.floats(1.0, 1e4),
    ),
    flops=st.floats(1e15, 1e28),
    fraction=st.floats(1e-6, 1.0),
)
def test_flops_for_loss_inverts_the_frontier(params: ChinchillaParams, flops: float, fraction: float) -> None:
    target = frontier_loss(params, flops * fraction)
    found = flops_for_loss(params, target, flops)
    # Bracketed: the least compute (to float resolution) whose optimum reaches the target.
    assert found <= flops
    assert frontier_loss(params, found) <= target
    assert frontier_loss(params, found * (1 - 1e-6)) >= target
    # Where the loss still moves with compute (not flat against E to 1e-6), C itself comes back.
    assume((target - params.irreducible_loss) / target > 1e-6)
    assert found == pytest.approx(flops * fraction, rel=1e-6)


def test_kaplan_joint_law_is_solved_too() -> None:
    form = find_law("kaplan2020-nd").params
    assert isinstance(form, KaplanNDParams)
    target = frontier_loss(form, 1e20)
    assert flops_for_loss(form, target, 1e22) == pytest.approx(1e20, rel=1e-9)


def test_a_compute_optimal_run_has_no_gap() -> None:
    law = find_law("besiroglu2024")
    params = law.params.optimal_params(1e21)
    result = evaluate(params, 1e21 / (6 * params), law)
    assert result.run is not None
    assert result.run.loss_gap == pytest.approx(0, abs=1e-12)
    assert result.run.compute_fraction == pytest.approx(1, rel=1e-6)
    assert result.run.params_ratio == pytest.approx(1, rel=1e-9)


def test_frontier_laws_cannot_evaluate_a_run() -> None:
    with pytest.raises(InfeasibleError, match="frontier only, so it cannot evaluate a run"):
        evaluate(7e9, 2e12, "kaplan2020")


@pytest.mark.parametrize(("params", "tokens"), [(0, 1e12), (-1, 1e12), (1e9, math.nan), (math.inf, 1e12)])
def test_bad_runs_are_refused(params: float, tokens: float) -> None:
    with pytest.raises(InputError, match="must be a finite number above zero"):
        evaluate(params, tokens)


def test_the_table_shows_both_rows_and_the_gap(run: Run) -> None:
    out = run("--params", "7e9", "--tokens", "2e12", "--gpu", "h100", "--gpus", "512", "--mfu", "0.4").stdout
    assert "your run" in out
    assert "compute-optimal" in out
    assert "gap: +0.0259 nats, 1.27% above the optimum's loss" in out
    assert "the compute-optimal plan reaches loss 2.0642 with 4.52e22 FLOPs, 53.8% of this run's" in out
    assert "this run: 58,952 GPU-hours, 4.8 days" in out


def test_a_given_run_on_limited_unique_data_prices_its_repeats() -> None:
    """Issue: a given run with --unique-tokens was refused; Muennighoff et al.'s law prices it."""
    from planner.planning.budget import plan
    from planner.planning.limited_data import limited_form

    law = find_law("muennighoff2023")
    found = evaluate(7e9, 2e12, law, unique_tokens=5e11, level=None)
    run = found.run
    assert run is not None
    assert run.loss == limited_form(law, 5e11).loss(7e9, 2e12)
    assert run.loss_unlimited_data == law.params.loss(7e9, 2e12)
    assert run.epochs == 4.0
    assert run.data_penalty == pytest.approx(run.loss - run.loss_unlimited_data, abs=1e-15)
    assert run.data_penalty > 0
    same = plan(6 * 7e9 * 2e12, law, unique_tokens=5e11, level=None)
    assert found.optimum == same.optimum
    assert found.data == same.data
    assert 0 < run.compute_fraction <= 1


@settings(max_examples=30, deadline=None)
@given(st.floats(math.log(2e10), math.log(4e12)))
def test_more_unique_data_never_costs_a_given_run_more(log_unique: float) -> None:
    unique = math.exp(log_unique)
    law = find_law("muennighoff2023")
    run = evaluate(7e9, 2e12, law, unique_tokens=unique, level=None).run
    more = evaluate(7e9, 2e12, law, unique_tokens=unique * 1.5, level=None).run
    assert run is not None
    assert more is not None
    assert more.data_penalty <= run.data_penalty + 1e-12
    if unique >= 2e12:  # one epoch or less: nothing repeats
        assert run.data_penalty == 0.0
        assert run.loss == run.loss_unlimited_data


def test_a_given_run_with_unique_tokens_from_the_command_line(run: Run) -> None:
    args = ("--params", "7e9", "--tokens", "2e12", "--unique-tokens", "5e11", "--law", "muennighoff2023")
    done = run(*args)
    assert done.exit_code == 0, done.stderr
    assert "unique data: 500B tokens, 4 epochs: the repeats cost +0.0017 nats" in " ".join(
        done.stdout.split()
    )
    found = json.loads(run(*args, "--json").stdout)
    assert found["run"]["epochs"] == 4.0
    refused = run("--params", "7e9", "--tokens", "2e12", "--repeated-fraction", "0.001", "--repeats", "10")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert "a given run has its own params and tokens" in refused.stderr


@settings(max_examples=30, deadline=None)
@given(st.floats(math.log(1e18), math.log(1e25)))
def test_a_budget_at_the_critical_batch_is_twice_c_min(log_flops: float) -> None:
    """Kaplan et al. 2020, Eq. (5.5) at B = B_crit: C = 2 C_min, and twice the tokens (Eq. 6.7)."""
    from planner.planning.budget import plan

    flops = math.exp(log_flops)
    critical = plan(flops, "kaplan2020", kaplan_compute="critical")
    at_min = plan(flops / 2, "kaplan2020")
    assert critical.flops == flops
    assert critical.optimum.params == at_min.optimum.params
    assert critical.optimum.loss == at_min.optimum.loss
    assert critical.optimum.tokens == pytest.approx(2 * at_min.optimum.tokens, rel=1e-15)
    assert 6 * critical.optimum.params * critical.optimum.tokens == pytest.approx(flops, rel=1e-12)
    assert critical.critical_batch is not None
    assert critical.critical_batch.minimum_flops == flops / 2
    assert plan(flops, "kaplan2020", kaplan_compute="min") == plan(flops, "kaplan2020")


def test_table_6_counts_the_tokens_of_the_critical_batch() -> None:
    """Table 6's D_opt = 2e10 C_min^0.27 (PF-days) is near 2 C_min / 6N at the critical batch,
    and twice the tokens the default C_min / 6N counts (the law's caveat)."""
    from planner.planning.budget import plan

    c_min = 10 * PF_DAY
    critical = plan(2 * c_min, "kaplan2020", kaplan_compute="critical")
    assert critical.optimum.tokens == pytest.approx(2e10 * 10**0.27, rel=0.15)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--flops", "1e21", "--kaplan-compute", "critical"],
            "law besiroglu2024 counts the compute its runs processed",
        ),
        (["--flops", "1e21", "--law", "kaplan2020", "--kaplan-compute", "max"], "--kaplan-compute"),
        (["--target-loss", "2.5", "--law", "kaplan2020", "--kaplan-compute", "critical"], "drop it here"),
        (["--flops", "1e21", "--compare", "--kaplan-compute", "critical"], "drop it for given runs"),
        (
            ["--flops", "1e21", "--law", "kaplan2020", "--kaplan-compute", "critical", "--max-params", "1e9"],
            "cannot price a capped plan",
        ),
        (
            [
                "--flops",
                "1e21",
                "--law",
                "kaplan2020",
                "--kaplan-compute",
                "critical",
                "--unique-tokens",
                "1e9",
            ],
            "cannot price repeated data",
        ),
    ],
)
def test_kaplan_compute_refusals(run: Run, args: list[str], message: str) -> None:
    done = run(*args)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
