"""The training recipe: hyper-parameter laws at the plan's run, their spread, steps and time."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import plan
from planner.errors import InfeasibleError, InputError
from planner.hardware import LLAMA3_MFU, hardware
from planner.laws.catalog import find_law, hyperparameter_laws
from planner.planning.recipe import SEQ_LEN, recipe


def test_the_laws_at_the_1e21_optimum_give_the_published_evaluation() -> None:
    """At the 1e21 optimum (2.78B on 59.9B): DeepSeek's Eq. (1) gives 7.4e-4 and 2.2M tokens,
    Step Law 6.7e-4 and 0.83M (the quoted formulas, evaluated)."""
    deepseek, step = find_law("deepseek2024-hparams").params, find_law("li2025-steplaw").params
    assert deepseek.learning_rate(1e21, 0, 0) == pytest.approx(7.4e-4, rel=0.01)
    assert deepseek.batch_tokens(1e21, 0, 0) == pytest.approx(2.2e6, rel=0.02)
    assert step.learning_rate(0, 2.78e9, 5.99e10) == pytest.approx(6.7e-4, rel=0.01)
    assert step.batch_tokens(0, 2.78e9, 5.99e10) == pytest.approx(0.83e6, rel=0.01)


def test_the_recipe_gives_each_law_its_own_inputs_from_the_shape() -> None:
    """DeepSeek's C is M D (attention included, Eq. 2); Step Law's N is non-embedding."""
    result = plan(1e21)
    found = recipe(result)
    shape = found.shapes[0].shape
    by_law = {estimate.law.id: estimate for estimate in found.hyperparameters}
    deepseek, step = by_law["deepseek2024-hparams"], by_law["li2025-steplaw"]
    c = shape.flops_per_token.with_attention * result.optimum.tokens
    assert deepseek.learning_rate == pytest.approx(
        find_law("deepseek2024-hparams").params.learning_rate(c, 0, 0)
    )
    n = shape.params.non_embedding
    assert step.learning_rate == pytest.approx(
        find_law("li2025-steplaw").params.learning_rate(0, n, result.optimum.tokens)
    )
    assert abs(found.shapes[0].relative_difference) <= 0.02
    assert deepseek.beyond_fit == pytest.approx(c / 2e19)
    assert step.beyond_fit is None
    assert found.seq_len == SEQ_LEN
    assert deepseek.batch_sequences == pytest.approx(deepseek.batch_tokens / SEQ_LEN)
    assert any(n.code == "extrapolation" and "deepseek2024-hparams" in n.message for n in found.notices)


def test_large_shapes_split_over_8_gpu_servers_and_the_memory_fits_or_says_by_how_much() -> None:
    found = recipe(plan(1e23, level=None), gpu="h100", gpus=256)
    shape = found.shapes[0].shape
    assert shape.n_heads % 8 == 0
    assert shape.n_layer % 4 == 0
    assert found.memory is not None
    assert found.memory.fits
    split = found.memory.split
    assert split.data_parallel * split.tensor_parallel * split.pipeline_parallel == 256
    assert found.memory.memory.total <= 80e9
    short = recipe(plan(1e25, level=None), gpu="h100", gpus=16)
    assert short.memory is not None
    assert not short.memory.fits
    assert any(n.code == "memory_short" and "short" in n.message for n in short.notices)


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=18.0, max_value=26.0), st.sampled_from([1024, 2048, 4096, 8192]))
def test_steps_are_tokens_over_the_batch_and_the_range_holds_every_law(exponent: float, seq_len: int) -> None:
    result = plan(10.0**exponent, level=None)
    found = recipe(result, seq_len=seq_len)
    for estimate in found.hyperparameters:
        assert estimate.steps * estimate.batch_tokens == pytest.approx(result.optimum.tokens)
        assert estimate.batch_sequences * seq_len == pytest.approx(estimate.batch_tokens)
        assert found.batch_tokens.low <= estimate.batch_tokens <= found.batch_tokens.high
        if estimate.learning_rate is not None:  # the critical batch gives none
            assert found.learning_rate.low <= estimate.learning_rate <= found.learning_rate.high
            assert 0 < estimate.learning_rate < 1


def test_the_time_is_the_plans_on_its_gpus_and_at_llama3s_mfu() -> None:
    setup = hardware("h100", gpus=512)
    result = plan(1e23, hardware=setup)
    time = recipe(result).time
    assert time is not None
    assert result.hardware is not None
    assert result.hardware.days is not None
    assert time.days == pytest.approx(result.hardware.days, rel=1e-12)
    assert time.tokens_per_second == pytest.approx(
        512 * setup.chip.peak_flops_per_second * setup.mfu / (6 * result.optimum.params)
    )
    assert time.days_at_llama3_mfu is not None
    assert time.days_at_llama3_mfu.low == pytest.approx(time.days * setup.mfu / LLAMA3_MFU[1])
    assert recipe(plan(1e23)).time is None  # no GPUs, no time


@pytest.mark.parametrize("bad", [0, -1, 1.5, math.nan, math.inf, "4096", True])
def test_a_sequence_length_must_be_a_whole_number_of_tokens(bad: object) -> None:
    with pytest.raises(InputError, match="seq_len must be a whole number of tokens"):
        recipe(plan(1e21), seq_len=bad)  # type: ignore[arg-type]


def test_a_domain_without_a_hyperparameter_law_is_refused() -> None:
    with pytest.raises(InfeasibleError, match="no shipped hyper-parameter law covers the image domain"):
        recipe(plan(1e21, domain="image"))


def test_the_hyperparameter_laws_are_language_laws_that_plan_no_budget() -> None:
    laws = hyperparameter_laws()
    assert {law.id for law in laws} == {"deepseek2024-hparams", "kaplan2020-critical-batch", "li2025-steplaw"}
    for law in laws:
        assert law.domain == "language"
        assert law.why_unplannable() is not None
    with pytest.raises(InfeasibleError, match="cannot split a FLOP budget"):
        plan(1e21, "deepseek2024-hparams")
    assert "third-party" in " ".join(find_law("li2025-steplaw").caveats)


def test_the_critical_batch_is_kaplans_at_the_plans_loss_and_gives_no_learning_rate() -> None:
    """B_crit = B_* / L^(1/alpha_B), Table 5's 2.1e8 and 0.21: 3.98M tokens at L = 2.3
    (the quoted formula, evaluated)."""
    law = find_law("kaplan2020-critical-batch")
    assert law.params.batch_tokens(0, 0, 0, 2.3) == pytest.approx(3.98e6, rel=0.01)
    assert law.params.batch_tokens(0, 0, 0, None) is None
    result = plan(1e21, level=None)
    found = recipe(result)
    (kaplan,) = [e for e in found.hyperparameters if e.law.id == "kaplan2020-critical-batch"]
    assert kaplan.learning_rate is None
    assert kaplan.batch_tokens == pytest.approx(law.params.batch_tokens(0, 0, 0, result.optimum.loss))
    assert kaplan.inputs.startswith("L = ")
    assert any(n.code == "critical_batch_units" for n in found.notices)
