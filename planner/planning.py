"""Budget to plan: the compute-optimal split of a FLOP budget under a law.

Owns `plan` and `compare` and their results, which are the `--json` contract (field order
here is the order in the output). Checks its inputs and raises `InputError`; never prints.
Standard library only, so that `plan` starts fast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, overload

from planner.errors import InfeasibleError, InputError
from planner.laws import (
    ChinchillaLaw,
    FrontierLaw,
    KaplanNDLaw,
    Law,
    ModelSizeLaw,
    Reproduction,
    default_law,
    find_law,
)
from planner.units import FLOPS_PER_PARAM_TOKEN

FORMAT = "1"
"""Version of the JSON output. Adding a field keeps it; renaming, removing or changing the
meaning of a field bumps it."""

Binding = Literal["max_params", "max_tokens"]


@dataclass(frozen=True)
class Allocation:
    """A split of the budget: parameters, tokens and the loss the law predicts for it."""

    params: float
    tokens: float
    tokens_per_param: float
    loss: float


@dataclass(frozen=True)
class LawRef:
    """Which law a plan used, with enough to find its numbers in the source."""

    id: str
    name: str
    form: str
    domain: str
    citation: str
    locator: str


@dataclass(frozen=True)
class Units:
    """What the numbers count: parameters, tokens, loss and FLOPs differ between laws."""

    params: str
    tokens: str
    loss: str
    flops: str


@dataclass(frozen=True)
class Constraints:
    """Limits asked for, which one binds, and what it costs against the free optimum."""

    max_params: float | None
    max_tokens: float | None
    binding: Binding | None
    unconstrained: Allocation | None
    loss_increase: float | None


@dataclass(frozen=True)
class NaturalAmount:
    """The plan in a unit of the domain: how many images (clips, frames) and the loss per one."""

    unit: str
    tokens_per_unit: float
    count: float
    loss_per_unit: float


@dataclass(frozen=True)
class Intervals:
    """Central intervals on a plan from the parameter covariance its law carries (see method)."""

    level: float
    params: tuple[float, float]
    tokens: tuple[float, float]
    loss: tuple[float, float]
    samples: int
    method: str


@dataclass(frozen=True)
class Notice:
    """Something the user should know about a result, e.g. extrapolation beyond the fit."""

    code: str
    message: str
    level: Literal["warning", "note"] = "warning"


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The compute-optimal plan for one budget under one law."""

    format: str = FORMAT
    planner_version: str
    law: LawRef
    flops: float
    optimum: Allocation
    units: Units
    constraints: Constraints | None = None
    natural_units: tuple[NaturalAmount, ...] = ()
    converged_loss: float | None = None
    notices: tuple[Notice, ...] = ()
    caveats: tuple[str, ...] = ()
    intervals: Intervals | None = None


