"""A block of a stream's free plans kept as columns: what plan_each gives, without a Plan
per budget.

Owns `PlanBlock`: the plans of many budgets under one law without caps, hardware or data
limits (the common block of `plan --from`), as one model plan that holds what they share
and a column for each value that differs between them (NUMBERS, BOUNDED and the notices).
It is a sequence of plans, each made when asked and equal to the one plan_each makes
budget by budget (the tests compare them); a stream's printers (planner.output.templates)
write its lines from the model's own text with these columns in its slots, without making
the plans. Plain Python: a block's intervals come in their columns from
planner.planning.interval_arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from planner.forms.base import Law
from planner.planning.intervals import BOUNDS, interval_of
from planner.planning.notices import extrapolation_column, plan_notices, quiet_plans
from planner.planning.results import Allocation, Notice, Plan
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, overload

    from planner.planning.interval_arrays import IntervalRows


NUMBERS = ("flops", "params", "tokens", "tokens_per_param", "loss")
"""The slots of every plan: its budget and its optimum."""
BOUNDED = (*BOUNDS, "model_error", "draws", "failed", "method")
"""The slots of a plan with intervals, besides NUMBERS."""
COUNTS = ("draws", "failed")
"""The slots that hold whole numbers; `method` holds text and `notices` a tuple of
notices; every other slot a float."""
WIDENED = ("parameter_loss_low", "parameter_loss_high", "loss_low", "loss_high")
"""The ends an extrapolation notice states the model error's widening of (notices.widened)."""
REPEATING = frozenset({"model_error", "draws", "failed"})
"""Slots whose values repeat from line to line (the model error is one value inside the
fitted range; the draws are the same at every budget a cell holds), which a printer may
write once each; never -0.0."""


class PlanBlock(Sequence[Plan]):
    """The plans of a block, from `model` and `columns` (a list per slot: NUMBERS, then
    BOUNDED when `level` is set, and `notices`), except the lines in `plans`, planned in
    full (a budget without intervals, one beyond floating point, ...)."""

    def __init__(
        self, model: Plan, level: float | None, columns: dict[str, list[Any]], plans: dict[int, Plan]
    ) -> None:
        self.model = model
        self.level = level
        self.columns = columns
        self.plans = plans
        self.slots = (*NUMBERS, *(BOUNDED if level is not None else ()), "notices")

    def __len__(self) -> int:
        return len(self.columns["flops"])

    if TYPE_CHECKING:

        @overload
        def __getitem__(self, index: int) -> Plan: ...
        @overload
        def __getitem__(self, index: slice) -> list[Plan]: ...

    def __getitem__(self, index: int | slice) -> Plan | list[Plan]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        found = self.plans.get(index)
        if found is not None:
            return found
        return self.plan_of({name: self.columns[name][index] for name in self.slots})

    def plan_of(self, values: Mapping[str, Any]) -> Plan:
        """The plan with these slot values and the model's every other field."""
        optimum = Allocation(values["params"], values["tokens"], values["tokens_per_param"], values["loss"])
        intervals = None
        if self.level is not None:
            intervals = interval_of(
                self.level,
                [values[name] for name in BOUNDS],
                values["model_error"],
                values["draws"],
                values["failed"],
                values["method"],
            )
        return self.model.replace(
            flops=values["flops"], optimum=optimum, notices=values["notices"], intervals=intervals
        )

    def runs(self) -> Iterator[tuple[int, int] | Plan]:
        """The block in order: (start, stop) of each run of lines from the columns, and
        each line planned in full as its Plan."""
        start = 0
        for index in sorted(self.plans):
            if index > start:
                yield start, index
            yield self.plans[index]
            start = index + 1
        if start < len(self):
            yield start, len(self)

    def notices(self) -> Iterator[Notice]:
        """Every notice of the block's plans, in their order."""
        column = self.columns["notices"]
        for index in range(len(self)):
            found = self.plans.get(index)
            yield from found.notices if found is not None else column[index]


