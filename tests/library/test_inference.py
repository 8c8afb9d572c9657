"""Inference-aware plans (Sardana, Portes, Doubov, Frankle 2023, arXiv 2401.00448)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import InfeasibleError, InputError
from planner.forms.frontier import FrontierLaw
from planner.hardware import hardware
from planner.laws.catalog import available_laws, find_law, load_law
from planner.planning.budget import plan, why_unplannable
from planner.planning.inference import inference_optimum
from tests.conftest import Run

SARDANA = Path(__file__).parents[1] / "laws" / "sardana2023-code.toml"
OFF_FRONTIER = [
    law
    for law in available_laws()
    if why_unplannable(law) is None and law.why_no_loss() is None and not isinstance(law, FrontierLaw)
]


def test_the_authors_readme_example() -> None:
    """The README example of the authors' code: loss 1.947 and 2e12 inference tokens give
    "24.2B" parameters and "2.66T" tokens, "70.96%" of the parameters and "95.22%" of the
    FLOPs of the Chinchilla-style model. Tolerance: half a unit in the last printed digit of
    each figure, the most that rounding of a correct answer can explain (0.05B of 24.2B,
    0.005T of 2.66T, 0.005 percentage points). The solver is good to about 1e-8 in N, far
    inside that."""
    law = load_law(SARDANA)
    result = inference_optimum(2e12, law, target_loss=1.947)
    life = result.inference
    assert life is not None
    assert abs(result.optimum.params - 24.2e9) <= 0.05e9
    assert abs(result.optimum.tokens - 2.66e12) <= 0.005e12
    assert abs(100 * life.params_fraction - 70.96) <= 0.005
    assert abs(100 * life.total_flops_fraction - 95.22) <= 0.005
    assert result.optimum.loss == pytest.approx(1.947, rel=1e-12)


def test_the_readme_example_from_the_command_line(run: Run) -> None:
    result = run("--target-loss", "1.947", "--inference-tokens", "2e12", "--law", str(SARDANA), "--json")
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["inference"]["params_fraction"] == pytest.approx(0.7096, abs=5e-5)
    assert line["flops"] == pytest.approx(line["inference"]["training_flops"])


@pytest.mark.parametrize("law", OFF_FRONTIER, ids=lambda law: law.id)
@given(flops=st.floats(1e19, 1e25), served=st.floats(1e9, 1e15))
@settings(max_examples=20)
def test_the_size_falls_as_inference_grows_and_is_chinchilla_at_zero(
    law: object, flops: float, served: float
) -> None:
    chinchilla = plan(flops, law).optimum  # type: ignore[arg-type]
    none = inference_optimum(0, law, flops=flops)  # type: ignore[arg-type]
    assert none.optimum.params == pytest.approx(chinchilla.params, rel=1e-6)
    assert none.inference is not None
    assert none.inference.flops_saved == pytest.approx(0, abs=1e-6 * none.inference.total_flops)
    some = inference_optimum(served, law, flops=flops)  # type: ignore[arg-type]
    more = inference_optimum(served * 10, law, flops=flops)  # type: ignore[arg-type]
    assert more.optimum.params <= some.optimum.params * (1 + 1e-6) <= chinchilla.params * (1 + 2e-6)
    assert some.optimum.loss == pytest.approx(chinchilla.loss, rel=1e-9)
    assert some.inference is not None
    assert some.inference.total_flops <= some.inference.compute_optimal_total_flops * (1 + 1e-9)


def test_cost_objective_weighs_inference_by_its_mfu() -> None:
    setup = hardware("h100", mfu=0.4, price_per_gpu_hour=2.5)
    cheap = inference_optimum(1e13, flops=1e23, hardware=setup, objective="cost", inference_mfu=0.4)
    costly = inference_optimum(1e13, flops=1e23, hardware=setup, objective="cost", inference_mfu=0.1)
    flops = inference_optimum(1e13, flops=1e23)
    # Equal MFUs: dollars are proportional to FLOPs, so the same model.
    assert cheap.optimum.params == pytest.approx(flops.optimum.params, rel=1e-6)
    # Slower inference makes each served token dearer: a smaller model still.
    assert costly.optimum.params < cheap.optimum.params
    life = costly.inference
    assert life is not None
    assert life.total_cost is not None
    assert life.cost_saved is not None
    assert life.cost_saved > 0
    assert life.total_cost == pytest.approx(life.training_cost + life.inference_cost)  # type: ignore[operator]


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InputError, match="exactly one"):
        inference_optimum(1e12)
    with pytest.raises(InputError, match="irreducible loss"):
        inference_optimum(1e12, target_loss=1.5)
    with pytest.raises(InputError, match="need hardware"):
        inference_optimum(1e12, flops=1e21, objective="cost")
    with pytest.raises(InfeasibleError, match="frontier only"):
        inference_optimum(1e12, "kaplan2020", flops=1e21)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--flops", "1e23", "--inference-tokens", "1e13"], 0, ""),
        (["--target-loss", "2.0", "--inference-tokens", "1e13", "--law", "kaplan2020-nd"], 0, ""),
        (["--inference-tokens", "1e13"], 2, "give --target-loss, or one --flops budget"),
        (["--inference-tokens", "1e13", "--flops", "1e23", "--target-loss", "2"], 2, "not both"),
        (["--inference-tokens", "1e13", "--flops", "1e23", "--flops", "1e22"], 2, "one --flops budget"),
        (["--inference-tokens", "-1", "--flops", "1e23"], 2, "0 or more"),
        (["--inference-tokens", "1e13", "--flops", "1e23", "--params", "7e9"], 0, ""),
        (["--inference-tokens", "1e13", "--flops", "1e23", "--tokens", "2e12"], 2, "drop --tokens"),
        (
            ["--inference-tokens", "1e13", "--flops", "1e23", "--params", "1e9"],
            2,
            "the least size that can is",
        ),
        (["--inference-tokens", "1e13", "--flops", "1e23", "--objective", "speed"], 2, "flops or cost"),
        (
            ["--inference-tokens", "1e13", "--flops", "1e23", "--objective", "cost", "--gpu", "h100"],
            2,
            "--objective cost needs --price-per-gpu-hour, --inference-mfu",
        ),
        (["--inference-tokens", "1e13", "--flops", "1e23", "--inference-mfu", "0.2"], 2, "needs --gpu"),
        (
            ["--inference-tokens", "1e13", "--flops", "1e23", "--gpu", "h100", "--inference-mfu", "1.5"],
            2,
            "--inference-mfu must be above 0 and at most 1",
        ),
        (["--flops", "1e23", "--objective", "cost"], 2, "need --inference-tokens"),
        (["--inference-tokens", "1e13", "--flops", "1e23", "--law", "kaplan2020"], 2, "frontier only"),
    ],
)
def test_inference_exit_codes(run: Run, args: list[str], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if code == 2:
        assert result.stdout == ""
    else:
        assert "lifetime" in result.stdout or "inference" in result.stdout


@settings(max_examples=25, deadline=None)
@given(st.floats(0.3, 3.0), st.floats(1e11, 1e14))
def test_a_given_size_is_served_at_the_loss_and_never_beats_the_lifetime_optimum(
    factor: float, served: float
) -> None:
    """With --params N the plan trains N to the same loss and serves it: its total FLOPs
    are 6 N D + 2 N T, and never below the lifetime-optimal size's (which minimises them)."""
    free = inference_optimum(served, "hoffmann2022", target_loss=2.0)
    assert free.inference is not None
    n = free.optimum.params * factor
    floor = find_law("hoffmann2022").params.params_floor(2.0)
    if n <= floor:  # no amount of data brings it to the loss: refused in one line
        with pytest.raises(InfeasibleError, match="the least size that can is"):
            inference_optimum(served, "hoffmann2022", target_loss=2.0, params=n)
        return
    fixed = inference_optimum(served, "hoffmann2022", target_loss=2.0, params=n)
    life = fixed.inference
    assert life is not None
    assert life.size_given
    assert fixed.optimum.params == n
    assert fixed.optimum.loss == pytest.approx(2.0, rel=1e-9)
    assert life.total_flops == pytest.approx(n * (6 * fixed.optimum.tokens + 2 * served), rel=1e-12)
    assert life.lifetime_optimal is not None
    assert life.lifetime_optimal.params == pytest.approx(free.optimum.params, rel=1e-12)
    assert life.lifetime_optimal_total_flops == pytest.approx(free.inference.total_flops, rel=1e-12)
    assert life.total_flops >= free.inference.total_flops * (1 - 1e-9)
    assert life.compute_optimal == free.inference.compute_optimal


def test_a_given_size_is_shown_beside_both_optima(run: Run) -> None:
    done = run(
        "--target-loss", "1.947", "--inference-tokens", "2e12", "--law", "hoffmann2022", "--params", "7e9"
    )
    assert done.exit_code == 0, done.stderr
    for label in ("given size", "inference-aware", "compute-optimal"):
        assert label in done.stdout
    flat = " ".join(done.stdout.split())
    assert "the given size has 26.35% of the compute-optimal model's parameters" in flat
    found = json.loads(
        run(
            "--target-loss",
            "1.947",
            "--inference-tokens",
            "2e12",
            "--law",
            "hoffmann2022",
            "--params",
            "7e9",
            "--json",
        ).stdout
    )
    assert found["inference"]["size_given"] is True
    assert found["optimum"]["params"] == 7e9
    assert found["inference"]["lifetime_optimal"]["params"] == pytest.approx(19.9e9, rel=0.01)
