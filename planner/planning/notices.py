"""The notices that go with a plan: what the user should know about a result.

Owns the wording of each notice code (constraint_binds, extrapolation, range_unknown,
no_intervals, mfu_default, token_convention); each says what is wrong or assumed and, where
it can, what to do. Must not compute plans or print.
"""

from __future__ import annotations

from planner.forms.base import Law
from planner.planning.results import Allocation, Constraints, Intervals, Notice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.hardware import Hardware


def plan_notices(
    law: Law,
    flops: float,
    optimum: Allocation,
    constraints: Constraints | None,
    hardware: Hardware | None,
    law_tokens: float | None = None,
    intervals: Intervals | None = None,
    asked: bool = False,
) -> list[Notice]:
    """Notices about the plan law's side; law_tokens: the tokens its loss saw, if not optimum's."""
    found: list[Notice] = []
    if constraints is not None and constraints.binding is not None:
        limit = constraints.max_params if constraints.binding == "max_params" else constraints.max_tokens
        increase = constraints.loss_increase
        assert increase is not None
        assert limit is not None
        found.append(
            Notice(
                "constraint_binds",
                f"{constraints.binding} {limit:.3g} binds: the loss is {abs(increase):.4g} "
                f"nats {'higher' if increase >= 0 else 'lower'} than the free optimum's",
                level="note",
            )
        )
    ranges = law.fitted_range.bounds()
    tokens = optimum.tokens if law_tokens is None else law_tokens
    notice = extrapolation(law.id, ranges, {"flops": flops, "params": optimum.params, "tokens": tokens})
    if notice is not None:
        found.append(widened(notice, intervals))
    if asked and intervals is None:
        found.append(
            Notice(
                "no_intervals",
                f"no intervals: fewer than half the draws from the covariance of {law.id} give a plan "
                "at this budget (it is too wide for the form)",
            )
        )
    elif intervals is not None and intervals.failed:
        found.append(
            Notice(
                "draws_failed",
                f"{intervals.failed} of {intervals.failed + intervals.draws} draws of {law.id}'s "
                "parameters give no plan here; the intervals are over the other "
                f"{intervals.draws}",
                level="note",
            )
        )
    if not ranges:
        found.append(
            Notice(
                "range_unknown",
                f"{law.id} records no fitted range, so extrapolation cannot be flagged: "
                f"{law.fitted_range.note or 'see the law file'}",
                level="note",
            )
        )
    if hardware is not None and not hardware.mfu_given:
        from planner.hardware import DEFAULT_MFU_SOURCE

        found.append(
            Notice(
                "mfu_default",
                f"MFU {hardware.mfu} assumed: {DEFAULT_MFU_SOURCE}, a well-tuned large run; "
                "give your own with --mfu",
                level="note",
            )
        )
    printed = law.printed_tokens(flops)
    if printed is not None:
        found.append(
            Notice(
                "token_convention",
                f"tokens here are C / (6N); the source's own token law gives {printed:.3g} "
                "(see the law's caveats for the convention)",
                level="note",
            )
        )
    return found


def quiet_plans(
    law: Law,
    flops: Sequence[float],
    params: Sequence[float],
    tokens: Sequence[float],
    bounded: Sequence[bool] | None = None,
    failed: Sequence[int] | None = None,
) -> list[bool]:
    """Which plans of a block `plan_notices` would say nothing about: its twin for many
    free plans at once (no constraints, hardware or law_tokens). With intervals asked for,
    `bounded` marks the plans that have them and `failed` counts their draws without a
    plan. A plan not marked is to be asked plan_notices itself."""
    ranges = law.fitted_range.bounds()
    if not ranges:
        return [False] * len(flops)  # range_unknown on every plan
    observed = {"flops": flops, "params": params, "tokens": tokens}
    quiet = [True] * len(flops)
    for quantity, (low, high) in ranges.items():
        values = observed.get(quantity)
        if values is not None:  # extrapolation
            quiet = [calm and low <= value <= high for calm, value in zip(quiet, values, strict=True)]
    if bounded is not None:
        assert failed is not None
        quiet = [  # no_intervals, draws_failed
            calm and has and not lost for calm, has, lost in zip(quiet, bounded, failed, strict=True)
        ]
    if type(law).printed_tokens is not Law.printed_tokens:  # a form with a token law of its own
        quiet = [calm and law.printed_tokens(c) is None for calm, c in zip(quiet, flops, strict=True)]
    return quiet


