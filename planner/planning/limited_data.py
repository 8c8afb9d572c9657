"""Limited unique data: the law that prices repeats, what it tells the user, repeated subsets.

Owns what a supply of unique tokens (Muennighoff et al. 2023, arXiv 2305.16264) and a
subset repeated many times (Hernandez et al. 2022, arXiv 2205.10487) add to a plan: the
data-limited form of a law, the `data` and `repeated_subset` results and their notices.
Imported by `planner.planning.budget` only for plans with such limits; it uses planning's result
types, as `planner.laws.validate` uses the law types. Raises InputError; never prints.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from planner.errors import InfeasibleError, InputError
from planner.forms.base import Law
from planner.laws.catalog import find_law
from planner.planning.results import Allocation, LimitedData, Notice, RepeatedSubset

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.base import Limited

DECAY_LAW = "muennighoff2023"
"""The law whose R_D* and R_N* price repeats under laws that have none of their own."""

MANY_EPOCHS = 4.0
"""Epochs up to which repeating costs little: up to about 4 epochs of repeated data give
"negligible changes to loss compared to having unique data" (Muennighoff et al. 2023, abstract)."""

HERNANDEZ_SHARE = 0.10
"""Share of training tokens that were repeats in Hernandez et al. (2022)'s headline: 0.1% of
the data repeated 100 times, "the other 90% of the training tokens remaining unique" (abstract)."""

HERNANDEZ = (
    'Hernandez et al. 2022 (arXiv:2205.10487) found that "performance of an 800M parameter '
    "model can be degraded to that of a 2x smaller model (400M params) by repeating 0.1% of "
    'the data 100 times", 10% of the training tokens; they give no formula for the damage, '
    "so the plan does not price it"
)


def limited_form(law: Law, unique_tokens: float) -> Limited:
    """The law with `unique_tokens` available: its own decay constants, or Muennighoff's."""
    if unique_tokens < 1:
        raise InputError(
            f"a supply of {unique_tokens:.3g} unique tokens is less than one token; "
            "give the number of unique tokens, e.g. 25e9"
        )
    decay = decay_source(law).decay_constants()
    assert decay is not None
    form = law.limited(unique_tokens, decay)
    if form is not None:
        return form
    raise InputError(
        f"law {law.id} is of form {law.form}, which cannot price repeated data; a supply of unique "
        f"tokens needs a law of form chinchilla or data-constrained, such as {DECAY_LAW}"
    )


def decay_source(law: Law) -> Law:
    """The law whose R_D* and R_N* price repeats under `law`: itself, or Muennighoff et al.'s."""
    if law.decay_constants() is not None:
        return law
    decay = find_law(DECAY_LAW)
    assert decay.decay_constants() is not None, f"{DECAY_LAW} has no decay constants"
    return decay


def limited_data(
    law: Law,
    form: Limited,
    flops: float,
    optimum: Allocation,
    unlimited: Allocation,
    slope: float,
    unlimited_slope: float,
) -> LimitedData:
    """The `data` part of a plan made under a supply of unique tokens."""
    effective_params, effective_tokens = form.effective(optimum.params, optimum.tokens)
    decay = decay_source(law)
    data = LimitedData(
        unique_tokens=form.U,
        epochs=optimum.tokens / form.U,
        effective_tokens=effective_tokens,
        effective_params=effective_params,
        saturation_tokens=form.saturation,
        unlimited=unlimited,
        loss_penalty=_penalty(optimum.loss, unlimited.loss),
        loss_per_ln_flops=slope,
        unlimited_loss_per_ln_flops=unlimited_slope,
        R_D_star=form.R_D_star,
        R_N_star=form.R_N_star,
        decay_source=decay.citation,
    )
    numbers = [value for value in vars(data).values() if isinstance(value, float)]
    if not all(math.isfinite(value) for value in numbers):
        raise InfeasibleError(
            f"{form.U:.3g} unique tokens at {flops:.3g} FLOPs is beyond what can be computed "
            "in floating point; give numbers nearer the range the law was fitted on"
        )
    return data