@dataclass(frozen=True)
class Spread:
    """How far apart the laws are: max / min of params and of tokens over the plans."""

    params: float
    tokens: float


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Every law of a domain planned at the same budget."""

    format: str = FORMAT
    planner_version: str
    flops: float
    domain: str
    plans: tuple[Plan, ...]
    spread: Spread
    notices: tuple[Notice, ...] = ()


def _version() -> str:
    from planner import __version__

    return __version__


def check_positive(name: str, value: float) -> float:
    """The value as a float, or InputError unless it is finite and above zero."""
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise InputError(f"{name} must be a finite number above zero (got {value!r}); give e.g. 1e21")
    return number


def _law(law: Law | str | None, domain: str | None) -> Law:
    if law is None:
        return default_law(domain or "language")
    chosen = find_law(law) if isinstance(law, str) else law
    if domain is not None and chosen.domain != domain:
        raise InputError(
            f"law {chosen.id} is a {chosen.domain} law, not {domain}; drop --domain or choose another law"
        )
    return chosen


@overload
def plan(
    flops: float,
    law: Law | str | None = ...,
    *,
    domain: str | None = ...,
    max_params: float | None = ...,
    max_tokens: float | None = ...,
) -> Plan: ...
@overload
def plan(
    flops: Iterable[float],
    law: Law | str | None = ...,
    *,
    domain: str | None = ...,
    max_params: float | None = ...,
    max_tokens: float | None = ...,
) -> list[Plan]: ...
def plan(
    flops: float | Iterable[float],
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    max_params: float | None = None,
    max_tokens: float | None = None,
) -> Plan | list[Plan]:
    """Compute-optimal params, tokens and loss for one budget, or for each of many.

    Args:
        flops: training budget in FLOPs; a number, or any iterable of numbers (a list, an array).
        law: a `Law`, a law id such as "hoffmann2022", a path to a law file, or None for the
            default law of the domain.
        domain: "language" (the default), "image", "video", "multimodal", "math" or "code".
        max_params: cap on the parameter count; the best split on the same budget line under it.
        max_tokens: cap on the training tokens, likewise.

    Raises:
        InputError: a budget or limit that is not a finite number above zero.
        InfeasibleError: limits that leave no way to spend the budget, or a law that cannot
            price a capped allocation.
    """
    chosen = _law(law, domain)
    if max_params is not None:
        max_params = check_positive("max_params", max_params)
    if max_tokens is not None:
        max_tokens = check_positive("max_tokens", max_tokens)
    if isinstance(flops, (int, float)):
        return _plan_one(check_positive("flops", flops), chosen, max_params, max_tokens)
    budgets = [check_positive("flops", value) for value in flops]
    return [_plan_one(budget, chosen, max_params, max_tokens) for budget in budgets]


def compare(flops: float, domain: str = "language") -> Comparison:
    """Plan one budget under every shipped law of a domain that can split it, with their spread."""
    from planner.laws import available_laws, check_domain

    budget = check_positive("flops", flops)
    laws = available_laws(check_domain(domain))
    plannable = [law for law in laws if why_unplannable(law) is None]
    if not plannable:
        raise InputError(f"no shipped law plans {domain} budgets yet; see plan laws")
    plans = tuple(_plan_one(budget, law, None, None) for law in plannable)
    left_out = tuple(
        Notice("not_compared", f"{law.id} is left out: {why_unplannable(law)}", level="note")
        for law in laws
        if law not in plannable
    )

    def ratio(values: Sequence[float]) -> float:
        return max(values) / min(values)

    spread = Spread(
        params=ratio([p.optimum.params for p in plans]),
        tokens=ratio([p.optimum.tokens for p in plans]),
    )
    return Comparison(
        planner_version=_version(), flops=budget, domain=domain, plans=plans, spread=spread, notices=left_out
    )


def why_unplannable(law: Law) -> str | None:
    """Why a law cannot split a FLOP budget (no compute law or no N_opt), or None when it can."""
    if isinstance(law, ModelSizeLaw):
        return "it predicts loss from model size alone, L(N), with no compute law or N_opt(C)"
    if isinstance(law, FrontierLaw) and not law.params.has_optimal_params:
        return "it gives the loss at a budget, L(C), but no compute-optimal size N_opt(C)"
    return None


def _allocation(law: ChinchillaLaw | KaplanNDLaw | FrontierLaw, flops: float, params: float) -> Allocation:
    tokens = flops / (FLOPS_PER_PARAM_TOKEN * params)
    if isinstance(law, FrontierLaw):
        loss = law.params.frontier_loss(flops)
    else:
        loss = law.params.budget_loss(flops, params)
    values = (params, tokens, tokens / params, loss)
    if all(math.isfinite(v) for v in values) and (params < 1 or tokens < 1):
        raise InfeasibleError(
            f"{flops:.3g} FLOPs is too small to plan: the split would be {params:.3g} parameters "
            f"on {tokens:.3g} tokens; give a larger budget"
        )
    if not all(math.isfinite(v) and v > 0 for v in values):
        raise InfeasibleError(
            f"{flops:.3g} FLOPs is beyond what law {law.id} can compute in floating point; "
            "give a budget nearer the range the law was fitted on"
        )
    return Allocation(params, tokens, tokens / params, loss)


def _plan_one(flops: float, law: Law, max_params: float | None, max_tokens: float | None) -> Plan:
    reason = why_unplannable(law)
    if reason is not None or isinstance(law, ModelSizeLaw):
        raise InfeasibleError(
            f"law {law.id} cannot split a FLOP budget: {reason}; see plan laws show {law.id}, "
            f"or plan with a {law.domain} law that gives N_opt"
        )
    try:
        free = law.params.optimal_params(flops)
    except OverflowError:
        free = math.inf
    low = flops / (FLOPS_PER_PARAM_TOKEN * max_tokens) if max_tokens else 0.0
    high = max_params or math.inf
    if low > high:
        assert max_params is not None
        assert max_tokens is not None
        most = FLOPS_PER_PARAM_TOKEN * max_params * max_tokens
        raise InfeasibleError(
            f"{flops:.3g} FLOPs cannot be spent within max_params {max_params:.3g} and "
            f"max_tokens {max_tokens:.3g}, which allow at most {most:.3g} FLOPs (C = 6ND); "
            "lower the budget or raise a limit"
        )
    params = min(max(free, low), high)
    binding: Binding | None = None
    if params < free:
        binding = "max_params"
    elif params > free:
        binding = "max_tokens"
    unconstrained = _allocation(law, flops, free)
    constraints = None
    if binding is not None and isinstance(law, FrontierLaw):
        raise InfeasibleError(
            f"law {law.id} gives the loss on its compute-optimal frontier only, so it cannot "
            f"price a capped plan ({binding} binds); use a law of form chinchilla or kaplan-nd"
        )
    optimum = _allocation(law, flops, params) if binding else unconstrained
    if max_params is not None or max_tokens is not None:
        constraints = Constraints(
            max_params=max_params,
            max_tokens=max_tokens,
            binding=binding,
            unconstrained=unconstrained if binding else None,
            loss_increase=optimum.loss - unconstrained.loss if binding else None,
        )
    intervals = None
    if law.covariance is not None:
        from planner.intervals import plan_intervals

        intervals = plan_intervals(law, flops, low, high)
    return Plan(
        planner_version=_version(),
        law=LawRef(
            id=law.id,
            name=law.name,
            form=law.form,
            domain=law.domain,
            citation=law.citation,
            locator=law.source.locator,
        ),
        flops=flops,
        optimum=optimum,
        units=Units(
            params=law.quantities.params,
            tokens=law.quantities.tokens,
            loss=law.quantities.loss_units,
            flops=law.quantities.flops,
        ),
        constraints=constraints,
        natural_units=tuple(
            NaturalAmount(unit.name, unit.tokens, optimum.tokens / unit.tokens, optimum.loss * unit.tokens)
            for unit in law.units
        ),
        converged_loss=(
            law.model_size.loss(optimum.params) if isinstance(law, FrontierLaw) and law.model_size else None
        ),
        notices=tuple(_notices(law, flops, optimum, constraints, intervals)),
        caveats=law.caveats,
        intervals=intervals,
    )


def reproduce(law: Law, row: Reproduction) -> dict[str, float]:
    """What the law gives for each value a `reproduces` row quotes, in the row's units."""
    per = law.unit(row.unit).tokens if row.unit else 1.0
    got: dict[str, float] = {}
    if row.flops is not None and any(name != "irreducible_loss" for name in row.expected()):
        optimum = _plan_one(row.flops, law, None, None).optimum
        got |= {
            "params": optimum.params,
            "tokens": optimum.tokens / per,
            "tokens_per_param": optimum.tokens_per_param,
            "loss": optimum.loss * per,
            "reducible_loss": (optimum.loss - law.params.irreducible_loss) * per,
        }
    got["irreducible_loss"] = law.params.irreducible_loss * per
    return {name: got[name] for name in row.expected()}


