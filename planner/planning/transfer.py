"""Fine-tuning data to effective data: what pre-training is worth, under a transfer law.

Owns `transfer` and `transfer_grid` (each result a `Transfer`, one `plan transfer --json`
line), reading a fine-tuning set given in characters or tokens, and the notices that say
where a transfer law stops holding. Checks its inputs and raises `InputError`; never
prints. Standard library only. The law is Hernandez et al. 2021, arXiv 2102.01293 (see
`planner.forms.transfer`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator

from planner.errors import InfeasibleError, InputError
from planner.forms.base import Law, is_law
from planner.laws.catalog import default_transfer_law, find_law
from planner.planning.results import Notice, Transfer, TransferUnits, law_ref, planner_version
from planner.planning.sense import check_positive, question

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.transfer import TransferLaw


def transfer_law(law: Law | str | None) -> TransferLaw:
    """The transfer law named (an id, a path or a Law), or the default one for None."""
    if law is None:
        return default_transfer_law()
    chosen = find_law(os.fspath(law), "transfer") if isinstance(law, (str, os.PathLike)) else law
    if not is_law(chosen):
        raise InputError(f"law must be a Law, a law id or a path (got {type(law).__name__} {law!r})")
    if chosen.kind != "transfer":
        raise InputError(
            f"law {chosen.id} has form {chosen.form}, not transfer: it plans FLOP budgets; "
            "give a transfer law such as hernandez2021-text (see plan laws)"
        )
    return chosen  # type: ignore[return-value]


def finetune_size(
    chars: float | None, tokens: float | None, chars_per_token: float | None
) -> tuple[float, float | None]:
    """(characters, tokens or None) of a fine-tuning set given in either unit.

    Tokens need an explicit characters-per-token ratio: the planner never guesses one.
    """
    if (chars is None) == (tokens is None):
        raise InputError("give the fine-tuning set once: finetune_chars or finetune_tokens")
    ratio = (
        None if chars_per_token is None else check_positive("chars_per_token", chars_per_token, example="3.3")
    )
    if tokens is not None:
        if ratio is None:
            raise InputError(
                "finetune_tokens needs chars_per_token, your tokenizer's characters per token on "
                "this data: the transfer law counts characters, and the ratio is never guessed"
            )
        count = check_positive("finetune_tokens", tokens, example="1e8")
        return _at_least_one_char(count * ratio, f"{count:.3g} tokens at {ratio:.3g} characters each"), count
    count = check_positive("finetune_chars", chars, example="1e8")
    count = _at_least_one_char(count, f"{count:.3g} characters")
    return count, None if ratio is None else count / ratio


def _at_least_one_char(chars: float, what: str) -> float:
    """The fine-tuning set in characters, refused under one: no set is smaller than that."""
    if not (math.isfinite(chars) and chars >= 1):
        raise InfeasibleError(
            f"a fine-tuning set of {what} is {chars:.3g} characters; a fine-tuning set has at "
            "least one character (and few enough to count): give a larger set or ratio"
        )
    return chars


@question("the transfer estimate")
def transfer(
    params: float,
    law: Law | str | None = None,
    *,
    finetune_chars: float | None = None,
    finetune_tokens: float | None = None,
    chars_per_token: float | None = None,
) -> Transfer:
    """The effective data a fine-tune on top of pre-training is worth, for one model size.

    Args:
        params: N, the pre-trained model's non-embedding parameters.
        law: a transfer law, its id or path, or None for the default (hernandez2021-text).
        finetune_chars: D_F in characters; or give finetune_tokens with chars_per_token.
        finetune_tokens: D_F in tokens, converted with chars_per_token (required with it).
        chars_per_token: characters per token of your tokenizer on the fine-tuning data.

    Raises:
        InputError: a size that is not a finite number above zero, both or neither of the
            fine-tuning sizes, tokens without a ratio, or a law that is not a transfer law.
    """
    chars, tokens = finetune_size(finetune_chars, finetune_tokens, chars_per_token)
    return transfer_one(
        transfer_law(law), check_positive("params", params, example="1e8"), chars, tokens, chars_per_token
    )


@question("the transfer estimates")
def transfer_grid(
    params: Iterable[float],
    law: Law | str | None = None,
    *,
    finetune_chars: Iterable[float] | None = None,
    finetune_tokens: Iterable[float] | None = None,
    chars_per_token: float | None = None,
) -> list[Transfer]:
    """`transfer` for every model size and every fine-tuning set, model size first."""
    chosen = transfer_law(law)
    sizes = [check_positive("params", value, example="1e8") for value in params]
    if (finetune_chars is None) == (finetune_tokens is None):
        raise InputError("give the fine-tuning sets once: finetune_chars or finetune_tokens")
    given = finetune_chars if finetune_chars is not None else finetune_tokens
    assert given is not None
    data = [
        finetune_size(value, None, chars_per_token)
        if finetune_chars is not None
        else finetune_size(None, value, chars_per_token)
        for value in given
    ]
    if not sizes or not data:
        raise InputError("give at least one model size and one fine-tuning set")
    return [
        transfer_one(chosen, size, chars, tokens, chars_per_token) for size in sizes for chars, tokens in data
    ]


def transfer_one(
    law: TransferLaw, params: float, chars: float, tokens: float | None, chars_per_token: float | None
) -> Transfer:
    curve = law.params
    try:
        values = (
            curve.transferred(chars, params),
            curve.effective(chars, params),
            curve.multiplier(chars, params),
            curve.fraction_transferred(chars, params),
        )
    except OverflowError:
        values = (math.inf,) * 4
    if not all(math.isfinite(value) for value in values):
        raise InfeasibleError(
            f"{params:.3g} parameters on {chars:.3g} characters is beyond what law {law.id} can "
            "compute in floating point; give sizes nearer the range the law was fitted on"
        )
    transferred, effective, multiplier, fraction = values
    return Transfer(
        planner_version=planner_version(),
        law=law_ref(law),
        params=params,
        finetune_chars=chars,
        finetune_tokens=tokens,
        chars_per_token=chars_per_token,
        transferred=transferred,
        effective=effective,
        multiplier=multiplier,
        fraction_transferred=fraction,
        units=TransferUnits(params=law.quantities.params, data=law.quantities.tokens),
        notices=tuple(regime_notices(law, params, chars)),
        caveats=law.caveats,
    )


def converged_data(law: TransferLaw, params: float) -> float:
    """D(N): the data N parameters need for the law's converged performance (see its regime)."""
    source = find_law(law.regime.converged_data_law)
    needed = source.data_to_reach(params, law.regime.converged_performance)
    if needed is None:
        raise InputError(
            f"law {law.id} estimates D(N) with {source.id}, which has form {source.form}; "
            "its converged_data_law must be a kaplan-nd law"
        )
    return needed