def data_notices(law: Law, data: LimitedData) -> Iterator[Notice]:
    """Where the plan leans on repeated data, and whose constants price it."""
    if law.decay_constants() is None:
        yield Notice(
            "combined_sources",
            f"repeated data under {law.id} is priced with the decay constants of Muennighoff et al. "
            f"2023 (R_D* {data.R_D_star}, R_N* {data.R_N_star}; arXiv:2305.16264), which were fitted "
            f"beside other E, A, B: a combination of two papers, not a published fit; {DECAY_LAW} "
            "is the authors' own",
            level="note",
        )
    returns = (
        "" if data.returns is None else f", {_percent(data.returns)} of its value with unlimited unique data"
    )
    if data.epochs * data.unique_tokens >= data.saturation_tokens:
        yield Notice(
            "returns_near_zero",
            f"{data.epochs:.3g} epochs of {data.unique_tokens:.3g} unique tokens is past U_D (1 + R_D*) "
            f"= {data.saturation_tokens:.3g} tokens, where effective data saturates "
            f"(D' {data.effective_tokens:.3g}): d loss / d ln C is {data.loss_per_ln_flops:.3g}{returns}; "
            '"the value of adding compute eventually decays to zero" (Muennighoff et al. 2023, abstract), '
            "so more unique data, not more compute, is what lowers the loss here",
        )
    elif data.epochs > MANY_EPOCHS:
        yield Notice(
            "many_epochs",
            f"{data.epochs:.3g} epochs of {data.unique_tokens:.3g} unique tokens: beyond about "
            f"{MANY_EPOCHS:g} epochs Muennighoff et al. 2023 find returns from repeated data diminish "
            f"(abstract); priced here as D' {data.effective_tokens:.3g} effective tokens, "
            f"+{data.loss_penalty:.3g} loss against unlimited unique data",
            level="note",
        )


def check_subset(
    fraction: float | None, repeats: float | None, names: tuple[str, str] = ("repeated_fraction", "repeats")
) -> tuple[float, float]:
    """(fraction, repeats) of a repeated subset, or InputError naming what is wrong.

    `names` are what the message calls the two values (option names on the command line).
    """
    fraction_name, repeats_name = names
    if fraction is None or repeats is None:
        missing, given = (repeats_name, fraction_name) if repeats is None else (fraction_name, repeats_name)
        raise InputError(
            f"{given} needs {missing}: a repeated subset is a fraction of the training tokens "
            "seen a number of times; give both, e.g. 0.001 and 100"
        )
    fraction, repeats = float(fraction), float(repeats)
    if not 0 < fraction < 1:  # also refuses NaN
        raise InputError(
            f"{fraction_name} must be above 0 and below 1 (got {fraction!r}); give e.g. 0.001 for 0.1%"
        )
    if not (math.isfinite(repeats) and repeats >= 1):
        raise InputError(
            f"{repeats_name} must be a finite number of at least 1 (got {repeats!r}); give e.g. 100"
        )
    if fraction * repeats > 1:
        raise InputError(
            f"a subset of {_percent(fraction)} of the training tokens seen {repeats:g} times would be "
            f"{_percent(fraction * repeats)} of the run; lower {fraction_name} or {repeats_name}"
        )
    return fraction, repeats


def repeated_subset(fraction: float, repeats: float, tokens: float) -> RepeatedSubset:
    """A subset of `fraction` of `tokens` training tokens, seen `repeats` times."""
    return RepeatedSubset(
        fraction=fraction,
        repeats=repeats,
        subset_tokens=fraction * tokens,
        repeated_tokens=fraction * repeats * tokens,
        token_share=fraction * repeats,
    )


def subset_notices(subset: RepeatedSubset) -> Iterator[Notice]:
    """The share of the run that is repeats; a warning in the regime Hernandez et al. found damaging.

    That regime, as far as the paper's headline pins it down: most tokens unique, a small
    subset seen many times, and at least the headline's 10% of training tokens from it.
    "Many times" is taken as more than the ~4 epochs Muennighoff et al. (2023) found to cost
    little. Below that share the paper is silent, which the note says.
    """
    what = (
        f"a subset of {_percent(subset.fraction)} of the training tokens ({subset.subset_tokens:.3g}) seen "
        f"{subset.repeats:g} times is {_percent(subset.token_share)} of the run ({subset.repeated_tokens:.3g} tokens)"
    )
    if subset.token_share >= HERNANDEZ_SHARE * (1 - 1e-9) and subset.repeats > MANY_EPOCHS:
        yield Notice("repeated_subset", f"{what}: {HERNANDEZ}")
    else:
        yield Notice(
            "repeated_subset",
            f"{what}, short of the setting Hernandez et al. 2022 (arXiv:2205.10487) report as damaging "
            f"(10% of the training tokens from 0.1% of the data seen 100 times); smaller settings "
            "may still hurt, and the paper gives no formula, so the plan does not price repeats",
            level="note",
        )


def _percent(share: float) -> str:
    return f"{share * 100:.3g}%"


def _penalty(loss: float | None, unlimited: float | None) -> float:
    """How much higher the loss is with the supply; only laws with a loss price repeats."""
    assert loss is not None
    assert unlimited is not None
    return loss - unlimited
