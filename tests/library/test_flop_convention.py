"""`flop_convention="6N+attn"`: budgets that pay for attention, planned end to end."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import plan
from planner.errors import InputError
from planner.laws.catalog import find_law
from planner.planning.flop_convention import ASPECT, AttentionCost, attention_cost
from planner.planning.run import evaluate

ATTN = "6N+attn"


def test_the_shape_of_deepseek_7b_gives_its_equation_2() -> None:
    """DeepSeek LLM 7B (arXiv 2401.02954, Table 2: 30 layers, d_model 4096, l_seq 4096):
    M = 72 n_layer d^2 + 12 n_layer d l_seq, with N = 12 n_layer d^2 non-embedding."""
    cost = AttentionCost(seq_len=4096, vocab=102400, tied=False, embedded=False, aspect=4096 / 30)
    n = 12 * 30 * 4096**2
    assert cost.width(n) == pytest.approx(4096, rel=1e-12)
    assert cost.shape(n)[0] == pytest.approx(30, rel=1e-12)
    assert cost.per_token(n) == pytest.approx(72 * 30 * 4096**2 + 12 * 30 * 4096 * 4096, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    log_n=st.floats(math.log(1e6), math.log(1e13)),
    vocab=st.integers(1000, 300000),
    tied=st.booleans(),
    embedded=st.booleans(),
)
def test_the_continuous_shape_holds_n_parameters(
    log_n: float, vocab: int, tied: bool, embedded: bool
) -> None:
    n = math.exp(log_n)
    cost = AttentionCost(seq_len=4096, vocab=vocab, tied=tied, embedded=embedded)
    d = cost.width(n)
    embedding = 0 if not embedded else vocab if tied else 2 * vocab
    assert 12 * d**3 / ASPECT + embedding * d == pytest.approx(n, rel=1e-9)
    n_layer, d_model = cost.shape(n)
    assert cost.attention(n) == pytest.approx(12 * n_layer * d_model * 4096, rel=1e-12)
    tokens = 1e21 / cost.per_token(n)
    assert cost.params_for_tokens(1e21, tokens) == pytest.approx(n, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(log_c=st.floats(math.log(1e17), math.log(1e27)), seq_len=st.sampled_from([512, 2048, 4096, 32768]))
def test_a_plan_spends_its_budget_with_attention_at_the_best_point_of_its_line(
    log_c: float, seq_len: int
) -> None:
    flops = math.exp(log_c)
    found = plan(flops, flop_convention=ATTN, seq_len=seq_len, level=None)
    plain = plan(flops, level=None)
    counted = found.attention
    assert counted is not None
    assert found.flop_convention == ATTN
    assert counted.seq_len == seq_len
    assert counted.flops_per_token * found.optimum.tokens == pytest.approx(flops, rel=1e-12)
    assert counted.law_flops == pytest.approx(6 * found.optimum.params * found.optimum.tokens, rel=1e-12)
    # attention buys fewer tokens: the plan is no better than the 6N plan of the same FLOPs
    assert found.optimum.tokens < plain.optimum.tokens
    assert found.optimum.loss >= plain.optimum.loss
    law = find_law("besiroglu2024")
    cost = attention_cost(law, seq_len, 32000, True)
    for step in (-0.02, 0.02):  # no N nearby on the same budget line does better
        n = found.optimum.params * math.exp(step)
        assert law.params.loss(n, flops / cost.per_token(n)) >= found.optimum.loss


def test_attention_moves_the_optimum_toward_larger_models_than_the_law_share() -> None:
    """At the law's own split of its 6ND share the line's slope is not zero: small models pay
    more attention per parameter, so the best N on the line is larger (about 9% at 1e21)."""
    found = plan(1e21, flop_convention=ATTN, level=None)
    law = find_law("besiroglu2024")
    share = found.attention.law_flops if found.attention else 0.0
    assert found.optimum.params / law.params.optimal_params(share) == pytest.approx(1.087, abs=0.01)


def test_the_default_is_each_law_own_and_6n_changes_nothing() -> None:
    assert plan(1e21, level=None) == plan(1e21, flop_convention="6N", level=None)
    assert plan(1e21, level=None).flop_convention == "6N"
    assert plan(1e21, level=None).attention is None
    deepseek = plan(1e21, "deepseek2024", level=None)
    assert deepseek.flop_convention == ATTN
    assert deepseek.attention is None
    assert plan(1e21, "deepseek2024", flop_convention=ATTN, level=None) == deepseek


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"flop_convention": "6n"}, "flop_convention must be one of 6N, 6N+attn"),
        ({"law": "deepseek2024", "flop_convention": "6N"}, "law deepseek2024 counts its C with attention"),
        ({"flop_convention": ATTN, "seq_len": 0}, "seq_len must be a whole number above zero"),
        (
            {"flop_convention": ATTN, "transfer": "hernandez2021-text", "finetune_chars": 1e9},
            "a fine-tune (transfer) is priced under C = 6ND only",
        ),
    ],
)
def test_bad_conventions_are_refused_in_one_line(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=None) as raised:
        plan(1e21, **kwargs)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_caps_bind_on_the_attention_priced_line() -> None:
    tokens_capped = plan(1e21, flop_convention=ATTN, max_tokens=2e10, level=None)
    assert tokens_capped.optimum.tokens == pytest.approx(2e10, rel=1e-9)
    assert tokens_capped.constraints
    assert tokens_capped.constraints.binding == "max_tokens"
    size_capped = plan(1e21, flop_convention=ATTN, max_params=1e9, level=None)
    assert size_capped.optimum.params == 1e9
    assert size_capped.attention is not None
    assert size_capped.attention.flops_per_token * size_capped.optimum.tokens == pytest.approx(
        1e21, rel=1e-12
    )


def test_limited_data_plans_on_the_same_line() -> None:
    found = plan(1e21, flop_convention=ATTN, unique_tokens=2e10, level=None)
    assert found.data is not None
    assert found.attention is not None
    assert found.attention.flops_per_token * found.optimum.tokens == pytest.approx(1e21, rel=1e-12)
    assert found.data.unlimited.tokens == pytest.approx(
        plan(1e21, flop_convention=ATTN, level=None).optimum.tokens
    )


def test_a_law_without_a_loss_off_its_optimum_keeps_its_allocation_of_its_share() -> None:
    for law_id in ("kaplan2020", "hoffmann2022-approach1"):
        found = plan(1e21, law_id, flop_convention=ATTN, level=None)
        counted = found.attention
        assert counted is not None
        assert counted.method == "the law's allocation of its 6ND share"
        law = find_law(law_id)
        assert found.optimum.params == pytest.approx(law.params.optimal_params(counted.law_flops), rel=1e-9)
        assert counted.flops_per_token * found.optimum.tokens == pytest.approx(1e21, rel=1e-9)


def test_intervals_follow_the_same_line() -> None:
    found = plan(1e21, flop_convention=ATTN)
    bounds = found.intervals
    assert bounds is not None
    assert bounds.params.low < found.optimum.params < bounds.params.high
    assert bounds.tokens.low < found.optimum.tokens < bounds.tokens.high
    cost = attention_cost(find_law("besiroglu2024"), 4096, 32000, True)
    # to the reported digits (planner.planning.rounding): a unit of the sixth is at most 1e-5
    assert bounds.tokens.low == pytest.approx(1e21 / cost.per_token(bounds.params.high), rel=2e-5)
    plain = plan(1e21).intervals
    assert plain is not None  # the relative widths stay close: the same parameter uncertainty
    assert bounds.params.high / bounds.params.low == pytest.approx(
        plain.params.high / plain.params.low, rel=0.05
    )


def test_a_given_run_counts_its_attention_and_its_optimum_on_the_same_line() -> None:
    found = evaluate(7e9, 2e12, flop_convention=ATTN, level=None)
    cost = attention_cost(find_law("besiroglu2024"), 4096, 32000, True)
    assert found.flops == pytest.approx(cost.per_token(7e9) * 2e12, rel=1e-12)
    assert found.run is not None
    assert 0 < found.run.compute_fraction <= 1
    plain = evaluate(7e9, 2e12, level=None)
    assert found.run.loss == plain.run.loss  # the same run: the same loss
    assert found.flops > plain.flops
