"""A fine-tune inside a plan: a budget law and a transfer law, from two papers, combined.

Owns reading `plan`'s fine-tuning options, pricing the fine-tuning set at the plan's N
("report" mode), choosing N for a data-limited fine-tune with the budget law's loss
evaluated at the effective data D_E = D + D_T in place of the D tokens trained on
("data_limited" mode), and the notices that label the combination. The budget laws count
tokens (and, for Chinchilla, total parameters); Hernandez et al. 2021 count characters and
non-embedding parameters: tokens are converted with the user's own characters-per-token
ratio, N is passed unchanged, and a notice says both. Never prints; standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from planner.errors import InputError
from planner.forms.base import Law
from planner.forms.transfer import TransferLaw
from planner.optimize import minimize_log
from planner.planning.results import FineTune, Notice
from planner.planning.transfer import finetune_size, transfer_law, transfer_one
from planner.records import Record
from planner.units import FLOPS_PER_PARAM_TOKEN


class Ask(Record):
    """A fine-tuning set and the transfer law that prices it, as `plan` was given them."""

    law: TransferLaw
    chars: float
    tokens: float | None
    chars_per_token: float | None


def ask(
    transfer: Law | str | None,
    finetune_chars: float | None,
    finetune_tokens: float | None,
    chars_per_token: float | None,
    max_tokens: float | None,
) -> Ask | None:
    """The fine-tune asked for, checked; None when no transfer law was given."""
    if transfer is None:
        if finetune_chars is not None or finetune_tokens is not None or chars_per_token is not None:
            raise InputError(
                "a fine-tuning set needs a transfer law to price it: give transfer= (--transfer), "
                "e.g. hernandez2021-text"
            )
        return None
    chars, tokens = finetune_size(finetune_chars, finetune_tokens, chars_per_token)
    if max_tokens is not None:
        if chars_per_token is None or tokens is None:
            raise InputError(
                "a data-limited fine-tune (max_tokens with a transfer law) needs chars_per_token, "
                "to put the plan's tokens and the transfer law's characters on one scale"
            )
        if max_tokens > tokens * (1 + 1e-9):
            raise InputError(
                f"max_tokens {max_tokens:.3g} is more than the fine-tuning set ({tokens:.3g} tokens): "
                "neither law models repeated epochs; give max_tokens at most the set's size"
            )
    return Ask(transfer_law(transfer), chars, tokens, chars_per_token)


def report(law: Law, fine: Ask, params: float) -> tuple[FineTune, list[Notice]]:
    """The whole fine-tuning set priced at the plan's N; the plan itself is unchanged."""
    estimate = transfer_one(fine.law, params, fine.chars, fine.tokens, fine.chars_per_token)
    ratio = fine.chars_per_token
    result = FineTune(
        mode="report",
        transfer=estimate.replace(notices=()),
        effective_tokens=estimate.effective / ratio if ratio else None,
        loss_from_scratch=None,
    )
    return result, [*combination_notices(law, fine), *estimate.notices]


def effective_tokens(fine: Ask, flops: float, params: float) -> tuple[float, float]:
    """(D, D_E) in tokens for N params on the budget line, the D tokens being fine-tuning data."""
    ratio = fine.chars_per_token
    assert ratio is not None
    tokens = flops / (FLOPS_PER_PARAM_TOKEN * params)
    try:
        transferred = fine.law.params.transferred(tokens * ratio, params) / ratio
    except OverflowError:
        transferred = math.inf
    return tokens, tokens + transferred


def loss_with_transfer(law: Law, fine: Ask, flops: float, params: float) -> float:
    """The budget law's loss at N with the effective data D_E in place of the tokens trained on."""
    _, effective = effective_tokens(fine, flops, params)
    return float(law.params.loss(params, effective))


def best_params(law: Law, fine: Ask, flops: float, low: float, high: float) -> float:
    """The N in [low, high] with the lowest loss at effective data (a bracketed search)."""
    return minimize_log(lambda params: loss_with_transfer(law, fine, flops, params), low, high)


def data_limited(
    law: Law,
    fine: Ask,
    flops: float,
    params: float,
    capped_by_params: bool,
) -> tuple[FineTune, list[Notice]]:
    """The fine-tune behind a data-limited plan at its chosen N, and what to say about it."""
    ratio = fine.chars_per_token
    assert ratio is not None
    tokens, effective = effective_tokens(fine, flops, params)
    estimate = transfer_one(fine.law, params, tokens * ratio, tokens, ratio)
    scratch = law.params.loss(params, tokens)
    result = FineTune(
        mode="data_limited",
        transfer=estimate.replace(notices=()),
        effective_tokens=effective,
        loss_from_scratch=scratch,
    )
    why = (
        "; the loss falls as N grows (D_T grows as N^beta), so the largest allowed model wins"
        if capped_by_params
        else ""
    )
    chosen = Notice(
        "finetune_loss",
        f"N chosen for a data-limited fine-tune: the loss of {law.id} is evaluated at the effective "
        f"data D_E {effective:.3g} tokens ({tokens:.3g} fine-tuning tokens plus what pre-training is "
        f"worth under {fine.law.id}) in place of the tokens trained on; from scratch the same N and "
        f"tokens give loss {scratch:.4f}; pre-training compute is not in the budget{why}",
        level="note",
    )
    return result, [*combination_notices(law, fine), chosen, *estimate.notices]


def combination_notices(law: Law, fine: Ask) -> Iterator[Notice]:
    """Label the combination of two laws, and every unit they do not share."""
    other = fine.law
    yield Notice(
        "combined_laws",
        f"this plan combines two laws from different papers: {law.id} ({law.citation}) for the "
        f"plan and {other.id} ({other.citation}) for what pre-training is worth",
        level="note",
    )
    differences = []
    if law.quantities.params != other.quantities.params:
        differences.append(
            f"{law.id} counts N as {law.quantities.params.replace('_', '-')} parameters and {other.id} "
            f"as {other.quantities.params.replace('_', '-')}: the transfer law is evaluated at the "
            "plan's N unchanged"
        )
    if law.quantities.data_unit != other.quantities.data_unit:
        ratio = fine.chars_per_token
        converted = (
            f"converted at {ratio:g} characters per token, the ratio given"
            if ratio is not None
            else "the effective data is left in characters (no characters-per-token ratio given)"
        )
        differences.append(
            f"{law.id} counts data in {law.quantities.data_unit} and {other.id} in "
            f"{other.quantities.data_unit}: {converted}"
        )
    if differences:
        yield Notice("units_differ", "; ".join(differences))