def regime_notices(law: TransferLaw, params: float, chars: float) -> Iterator[Notice]:
    """Where (N, D_F) leaves what the fit supports: low-data regime, ossification, range."""
    regime = law.regime
    needed = converged_data(law, params)
    share = chars / needed
    if share > regime.low_data_fraction:
        yield Notice(
            "low_data_regime",
            f"D_F {chars:.3g} is {share:.3g}x D(N) for N {params:.3g}, beyond the low-data regime "
            f"(D_F up to {regime.low_data_fraction:g} D(N)) where {law.id} holds; "
            f"D(N) ~ {needed:.3g} estimated with {regime.converged_data_law}",
        )
    if regime.ossification_fraction is not None and share >= regime.ossification_fraction:
        yield Notice(
            "ossification",
            f"ossification: D_F {chars:.3g} is {share:.3g}x D(N), at or past {regime.ossification_fraction:g}x: "
            f"the fine-tuning set alone nearly converges a model of {params:.3g} parameters from scratch, "
            "and there pre-trained small models can do worse than from scratch (Hernandez et al. 2021, "
            "Sec. 3.1); the threshold is the law file's heuristic, not the paper's",
        )
    observed = {"params": params, "finetune_chars": chars}
    outside = []
    ranges = law.fitted_range.bounds()
    for quantity, (low, high) in ranges.items():
        value = observed[quantity]
        if value > high:
            outside.append(f"{quantity} {value:.3g} is {value / high:.3g}x above the largest ({high:.3g})")
        elif value < low:
            outside.append(f"{quantity} {value:.3g} is {low / value:.3g}x below the smallest ({low:.3g})")
    available = regime.finetune_data_available
    if available is not None and chars > available:
        outside.append(
            f"finetune_chars {chars:.3g} is more than the {available:.3g} characters the fits drew "
            "their fine-tuning sets from"
        )
    if outside:
        yield Notice("extrapolation", f"extrapolation beyond the runs behind {law.id}: {'; '.join(outside)}")
    if not ranges:
        yield Notice(
            "range_unknown",
            f"{law.id} records no endpoints of its fitted range, so sizes beyond it cannot be "
            f"flagged: {law.fitted_range.note or 'see the law file'}",
            level="note",
        )