def widened(notice: Notice, intervals: Intervals | None) -> Notice:
    """An extrapolation notice that also says how much the model error widens the loss interval."""
    if (
        intervals is None
        or intervals.loss is None
        or intervals.parameter_loss is None
        or not intervals.model_error
    ):
        return notice
    alone, both = intervals.parameter_loss, intervals.loss
    return notice.replace(
        message=notice.message
        + _widening(intervals.model_error, intervals.level, alone.low, alone.high, both.low, both.high)
    )


def _widening(
    sigma: float, level: float, alone_low: float, alone_high: float, low: float, high: float
) -> str:
    return (
        f"; model error (sigma {sigma:.3g} in log loss) widens the {level:.0%} loss interval from "
        f"{alone_low:.4f}-{alone_high:.4f} (parameters alone) to {low:.4f}-{high:.4f}"
    )


def extrapolation_column(
    law: Law,
    flops: Sequence[float],
    params: Sequence[float],
    tokens: Sequence[float],
    bands: tuple[float, Sequence[float], Sequence[Sequence[float]]] | None = None,
) -> list[Notice | None]:
    """The extrapolation notice `plan_notices` gives each free plan of a block (None inside
    the fitted range), worded by the same pieces, without a plan or its intervals made for
    it: `bands`, with intervals, is (level, model error column, [parameter_loss low, high,
    loss low, high] columns), whose widening each notice also states."""
    ranges = law.fitted_range.bounds()
    observed = {"flops": flops, "params": params, "tokens": tokens}
    parts = [
        (quantity, values, low, high)
        for quantity, (low, high) in ranges.items()
        if (values := observed.get(quantity)) is not None
    ]
    if bands is not None:
        level, sigma, (alone_low, alone_high, low_end, high_end) = bands
    found: list[Notice | None] = []
    for index in range(len(flops)):
        outside = [
            said
            for quantity, values, low, high in parts
            if (said := _beyond(quantity, values[index], low, high)) is not None
        ]
        if not outside:
            found.append(None)
            continue
        message = _extrapolated(law.id, outside)
        if bands is not None and sigma[index]:
            message += _widening(
                sigma[index], level, alone_low[index], alone_high[index], low_end[index], high_end[index]
            )
        found.append(Notice("extrapolation", message))
    return found


def range_notice(law: Law, observed: dict[str, float], subject: str = "") -> Notice | None:
    """An `extrapolation` notice if any observed quantity lies outside the law's fitted range."""
    return extrapolation(law.id + subject, law.fitted_range.bounds(), observed)


def extrapolation(
    law_id: str, ranges: dict[str, tuple[float, float]], observed: dict[str, float]
) -> Notice | None:
    """An `extrapolation` notice if any observed quantity lies outside the fitted ranges."""
    outside = [
        said
        for quantity, (low, high) in ranges.items()
        if (value := observed.get(quantity)) is not None
        and (said := _beyond(quantity, value, low, high)) is not None
    ]
    if not outside:
        return None
    return Notice("extrapolation", _extrapolated(law_id, outside))


def _beyond(quantity: str, value: float, low: float, high: float) -> str | None:
    """How far `value` lies beyond [low, high], the fitted range of `quantity`; None inside."""
    if value > high:
        return f"{quantity} {value:.3g} is {value / high:.3g}x above the largest ({high:.3g})"
    if value < low:
        return f"{quantity} {value:.3g} is {low / value:.3g}x below the smallest ({low:.3g})"
    return None


def _extrapolated(law_id: str, outside: list[str]) -> str:
    return f"extrapolation beyond the runs behind {law_id}: {'; '.join(outside)}"
