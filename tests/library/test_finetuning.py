"""A fine-tune inside a plan: report mode, data-limited mode, labels, and refused inputs."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner import InfeasibleError, InputError, Law, compare, find_law, plan
from planner.forms.chinchilla import ChinchillaLaw
from planner.forms.kaplan_nd import KaplanNDLaw
from planner.planning.finetune import loss_with_transfer
from planner.planning.transfer import transfer

TEXT = "hernandez2021-text"


def codes(result: object) -> list[str]:
    return [notice.code for notice in result.notices]  # type: ignore[attr-defined]


def test_report_mode_prices_the_set_at_the_plan_n_and_changes_nothing_else() -> None:
    plain = plan(1e21)
    fine = plan(1e21, transfer=TEXT, finetune_tokens=1e8, chars_per_token=3.3)
    assert fine.optimum == plain.optimum
    assert fine.constraints is None
    assert fine.finetune is not None
    assert fine.finetune.mode == "report"
    expected = transfer(plain.optimum.params, TEXT, finetune_tokens=1e8, chars_per_token=3.3)
    assert fine.finetune.transfer.effective == expected.effective
    assert fine.finetune.transfer.multiplier == expected.multiplier
    assert fine.finetune.transfer.notices == ()  # they are the plan's
    assert fine.finetune.effective_tokens == pytest.approx(expected.effective / 3.3)
    assert fine.finetune.loss_from_scratch is None
    assert codes(fine)[: len(plain.notices)] == codes(plain)
    assert {"combined_laws", "units_differ", "range_unknown"} <= set(codes(fine))


def test_the_combination_and_its_units_are_labelled() -> None:
    fine = plan(1e21, transfer=TEXT, finetune_chars=3.3e8)
    notes = {notice.code: notice for notice in fine.notices}
    combined = notes["combined_laws"]
    assert combined.level == "note"
    assert "two laws from different papers" in combined.message
    assert "arXiv:2404.10102" in combined.message
    assert "arXiv:2102.01293" in combined.message
    units = notes["units_differ"]
    assert units.level == "warning"
    assert "total parameters" in units.message
    assert "non-embedding" in units.message
    assert "tokens" in units.message
    assert "characters" in units.message
    assert fine.finetune is not None
    assert fine.finetune.effective_tokens is None  # no ratio given: left in characters


def test_a_kaplan_plan_shares_n_counts_with_the_transfer_law() -> None:
    fine = plan(1e21, "kaplan2020-nd", transfer=TEXT, finetune_chars=3.3e8)
    (units,) = [n for n in fine.notices if n.code == "units_differ"]
    assert "counts N" not in units.message  # both non-embedding
    assert "characters" in units.message


def test_data_limited_fine_tune_takes_the_cap_the_transfer_law_rewards() -> None:
    """D_T grows as N^0.38 and shrinks only as D^0.18, so on the budget line bigger N wins."""
    result = plan(
        1e18,
        transfer=TEXT,
        finetune_tokens=1e8,
        chars_per_token=3.3,
        max_tokens=1e8,
        max_params=1e10,
    )
    assert result.optimum.params == 1e10
    assert result.optimum.tokens == pytest.approx(1e18 / 6e10)
    fine = result.finetune
    assert fine is not None
    assert fine.mode == "data_limited"
    assert fine.transfer.finetune_tokens == pytest.approx(result.optimum.tokens)
    assert fine.transfer.finetune_chars == pytest.approx(result.optimum.tokens * 3.3)
    assert fine.effective_tokens == pytest.approx(fine.transfer.effective / 3.3)
    law = find_law("besiroglu2024")
    assert isinstance(law, ChinchillaLaw)
    assert result.optimum.loss == pytest.approx(law.params.loss(1e10, fine.effective_tokens))
    assert fine.loss_from_scratch == pytest.approx(law.params.loss(1e10, result.optimum.tokens))
    assert result.optimum.loss < fine.loss_from_scratch
    assert result.constraints is not None
    assert result.constraints.binding == "max_params"
    assert "finetune_loss" in codes(result)
    (binds,) = [n for n in result.notices if n.code == "constraint_binds"]
    assert "nats lower than" in binds.message


@settings(max_examples=40)
@given(
    flops=st.floats(1e16, 1e19),
    tokens=st.floats(1e6, 1e10),
    cap=st.floats(1e7, 1e12),
    ratio=st.floats(1.5, 5.0),
    law_id=st.sampled_from(["besiroglu2024", "hoffmann2022", "kaplan2020-nd"]),
    transfer_id=st.sampled_from([TEXT, "hernandez2021-text-code"]),
)
def test_no_size_in_the_bracket_beats_the_data_limited_choice(
    flops: float, tokens: float, cap: float, ratio: float, law_id: str, transfer_id: str
) -> None:
    low = flops / (6 * tokens)
    assume(1 <= low <= cap and flops / (6 * cap) >= 1)  # else refused: tested elsewhere
    result = plan(
        flops,
        law_id,
        transfer=transfer_id,
        finetune_tokens=tokens,
        chars_per_token=ratio,
        max_tokens=tokens,
        max_params=cap,
    )
    law = find_law(law_id)
    assert isinstance(law, (ChinchillaLaw, KaplanNDLaw))
    assert result.finetune is not None
    fine = result.finetune
    ask = _ask(transfer_id, tokens, ratio)
    chosen = result.optimum.loss
    for i in range(41):
        n = low * (cap / low) ** (i / 40)
        assert loss_with_transfer(law, ask, flops, n) >= chosen * (1 - 1e-9)
    assert result.optimum.tokens <= tokens * (1 + 1e-9)
    assert fine.transfer.finetune_tokens == pytest.approx(result.optimum.tokens)


def _ask(transfer_id: str, tokens: float, ratio: float):  # type: ignore[no-untyped-def]
    from planner.planning.finetune import ask

    return ask(transfer_id, None, tokens, ratio, tokens)


def test_all_data_used_when_the_loss_law_prefers_it() -> None:
    """With a tiny cap above the data-limited size, the bracket is narrow and holds the answer."""
    result = plan(
        1e18, transfer=TEXT, finetune_tokens=1e8, chars_per_token=3.3, max_tokens=1e8, max_params=2e9
    )
    assert 1e18 / 6e8 <= result.optimum.params <= 2e9
    assert result.constraints is not None
    assert result.constraints.unconstrained == plan(1e18).optimum


def test_without_a_params_cap_a_data_limited_fine_tune_has_no_best_size() -> None:
    with pytest.raises(InfeasibleError, match="no best size without a cap; give max_params"):
        plan(1e18, transfer=TEXT, finetune_tokens=1e8, chars_per_token=3.3, max_tokens=1e8)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"finetune_tokens": 1e8}, InputError, "needs a transfer law"),
        ({"chars_per_token": 3.3}, InputError, "needs a transfer law"),
        ({"transfer": TEXT}, InputError, "give the fine-tuning set once"),
        ({"transfer": TEXT, "finetune_tokens": 1e8}, InputError, "finetune_tokens needs chars_per_token"),
        (
            {"transfer": TEXT, "finetune_chars": 3e8, "max_tokens": 1e8},
            InputError,
            "data-limited fine-tune .* needs chars_per_token",
        ),
        (
            {"transfer": TEXT, "finetune_tokens": 1e8, "chars_per_token": 3.3, "max_tokens": 2e8},
            InputError,
            "more than the fine-tuning set",
        ),
        ({"transfer": TEXT, "finetune_tokens": -1, "chars_per_token": 3.3}, InputError, "above zero"),
        ({"transfer": "besiroglu2024", "finetune_chars": 1e8}, InputError, "not transfer"),
    ],
)
def test_fine_tune_options_that_do_not_go_together(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        plan(1e21, **kwargs)  # type: ignore[arg-type]


def test_a_transfer_law_cannot_plan_a_budget() -> None:
    with pytest.raises(InputError, match="hernandez2021-text is a transfer law"):
        plan(1e21, TEXT)


def test_the_frontier_law_cannot_price_a_data_limited_fine_tune() -> None:
    with pytest.raises(InfeasibleError, match="frontier only"):
        plan(1e18, "kaplan2020", transfer=TEXT, finetune_tokens=1e8, chars_per_token=3, max_tokens=1e8)
    report = plan(1e18, "kaplan2020", transfer=TEXT, finetune_tokens=1e8, chars_per_token=3)
    assert report.finetune is not None


def test_compare_and_defaults_leave_transfer_laws_out(laws: list[Law]) -> None:
    assert {law.domain for law in laws} >= {"language", "code"}
    assert all(p.law.form != "transfer" for p in compare(1e21).plans)
    with pytest.raises(InputError, match="no shipped law plans code budgets yet"):
        compare(1e21, domain="code")
    assert not math.isnan(plan(1e21).optimum.loss)