def extrapolation(
    law_id: str, ranges: dict[str, tuple[float, float]], observed: dict[str, float]
) -> Notice | None:
    """An `extrapolation` notice if any observed quantity lies outside the fitted range."""
    outside = []
    for quantity, (low, high) in ranges.items():
        value = observed[quantity]
        if value > high:
            outside.append(f"{quantity} {value:.3g} is {value / high:.3g}x above the largest ({high:.3g})")
        elif value < low:
            outside.append(f"{quantity} {value:.3g} is {low / value:.3g}x below the smallest ({low:.3g})")
    if not outside:
        return None
    return Notice("extrapolation", f"extrapolation beyond the runs behind {law_id}: {'; '.join(outside)}")


def _notices(
    law: Law, flops: float, optimum: Allocation, constraints: Constraints | None, intervals: Intervals | None
) -> Iterable[Notice]:
    if constraints is not None and constraints.binding is not None:
        limit = constraints.max_params if constraints.binding == "max_params" else constraints.max_tokens
        assert constraints.loss_increase is not None
        assert limit is not None
        yield Notice(
            "constraint_binds",
            f"{constraints.binding} {limit:.3g} binds: the loss is {constraints.loss_increase:.4g} "
            f"nats higher than the free optimum's",
            level="note",
        )
    ranges = law.fitted_range.bounds()
    beyond = extrapolation(
        law.id, ranges, {"flops": flops, "params": optimum.params, "tokens": optimum.tokens}
    )
    if beyond is not None:
        yield beyond
    if law.covariance is not None and intervals is None:
        yield Notice(
            "no_intervals",
            f"no intervals: fewer than half the draws from the covariance of {law.id} give a plan "
            "at this budget (it is too wide for the form)",
        )
    if not ranges:
        yield Notice(
            "range_unknown",
            f"{law.id} records no fitted range, so extrapolation cannot be flagged: "
            f"{law.fitted_range.note or 'see the law file'}",
            level="note",
        )
    if isinstance(law, FrontierLaw):
        printed = law.params.printed_tokens(flops)
        if printed is not None:
            yield Notice(
                "token_convention",
                f"tokens here are C / (6N); the source's own token law gives {printed:.3g} "
                "(see the law's caveats for the convention)",
                level="note",
            )
