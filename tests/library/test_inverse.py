"""Inverse questions: target loss, fixed size or tokens, and the size trade-off curve."""

from __future__ import annotations

import itertools
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import InfeasibleError, InputError
from planner.forms.chinchilla import ChinchillaLaw
from planner.forms.frontier import FrontierLaw
from planner.forms.kaplan_nd import KaplanNDLaw
from planner.laws.catalog import available_laws
from planner.planning.budget import plan, why_unplannable
from planner.planning.inverse import for_loss, for_params, for_tokens, size_curve, size_grid
from tests.conftest import Run

SPLITTING = [law for law in available_laws() if why_unplannable(law) is None]
PLANNABLE = [law for law in SPLITTING if law.why_no_loss() is None]  # the laws that predict a loss
OFF_FRONTIER = [law for law in PLANNABLE if not isinstance(law, FrontierLaw)]
FORMS = {law.form for law in SPLITTING}


def test_every_budget_form_is_covered() -> None:
    assert {"allocation", "chinchilla", "data-constrained", "kaplan-nd", "frontier", "overtraining"} == FORMS


@pytest.mark.parametrize("law", [law for law in SPLITTING if law.why_no_loss()], ids=lambda law: law.id)
def test_a_law_without_a_loss_refuses_a_target_loss_and_a_size_curve(law: object) -> None:
    with pytest.raises(InfeasibleError, match="not a loss; pass --law with a language law that predicts"):
        for_loss(2.0, law)  # type: ignore[arg-type]
    with pytest.raises(InfeasibleError, match="gives no loss at all"):
        size_curve(1e22, 0.5, 2, law)  # type: ignore[arg-type]


@pytest.mark.parametrize("law", PLANNABLE, ids=lambda law: law.id)
@given(flops=st.floats(1e17, 1e27))
@settings(max_examples=30)
def test_target_loss_and_forward_planning_invert_each_other(law: object, flops: float) -> None:
    forward = plan(flops, law)  # type: ignore[arg-type]
    back = for_loss(forward.optimum.loss, law)  # type: ignore[arg-type]
    assert back.flops == pytest.approx(flops, rel=1e-6)
    assert back.optimum.loss == pytest.approx(forward.optimum.loss, rel=1e-12)
    assert back.inverse is not None
    assert back.inverse.given == "loss"


@pytest.mark.parametrize("law", SPLITTING, ids=lambda law: law.id)
@given(flops=st.floats(1e17, 1e27))
@settings(max_examples=30)
def test_fixed_params_and_tokens_invert_the_allocation(law: object, flops: float) -> None:
    forward = plan(flops, law).optimum  # type: ignore[arg-type]
    assert for_params(forward.params, law).flops == pytest.approx(flops, rel=1e-9)  # type: ignore[arg-type]
    assert for_tokens(forward.tokens, law).flops == pytest.approx(flops, rel=1e-9)  # type: ignore[arg-type]


@pytest.mark.parametrize("law", PLANNABLE, ids=lambda law: law.id)
def test_a_target_at_or_below_the_irreducible_loss_is_refused(law: object) -> None:
    floor = law.params.irreducible_loss  # type: ignore[attr-defined]
    for target in (floor, floor - 0.1):
        with pytest.raises(InputError, match=f"irreducible loss {floor:.4g}"):
            for_loss(target, law)  # type: ignore[arg-type]


@pytest.mark.parametrize("law", OFF_FRONTIER, ids=lambda law: law.id)
@given(flops=st.floats(1e18, 1e26), low=st.floats(0.05, 0.95), high=st.floats(1.05, 20))
@settings(max_examples=25)
def test_the_size_curve_costs_nothing_at_1x_and_more_both_ways(
    law: object, flops: float, low: float, high: float
) -> None:
    curve = size_curve(flops, low, high, law)  # type: ignore[arg-type]
    fractions = [point.fraction for point in curve.points]
    assert fractions == sorted(fractions)
    assert fractions[0] == low
    assert fractions[-1] == high
    one = fractions.index(1.0)
    assert curve.points[one].compute_overhead == 0.0
    assert curve.points[one].loss == pytest.approx(curve.optimum.loss, rel=1e-12)
    overheads = [math.inf if p.compute_overhead is None else p.compute_overhead for p in curve.points]
    # Overhead grows (never shrinks) away from 1x, to rounding, on both sides.
    below, above = overheads[: one + 1], overheads[one:]
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(below))
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(above))
    assert overheads[0] > 0
    assert overheads[-1] > 0


def test_a_size_too_small_to_reach_the_loss_is_marked() -> None:
    curve = size_curve(1e22, 0.001, 1, "besiroglu2024")
    tiny = curve.points[0]
    assert tiny.flops_to_match is None
    assert tiny.compute_overhead is None
    assert any(notice.code == "size_cannot_match" for notice in curve.notices)


def test_size_grid_is_nice_and_includes_the_optimum() -> None:
    assert size_grid(0.25, 2) == [0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0]
    assert 1.0 in size_grid(2, 3)
    with pytest.raises(InputError):
        size_grid(2, 1)
    with pytest.raises(InputError):
        size_grid(1e-4, 2)


