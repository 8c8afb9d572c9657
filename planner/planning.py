"""Budget to plan: the compute-optimal split of a FLOP budget under a law.

Owns `plan` and `compare` and their results, which are the `--json` contract (field order
here is the order in the output). Checks its inputs and raises `InputError`; never prints.
Standard library only, so that `plan` starts fast. What a limited supply of unique data adds
(Muennighoff et al. 2023; Hernandez et al. 2022) is worked out in `planner.repetition`,
imported only for plans that have such a limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

from planner.errors import InfeasibleError, InputError
from planner.laws import (
    FrontierLaw,
    Law,
    ModelSizeLaw,
    Reproduction,
    default_law,
    find_law,
)
from planner.units import FLOPS_PER_PARAM_TOKEN

if TYPE_CHECKING:
    from planner.forms import Form

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
class LimitedData:
    """What a limited supply of unique tokens does to the plan (Muennighoff et al. 2023).

    The plan's `optimum` is the best split of the budget given the supply: its tokens may
    exceed it, in `epochs` passes. Repeated tokens and parameters beyond what the unique data
    can use are worth less: `effective_tokens` (D') and `effective_params` (N') are what the
    law counts, and D' never exceeds `saturation_tokens`, U (1 + R_D*). `unlimited` is the plan
    of the same law, budget and limits with unlimited unique data; `loss_penalty` is how much
    higher the loss is here. `loss_per_ln_flops` is d loss / d ln C at this budget (a central
    difference of the best loss, re-planned at C e^(+-0.001)): how much one more e-fold of
    compute lowers the loss, beside the same slope with unlimited data. R_D* and R_N* are the
    decay constants used, from `decay_source`.
    """

    unique_tokens: float
    epochs: float
    effective_tokens: float
    effective_params: float
    saturation_tokens: float
    unlimited: Allocation
    loss_penalty: float
    loss_per_ln_flops: float
    unlimited_loss_per_ln_flops: float
    R_D_star: float
    R_N_star: float
    decay_source: str

    @property
    def returns(self) -> float | None:
        """loss_per_ln_flops as a share of its unlimited-data value (1 = as good as unlimited
        data, 0 = more compute is wasted); None where that value vanishes in floating point."""
        if self.unlimited_loss_per_ln_flops == 0:
            return None
        return self.loss_per_ln_flops / self.unlimited_loss_per_ln_flops


@dataclass(frozen=True)
class RepeatedSubset:
    """A subset of `fraction` of the training tokens seen `repeats` times (Hernandez et al.
    2022): it makes up `token_share` = fraction x repeats of the run, `repeated_tokens` in all.
    Reported and warned about, never priced: the paper gives no formula for the damage."""

    fraction: float
    repeats: float
    subset_tokens: float
    repeated_tokens: float
    token_share: float


@dataclass(frozen=True)
class NaturalAmount:
    """The plan in a unit of the domain: how many images (clips, frames) and the loss per one."""

    unit: str
    tokens_per_unit: float
    count: float
    loss_per_unit: float


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
    data: LimitedData | None = None
    repeated_subset: RepeatedSubset | None = None
    natural_units: tuple[NaturalAmount, ...] = ()
    converged_loss: float | None = None
    notices: tuple[Notice, ...] = ()
    caveats: tuple[str, ...] = ()


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
    unique_tokens: float | None = ...,
    repeated_fraction: float | None = ...,
    repeats: float | None = ...,
) -> Plan: ...
@overload
def plan(
    flops: Iterable[float],
    law: Law | str | None = ...,
    *,
    domain: str | None = ...,
    max_params: float | None = ...,
    max_tokens: float | None = ...,
    unique_tokens: float | None = ...,
    repeated_fraction: float | None = ...,
    repeats: float | None = ...,
) -> list[Plan]: ...
def plan(
    flops: float | Iterable[float],
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    max_params: float | None = None,
    max_tokens: float | None = None,
    unique_tokens: float | None = None,
    repeated_fraction: float | None = None,
    repeats: float | None = None,
) -> Plan | list[Plan]:
    """Compute-optimal params, tokens and loss for one budget, or for each of many.

    Args:
        flops: training budget in FLOPs; a number, or any iterable of numbers (a list, an array).
        law: a `Law`, a law id such as "hoffmann2022", a path to a law file, or None for the
            default law of the domain.
        domain: "language" (the default), "image", "video", "multimodal", "math" or "code".
        max_params: cap on the parameter count; the best split on the same budget line under it.
        max_tokens: cap on the training tokens, likewise.
        unique_tokens: the unique tokens available. The plan may repeat them (epochs), priced
            by Muennighoff et al. (2023)'s decay of repeated data; the result's `data` says
            how. Needs a law of form chinchilla or data-constrained.
        repeated_fraction, repeats: a subset of that fraction of the training tokens seen
            that many times; reported in `repeated_subset` and warned about where Hernandez
            et al. (2022) found such repeats damaging. Give both or neither.

    Raises:
        InputError: a budget or limit that is not a finite number above zero, a fraction
            outside (0, 1), repeats below 1, or a law that cannot price repeated data.
        InfeasibleError: limits that leave no way to spend the budget, or a law that cannot
            price a capped allocation.
    """
    chosen = _law(law, domain)
    if max_params is not None:
        max_params = check_positive("max_params", max_params)
    if max_tokens is not None:
        max_tokens = check_positive("max_tokens", max_tokens)
    if unique_tokens is not None:
        unique_tokens = check_positive("unique_tokens", unique_tokens)
    subset: tuple[float, float] | None = None
    if repeated_fraction is not None or repeats is not None:
        from planner.repetition import check_subset

        subset = check_subset(repeated_fraction, repeats)
    limits = _Limits(max_params, max_tokens, unique_tokens, subset)
    if isinstance(flops, (int, float)):
        return _plan_one(check_positive("flops", flops), chosen, limits)
    budgets = [check_positive("flops", value) for value in flops]
    return [_plan_one(budget, chosen, limits) for budget in budgets]


def compare(flops: float, domain: str = "language") -> Comparison:
    """Plan one budget under every shipped law of a domain that can split it, with their spread."""
    from planner.laws import available_laws, check_domain

    budget = check_positive("flops", flops)
    laws = available_laws(check_domain(domain))
    plannable = [law for law in laws if why_unplannable(law) is None]
    if not plannable:
        raise InputError(f"no shipped law plans {domain} budgets yet; see plan laws")
    plans = tuple(_plan_one(budget, law, _Limits()) for law in plannable)
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


class _Limits:
    """Everything a plan is asked to respect besides the budget.

    A plain class, not a dataclass: this module is imported on every start, and creating a
    dataclass costs about a millisecond there."""

    __slots__ = ("max_params", "max_tokens", "subset", "unique_tokens")

    def __init__(
        self,
        max_params: float | None = None,
        max_tokens: float | None = None,
        unique_tokens: float | None = None,
        subset: tuple[float, float] | None = None,  # (fraction, repeats)
    ) -> None:
        self.max_params = max_params
        self.max_tokens = max_tokens
        self.unique_tokens = unique_tokens
        self.subset = subset

    def without_data(self) -> _Limits:
        """The same caps with unlimited unique data and no repeated subset."""
        return _Limits(self.max_params, self.max_tokens)


def _allocation(law: Law, form: Form, flops: float, params: float) -> Allocation:
    tokens = flops / (FLOPS_PER_PARAM_TOKEN * params)
    priced = (
        law.params.frontier_loss(flops) if isinstance(law, FrontierLaw) else form.budget_loss(flops, params)
    )
    assert priced is not None
    loss: float = priced
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


def _split(form: Form, flops: float, limits: _Limits) -> tuple[float, float, Binding | None]:
    """(free N, N within the caps, which cap binds): the best N on the budget line.

    Clamping the free optimum into the caps is exact because every form's loss is unimodal
    in log N along the budget line (convex for the closed forms; checked numerically for
    the data-constrained one, whose solver also guards against a second dip).
    """
    try:
        free = form.optimal_params(flops)
    except OverflowError:
        free = math.inf
    max_params, max_tokens = limits.max_params, limits.max_tokens
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
    return free, params, binding


LOG_STEP = 1e-3
"""Half-width in ln C of the central difference for d loss / d ln C."""


def _loss_slope(form: Form, flops: float, limits: _Limits) -> float:
    """d loss / d ln C of the best plan at `flops`: a central difference of the best loss,
    re-planned at C e^(+-LOG_STEP) under the same limits.

    Differencing the optimum (not the loss at a fixed split) is what the envelope theorem
    asks for, and stays right where the optimum sits on a kink of the data-constrained loss
    (e.g. exactly one epoch). Solver error in N moves the loss by O(error^2) at a smooth
    minimum, far below the O(LOG_STEP^2) truncation error. Where a larger budget no longer
    fits the caps, a backward difference is used.
    """

    def best(budget: float) -> float:
        _, params, _ = _split(form, budget, limits)
        loss = form.budget_loss(budget, params)
        assert loss is not None
        return loss

    low = best(flops * math.exp(-LOG_STEP))
    try:
        return (best(flops * math.exp(LOG_STEP)) - low) / (2 * LOG_STEP)
    except InfeasibleError:
        return (best(flops) - low) / LOG_STEP


def _plan_one(flops: float, law: Law, limits: _Limits) -> Plan:
    reason = why_unplannable(law)
    if reason is not None or isinstance(law, ModelSizeLaw):
        raise InfeasibleError(
            f"law {law.id} cannot split a FLOP budget: {reason}; see plan laws show {law.id}, "
            f"or plan with a {law.domain} law that gives N_opt"
        )
    form: Form = law.params
    if limits.unique_tokens is not None:
        from planner.repetition import limited_form

        form = limited_form(law, limits.unique_tokens)
    free, params, binding = _split(form, flops, limits)
    unconstrained = _allocation(law, form, flops, free)
    constraints = None
    if binding is not None and isinstance(law, FrontierLaw):
        raise InfeasibleError(
            f"law {law.id} gives the loss on its compute-optimal frontier only, so it cannot "
            f"price a capped plan ({binding} binds); use a law of form chinchilla or kaplan-nd"
        )
    optimum = _allocation(law, form, flops, params) if binding else unconstrained
    if limits.max_params is not None or limits.max_tokens is not None:
        constraints = Constraints(
            max_params=limits.max_params,
            max_tokens=limits.max_tokens,
            binding=binding,
            unconstrained=unconstrained if binding else None,
            loss_increase=optimum.loss - unconstrained.loss if binding else None,
        )
    data = None
    subset = None
    extra: list[Notice] = []
    if limits.unique_tokens is not None or limits.subset is not None:
        from planner import repetition

        if limits.unique_tokens is not None:
            unlimited = _plan_one(flops, law, limits.without_data())
            data = repetition.limited_data(
                law,
                form,
                flops,
                optimum,
                unlimited.optimum,
                _loss_slope(form, flops, limits),
                _loss_slope(law.params, flops, limits),
            )
            extra += repetition.data_notices(law, data)
        if limits.subset is not None:
            subset = repetition.repeated_subset(*limits.subset, optimum.tokens)
            extra += repetition.subset_notices(subset)
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
        data=data,
        repeated_subset=subset,
        natural_units=tuple(
            NaturalAmount(unit.name, unit.tokens, optimum.tokens / unit.tokens, optimum.loss * unit.tokens)
            for unit in law.units
        ),
        converged_loss=(
            law.model_size.loss(optimum.params) if isinstance(law, FrontierLaw) and law.model_size else None
        ),
        notices=(*_notices(law, flops, optimum, constraints), *extra),
        caveats=law.caveats,
    )


def reproduce(law: Law, row: Reproduction) -> dict[str, float]:
    """What the law gives for each value a `reproduces` row quotes, in the row's units."""
    per = law.unit(row.unit).tokens if row.unit else 1.0
    got: dict[str, float] = {}
    if row.flops is not None and any(name != "irreducible_loss" for name in row.expected()):
        optimum = _plan_one(row.flops, law, _Limits(unique_tokens=row.unique_tokens)).optimum
        got |= {
            "params": optimum.params,
            "tokens": optimum.tokens / per,
            "tokens_per_param": optimum.tokens_per_param,
            "loss": optimum.loss * per,
            "reducible_loss": (optimum.loss - law.params.irreducible_loss) * per,
        }
    got["irreducible_loss"] = law.params.irreducible_loss * per
    return {name: got[name] for name in row.expected()}


def _notices(
    law: Law, flops: float, optimum: Allocation, constraints: Constraints | None
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
    observed = {"flops": flops, "params": optimum.params, "tokens": optimum.tokens}
    outside = []
    for quantity, (low, high) in ranges.items():
        value = observed[quantity]
        if value > high:
            outside.append(f"{quantity} {value:.3g} is {value / high:.3g}x above the largest ({high:.3g})")
        elif value < low:
            outside.append(f"{quantity} {value:.3g} is {low / value:.3g}x below the smallest ({low:.3g})")
    if outside:
        yield Notice(
            "extrapolation",
            f"extrapolation beyond the runs behind {law.id}: {'; '.join(outside)}",
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