def plan_block(
    law: Law,
    budgets: Sequence[float],
    splits: list[tuple[float, float]],
    given: IntervalRows | list[None] | None,
    level: float | None,
    one: Callable[[int], Plan],
) -> PlanBlock | None:
    """The free plans of `budgets` under `law` as a PlanBlock: `splits` their (N, loss)
    (the form's plans_of), `given` their intervals when asked for (None: not asked), `one`
    plan_each's plan of one line, for the lines the columns cannot hold and the model.
    None where no line can be held (then plan_each plans each). In plain Python: a stream
    without intervals never imports numpy."""
    if isinstance(given, list):
        return None  # asked, and the law has no draws: every plan says so
    size = len(budgets)
    params = [n for n, _ in splits]
    losses = [loss for _, loss in splits]
    inf = math.inf
    tokens = [c / (FLOPS_PER_PARAM_TOKEN * n) if n else inf for c, n in zip(budgets, params, strict=True)]
    ratios = [d / n if n else inf for d, n in zip(tokens, params, strict=True)]
    # what _checked accepts: every number finite, sizes at least one, the rest above zero
    held = [
        1 <= n < inf and 1 <= d < inf and 0 < r < inf and 0 < loss < inf
        for n, d, r, loss in zip(params, tokens, ratios, losses, strict=True)
    ]
    if type(law).converged_loss is not Law.converged_loss:  # a form that gives one: none held
        held = [ok and law.converged_loss(n) is None for ok, n in zip(held, params, strict=True)]
    bounded = None
    if given is not None:
        bounded = [low == low for low in given.bounds[0]]  # NaN: no interval at this budget
        held = [ok and has for ok, has in zip(held, bounded, strict=True)]
    lines = [index for index, ok in enumerate(held) if ok]
    if not lines:
        return None
    plans = {index: one(index) for index, ok in enumerate(held) if not ok}
    model = one(lines[0])
    if model.average_top1_error_proxy or model.mixture_of_experts is not None or model.natural_units:
        return None  # the law adds to each plan: plan_each's own steps add it
    columns: dict[str, list[Any]] = {
        "flops": list(budgets),
        "params": params,
        "tokens": tokens,
        "tokens_per_param": ratios,
        "loss": losses,
    }
    if given is not None:
        columns.update(zip(BOUNDS, given.bounds, strict=True))
        columns["model_error"] = given.sigma
        columns["draws"] = given.draws
        columns["failed"] = given.failed
        columns["method"] = given.methods()
    notices: list[tuple[Notice, ...]] = [()] * size
    quiet = quiet_plans(law, budgets, params, tokens, bounded, given.failed if given is not None else None)
    asked = given is not None
    noticed = [i for i, (ok, calm) in enumerate(zip(held, quiet, strict=True)) if ok and not calm]
    if law.fitted_range.bounds() and type(law).printed_tokens is Law.printed_tokens:
        # a line beyond the fitted range whose only notice is that (no draw failed): its
        # extrapolation notice worded for all such lines at once, as plan_notices words it
        beyond = [i for i in noticed if given is None or not given.failed[i]]
        widening = None
        if given is not None:
            ends = [given.bounds[BOUNDS.index(name)] for name in WIDENED]
            widening = (
                given.level,
                [given.sigma[i] for i in beyond],
                [[end[i] for i in beyond] for end in ends],
            )
        worded = extrapolation_column(
            law,
            [budgets[i] for i in beyond],
            [params[i] for i in beyond],
            [tokens[i] for i in beyond],
            widening,
        )
        for index, notice in zip(beyond, worded, strict=True):
            notices[index] = () if notice is None else (notice,)
        noticed = [i for i in noticed if given is not None and given.failed[i]]
    for index in noticed:
        optimum = Allocation(params[index], tokens[index], ratios[index], losses[index])
        bands = given[index] if given is not None else None  # as plan_each's notices of the line
        notices[index] = tuple(
            plan_notices(law, budgets[index], optimum, None, None, intervals=bands, asked=asked)
        )
    columns["notices"] = notices
    return PlanBlock(model, level if given is not None else None, columns, plans)