def test_frontier_laws_cannot_price_off_optimum_sizes() -> None:
    frontier = next(law for law in PLANNABLE if isinstance(law, FrontierLaw))
    with pytest.raises(InfeasibleError, match="frontier only"):
        size_curve(1e22, 0.5, 2, frontier)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--target-loss", "2.0"], 0, ""),
        (["--target-loss", "1.5"], 2, "irreducible loss 1.817 of law besiroglu2024"),
        (["--target-loss", "0.5", "--law", "kaplan2020-nd"], 0, ""),
        (["--target-loss", "0", "--law", "kaplan2020-nd"], 2, "irreducible loss 0 of law kaplan2020-nd"),
        (["--target-loss", "lots"], 2, "--target-loss 'lots' is not a number"),
        (["--target-loss", "nan"], 2, "must be a finite number"),
        (["--target-loss", "2", "--flops", "1e21"], 2, "drop --flops, --params and --tokens"),
        (["--target-loss", "2", "--params", "7e9"], 2, "drop --flops, --params and --tokens"),
        (["--target-loss", "2", "--max-params", "1e9"], 2, "--target-loss takes no --max-params"),
        (["--target-loss", "2", "--gpu", "h100", "--gpus", "64"], 0, ""),
        (["--params", "7e9", "--law", "kaplan2020"], 0, ""),
        (["--params", "7e9", "--flops", "1e23"], 0, "(the given run)"),
        (["--tokens", "2e12", "--flops", "1e23"], 0, ""),
        (["--params", "7e9", "--flops", "1e21", "--law", "kaplan2020"], 2, "frontier only"),
        (["--params", "7e9", "--from", "-"], 2, "takes no --from"),
        (["--params", "7e9", "--unique-tokens", "1e9"], 2, "takes no --unique-tokens"),
        (["--params", "7e9", "--tokens", "2e12", "--flops", "1e23"], 2, "drop one of the three"),
        (["--flops", "1e22", "--size-range", "0.25", "2"], 0, ""),
        (["--flops", "1e22", "--size-range", "0.25:2"], 0, ""),
        (["--flops", "1e22", "--size-range=0.25", "2"], 0, ""),
        (["--flops", "1e22", "--size-range", "0.25"], 2, "takes two numbers"),
        (["--flops", "1e22", "--size-range", "2", "0.5"], 2, "0 < low < high"),
        (["--size-range", "0.5", "2"], 2, "--size-range needs a budget"),
        (["--flops", "1e22", "--size-range", "0.5", "2", "--law", "kaplan2020"], 2, "frontier only"),
        (["--flops", "1e22", "--size-range", "0.5", "2", "--format", "csv"], 0, ""),
        (["--flops", "1e22", "--size-range", "0.5", "2", "--gpu", "h100"], 2, "drop --gpu"),
        (["--flops", "1e22", "--size-range", "0.5", "2", "--params", "7e9"], 2, "drop --target-loss"),
    ],
)
def test_inverse_exit_codes(run: Run, args: list[str], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if code == 2:
        assert result.stdout == ""
        assert result.stderr.count("error:") == 1
    else:
        assert result.stdout


def test_target_loss_json(run: Run) -> None:
    result = run("--target-loss", "2.0", "--gpu", "h100", "--gpus", "1024", "--json")
    assert result.exit_code == 0
    line = json.loads(result.stdout)
    assert line["optimum"]["loss"] == pytest.approx(2.0, rel=1e-12)
    assert line["inverse"]["given"] == "loss"
    assert line["hardware"]["days"] > 0
    assert "extrapolation" in result.stderr


def test_fixed_size_at_a_budget_reports_overhead(run: Run) -> None:
    line = json.loads(run("--params", "7e9", "--flops", "1e23", "--json").stdout)
    assert line["run"]["params"] == 7e9
    assert line["run"]["tokens"] == pytest.approx(1e23 / (6 * 7e9))
    assert line["run"]["compute_overhead"] == pytest.approx(1 / line["run"]["compute_fraction"] - 1)
    assert line["run"]["compute_overhead"] > 0


def test_size_curve_json_is_one_object_per_budget(run: Run) -> None:
    result = run("--flops", "1e21", "--flops", "1e22", "--size-range", "0.5", "2", "--json")
    lines = [json.loads(text) for text in result.stdout.splitlines()]
    assert [line["flops"] for line in lines] == [1e21, 1e22]
    assert [p["fraction"] for p in lines[0]["points"]] == [0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0]


@pytest.mark.parametrize(
    "law", [law for law in PLANNABLE if isinstance(law, (ChinchillaLaw, KaplanNDLaw))][:2]
)
def test_params_alone_is_where_that_size_is_optimal(law: object, run: Run) -> None:
    line = json.loads(run("--params", "7e9", "--law", law.id, "--json").stdout)  # type: ignore[attr-defined]
    assert line["optimum"]["params"] == pytest.approx(7e9, rel=1e-9)
    assert line["inverse"] == {
        "given": "params",
        "value": 7e9,
        "method": "closed form (N_opt(C) solved for C)",
    }
