"""Arrays of budgets: the plans of many FLOP budgets at once, as columns of numbers.

Owns `plan_array` and its result, `PlanColumns`: one numpy array per quantity of a plan
(params, tokens, loss, which cap binds, what limited data costs, ...), never a Python object
per budget. The maths is each form's own, in its `*_array` methods; the rules (caps, limited
data, the checks that refuse a budget) are those of `planner.planning.budget.plan`, which the
results match to rounding. numpy is imported inside the functions, never at planner's start.
Raises InputError or InfeasibleError naming the first bad budget; never prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from planner.errors import InfeasibleError, InputError
from planner.planning.budget import LOG_STEP, resolve_law
from planner.planning.results import LawRef, law_ref
from planner.planning.sense import check_level, check_positive
from planner.units import FLOPS_PER_PARAM_TOKEN

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from planner.forms.base import Law

    Floats = NDArray[np.float64]

BINDINGS = (None, "max_params", "max_tokens")
"""What the codes of `PlanColumns.binding` mean: 0 no cap binds, 1 max_params, 2 max_tokens."""

SCALAR_ONLY = frozenset(
    {
        "transfer",
        "finetune_chars",
        "finetune_tokens",
        "chars_per_token",
        "hardware",
        "repeated_fraction",
        "repeats",
    }
)
"""Options of `plan` that arrays of budgets do not take: they price one plan at a time."""


class ArrayForm(Protocol):
    """A form that plans arrays of budgets: its scalar maths, one array at a time."""

    def optimal_params_array(self, C: Floats) -> Floats:
        """Compute-optimal N at each budget."""

    def plan_loss_array(self, C: Floats, N: Floats) -> Floats:
        """The loss a plan of N parameters at C reports, per budget."""


class SlopedForm(ArrayForm, Protocol):
    """A form with a loss anywhere on the budget line, so d loss / d ln C of its best plan."""

    def budget_loss_array(self, C: Floats, N: Floats) -> Floats:
        """Loss of N parameters on C / (6N) tokens, per budget."""


class LimitedArrayForm(SlopedForm, Protocol):
    """A budget line with a finite supply of U unique tokens (planner.forms.base.Limited)."""

    U: float
    R_D_star: float
    R_N_star: float

    @property
    def saturation(self) -> float:
        """U (1 + R_D*): the effective data no number of epochs reaches."""

    def effective_array(self, N: Floats, D: Floats) -> tuple[Floats, Floats]:
        """(N', D') of N parameters trained on D tokens, per budget."""

    def optimal_params_near_array(self, C: Floats, N: Floats, near: float = ..., tol: float = ...) -> Floats:
        """Optimal N at budgets whose optimum lies within `near` e-folds of N (a budget a hair
        from one solved), to `tol` in ln N."""


FLOAT_COLUMNS = (
    "flops",
    "params",
    "tokens",
    "tokens_per_param",
    "loss",
    "converged_loss",
    "unconstrained_params",
    "unconstrained_tokens",
    "unconstrained_tokens_per_param",
    "unconstrained_loss",
    "loss_increase",
    "epochs",
    "effective_tokens",
    "effective_params",
    "unlimited_params",
    "unlimited_tokens",
    "unlimited_tokens_per_param",
    "unlimited_loss",
    "loss_penalty",
    "loss_per_ln_flops",
    "unlimited_loss_per_ln_flops",
)
"""The float columns a result may carry, in output order."""

INTERVAL_COLUMNS = (
    "params_low",
    "params_high",
    "tokens_low",
    "tokens_high",
    "tokens_per_param_low",
    "tokens_per_param_high",
    "loss_low",
    "loss_high",
    "model_error",
    "failed_draws",
)
"""With a level: the central intervals of Plan.intervals, NaN where the draws give none."""

COLUMNS = (
    *FLOAT_COLUMNS[:5],
    "extrapolated",
    FLOAT_COLUMNS[5],
    "binding",
    *FLOAT_COLUMNS[6:],
    *INTERVAL_COLUMNS,
)
CONSTANTS = (
    "max_params",
    "max_tokens",
    "unique_tokens",
    "saturation_tokens",
    "R_D_star",
    "R_N_star",
    "level",
)


class PlanColumns:
    """The plans of an array of budgets under one law: one numpy array per quantity.

    Always: `flops`, `params`, `tokens`, `tokens_per_param` and `loss` (a plan's `optimum`),
    and `extrapolated` (bool: flops, params or tokens outside the law's fitted range, where
    `plan` adds an `extrapolation` notice). `converged_loss` where the law gives one. With a
    cap (max_params or max_tokens): `binding` (int8 codes, see BINDINGS), the free optimum's
    `unconstrained_*` and `loss_increase` (the free optimum itself and 0 where no cap binds,
    where a `Plan` has None). With unique_tokens: `epochs`, `effective_tokens`,
    `effective_params`, the unlimited-data plan's `unlimited_*`, `loss_penalty`,
    `loss_per_ln_flops` and `unlimited_loss_per_ln_flops`, as in `Plan.data`. With a `level`
    (a law with a covariance): the intervals of `Plan.intervals` as `params_low`,
    `params_high`, ... `loss_high`, the `model_error` sigma and the `failed_draws`, NaN
    where the draws give no interval; `interval_method` says how. Columns a plan
    does not have are None. Constants (`law`, the caps, the supply and its decay constants)
    are attributes. `len()` counts budgets; `result[i]` is budget i's plan as a dict of
    Python numbers; a slice, mask or index array gives the plans of those budgets.
    """

    __slots__ = (*COLUMNS, *CONSTANTS, "decay_source", "interval_method", "law")

    law: LawRef
    flops: Floats
    params: Floats
    tokens: Floats
    tokens_per_param: Floats
    loss: Floats
    extrapolated: NDArray[np.bool_]
    converged_loss: Floats | None
    binding: NDArray[np.int8] | None
    unconstrained_params: Floats | None
    unconstrained_tokens: Floats | None
    unconstrained_tokens_per_param: Floats | None
    unconstrained_loss: Floats | None
    loss_increase: Floats | None
    epochs: Floats | None
    effective_tokens: Floats | None
    effective_params: Floats | None
    unlimited_params: Floats | None
    unlimited_tokens: Floats | None
    unlimited_tokens_per_param: Floats | None
    unlimited_loss: Floats | None
    loss_penalty: Floats | None
    loss_per_ln_flops: Floats | None
    unlimited_loss_per_ln_flops: Floats | None
    params_low: Floats | None
    params_high: Floats | None
    tokens_low: Floats | None
    tokens_high: Floats | None
    tokens_per_param_low: Floats | None
    tokens_per_param_high: Floats | None
    loss_low: Floats | None
    loss_high: Floats | None
    model_error: Floats | None
    failed_draws: Floats | None
    max_params: float | None
    max_tokens: float | None
    unique_tokens: float | None
    saturation_tokens: float | None
    R_D_star: float | None
    R_N_star: float | None
    level: float | None
    decay_source: str | None
    interval_method: str | None

    def __init__(self, law: LawRef, columns: dict[str, Any], constants: dict[str, Any]) -> None:
        self.law = law
        for name in COLUMNS:
            setattr(self, name, columns.get(name))
        for name in (*CONSTANTS, "decay_source", "interval_method"):
            setattr(self, name, constants.get(name))

    def columns(self) -> dict[str, Any]:
        """The arrays this result carries, by name, in output order."""
        found = ((name, getattr(self, name)) for name in COLUMNS)
        return {name: value for name, value in found if value is not None}

    def constants(self) -> dict[str, float | str]:
        """The values shared by every budget (caps, supply, decay constants) that were given."""
        found = ((name, getattr(self, name)) for name in (*CONSTANTS, "decay_source", "interval_method"))
        return {name: value for name, value in found if value is not None}

    def __len__(self) -> int:
        return len(self.flops)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index: Any) -> Any:
        """Budget `index`'s plan as a dict of Python numbers, or, for a slice, boolean mask or
        array of indices, a PlanColumns of those budgets."""
        import numpy as np

        if isinstance(index, (int, np.integer)):
            position = range(len(self))[index]  # IndexError past the end, as for a list
            row: dict[str, Any] = {"law": self.law.id}
            for name, column in self.columns().items():
                value = column[position].item()
                row[name] = BINDINGS[value] if name == "binding" else value
            return row | self.constants()
        picked = {name: column[index] for name, column in self.columns().items()}
        return PlanColumns(self.law, picked, self.constants())

    def to_dict(self) -> dict[str, Any]:
        """{"law": law id, each column: its array, each given constant: its value}."""
        return {"law": self.law.id} | self.columns() | self.constants()

    def to_pandas(self) -> Any:  # a pandas.DataFrame; pandas is optional, so untyped here
        """A pandas DataFrame, one row per budget; `binding` becomes a categorical of the cap
        names. The law id and the constants go in `DataFrame.attrs`. Raises ImportError
        without pandas."""
        try:
            import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError:
            raise ImportError(
                "PlanColumns.to_pandas needs pandas, which is not installed; pip install pandas"
            ) from None
        frame = pd.DataFrame(self.columns(), copy=False)
        if self.binding is not None:
            frame["binding"] = pd.Categorical.from_codes(self.binding, categories=["none", *BINDINGS[1:]])
        frame.attrs = {"law": self.law.id} | self.constants()
        return frame

    def __repr__(self) -> str:
        return f"<PlanColumns of {len(self)} budgets under {self.law.id}: {', '.join(self.columns())}>"

    def _repr_html_(self) -> str:
        """A notebook's view: the first and last EDGE budgets' columns as a table (numbers to
        six figures), with the count and the law; the whole in `to_pandas()`."""
        import html

        columns = self.columns()
        size = len(self)
        shown = list(range(size)) if size <= 2 * EDGE else [*range(EDGE), -1, *range(size - EDGE, size)]
        head = "".join(f"<th>{html.escape(name)}</th>" for name in columns)
        rows = []
        for index in shown:
            if index < 0:
                rows.append(f'<tr><td colspan="{len(columns)}">... {size - 2 * EDGE:,} more ...</td></tr>')
                continue
            cells = "".join(
                f"<td>{_binding(values[index]) if name == 'binding' else _cell(values[index])}</td>"
                for name, values in columns.items()
            )
            rows.append(f"<tr>{cells}</tr>")
        caption = f"{size:,} plan{'' if size == 1 else 's'} under {html.escape(self.law.id)}"
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{''.join(rows)}</table>"


EDGE = 5
"""Budgets a notebook shows at each end of a PlanColumns."""


def _binding(code: Any) -> str:
    return BINDINGS[int(code)] or "none"


def _cell(value: Any) -> str:
    number = value.item() if hasattr(value, "item") else value
    if isinstance(number, float):
        return f"{number:.6g}"
    return str(number)


def plan_array(
    flops: Any,
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    max_params: float | None = None,
    max_tokens: float | None = None,
    unique_tokens: float | None = None,
    level: float | None = None,
    **scalar_only: object,
) -> PlanColumns:
    """The compute-optimal plan of every budget of a 1-D array, as columns.

    What `plan(budget, law, ...)` gives for each budget, to rounding (1e-12 relative for the
    closed forms; the numeric search of limited data finds the same optimum to its tolerance),
    in one pass of numpy over the whole array: no Python object per budget.

    Args:
        flops: a 1-D array (or list) of real numbers, each a budget in FLOPs.
        law: a `Law`, a law id, a path to a law file, or None for the domain's default law.
        domain: as for `plan`.
        max_params: cap on the parameter count of every plan, as for `plan`.
        max_tokens: cap on the training tokens of every plan, as for `plan`.
        unique_tokens: the unique tokens available to every plan, as for `plan`.
        level: the level of intervals on every plan, as `plan` gives them, in (0, 1); None
            (the default, unlike `plan`) for none. About 1e4 budgets a second of CPU with
            the chinchilla form; limited data about 70 ms per budget (each searches every draw).

    Returns:
        A `PlanColumns`, one entry per budget in the order given.

    Raises:
        InputError: flops that are not a non-empty 1-D array of finite numbers above zero
            (the message names the first bad index), a bad limit, a law or option the array
            path does not take (the message says to use `plan`).
        InfeasibleError: a budget `plan` would refuse (too small, beyond floating point,
            outside the caps); the message names the first such index.
    """
    for name in scalar_only:
        if name not in SCALAR_ONLY:
            raise TypeError(f"plan_array() got an unexpected keyword argument {name!r}")
        raise InputError(f"{name} is not priced for arrays of budgets; use plan() for each budget")
    import numpy as np

    chosen = resolve_law(law, domain)
    if max_params is not None:
        max_params = check_positive("max_params", max_params, least=1)
    if max_tokens is not None:
        max_tokens = check_positive("max_tokens", max_tokens, least=1)
    if unique_tokens is not None:
        unique_tokens = check_positive("unique_tokens", unique_tokens)
    if level is not None:
        level = check_level(level)
    budgets = checked_budgets(flops)
    reason = chosen.why_unplannable()
    if reason is not None:
        raise InfeasibleError(
            f"law {chosen.id} cannot split a FLOP budget: {reason}; see plan laws show {chosen.id}, "
            f"or plan with a {chosen.domain} law that gives N_opt"
        )
    supply: LimitedArrayForm | None = None
    form: ArrayForm = _array_form(chosen, chosen.params)
    if unique_tokens is not None:
        from planner.planning.limited_data import decay_source, limited_form

        supply = _array_form(chosen, limited_form(chosen, unique_tokens))
        assert supply is not None
        form = supply
    with np.errstate(all="ignore"):  # overflow and underflow are refused by `_refuse`, by index
        free, params, binding = _split(budgets, form, max_params, max_tokens)
        capped = max_params is not None or max_tokens is not None
        if capped and chosen.off_optimum is not None and bool(binding.any()):
            where = int(np.argmax(binding != 0))
            raise InfeasibleError(
                f"{_at(where, budgets)}law {chosen.id} gives {chosen.off_optimum}, so it cannot "
                f"price a capped plan ({BINDINGS[binding[where]]} binds); use a law of form chinchilla or kaplan-nd"
            )
        columns: dict[str, Any] = {"flops": budgets}
        unconstrained = _allocation(budgets, free, form)
        _refuse(chosen, budgets, unconstrained)
        optimum = _allocation(budgets, params, form) if capped else unconstrained
        _refuse(chosen, budgets, optimum)
        columns |= dict(zip(("params", "tokens", "tokens_per_param", "loss"), optimum, strict=True))
        columns["extrapolated"] = _extrapolated(chosen, budgets, optimum[0], optimum[1])
        columns["converged_loss"] = _converged_loss(chosen, optimum[0])
        if capped:
            columns["binding"] = binding
            names = ("unconstrained_params", "unconstrained_tokens", "unconstrained_tokens_per_param")
            columns |= dict(zip((*names, "unconstrained_loss"), unconstrained, strict=True))
            columns["loss_increase"] = optimum[3] - unconstrained[3]
        constants: dict[str, Any] = {"max_params": max_params, "max_tokens": max_tokens}
        if supply is not None:
            decay = decay_source(chosen)
            columns |= _limited_columns(chosen, supply, budgets, free, optimum, max_params, max_tokens)
            constants |= {
                "unique_tokens": supply.U,
                "saturation_tokens": supply.saturation,
                "R_D_star": supply.R_D_star,
                "R_N_star": supply.R_N_star,
                "decay_source": decay.citation,
            }
        _sensible(budgets, columns)
        if level is not None:
            _interval_columns(
                chosen, budgets, columns, constants, check_level(level), max_params, max_tokens, supply
            )
    return PlanColumns(law_ref(chosen), columns, constants)


def _interval_columns(
    law: Law,
    budgets: Floats,
    columns: dict[str, Any],
    constants: dict[str, Any],
    level: float,
    max_params: float | None,
    max_tokens: float | None,
    supply: Any,
) -> None:
    """The interval columns of a plan at `level`, added to `columns` (as plan_one keeps
    N within [C / 6 max_tokens, max_params]); nothing for a law without a covariance."""
    import numpy as np

    from planner.planning.interval_arrays import budget_interval_arrays

    low = budgets / (FLOPS_PER_PARAM_TOKEN * max_tokens) if max_tokens else np.zeros_like(budgets)
    high = np.full_like(budgets, max_params if max_params is not None else math.inf)
    found = budget_interval_arrays(law, budgets, low, high, level, form=supply)
    if found is None:
        return
    bands, method = found
    for name in INTERVAL_COLUMNS[:-1]:
        columns[name] = bands[name]
    columns["failed_draws"] = bands["failed"]
    constants |= {"level": level, "interval_method": method}


def checked_budgets(flops: Any) -> Floats:
    """`flops` as a new 1-D float64 array, or the error `plan` gives, naming the first bad index."""
    import numpy as np

    if isinstance(flops, (str, bytes)):
        raise InputError(
            f"flops must be an array of numbers, not text (got {flops!r}); give e.g. [1e21, 1e22]"
        )
    array = np.asarray(flops)
    if array.dtype.kind not in "iuf":
        raise InputError(
            f"flops must be an array of real numbers (got dtype {array.dtype}); give a float64 array, "
            "e.g. numpy.geomspace(1e18, 1e24, 100)"
        )
    if array.ndim != 1:
        shape = "x".join(str(size) for size in array.shape) or "0-d"
        raise InputError(
            f"flops must be a 1-D array of budgets (got shape {shape}); flatten it with .ravel(), "
            "or give one budget to plan()"
        )
    if array.size == 0:
        raise InputError("flops is empty; give at least one budget")
    budgets = np.array(array, dtype=np.float64)  # a copy: the result keeps it
    bad = ~(np.isfinite(budgets) & (budgets > 0))
    if bad.any():
        where = int(np.argmax(bad))
        raise InputError(
            f"flops[{where}] must be a finite number above zero (got {array[where].item()!r}); give e.g. 1e21"
        )
    small = budgets < FLOPS_PER_PARAM_TOKEN
    if small.any():
        where = int(np.argmax(small))
        check_positive("flops", budgets[where].item(), least=FLOPS_PER_PARAM_TOKEN)
    return budgets


def _at(index: int, budgets: Floats) -> str:
    return f"flops[{index}] ({budgets[index]:.3g} FLOPs): "


def _array_form(law: Law, form: object) -> Any:
    """`form` if it plans arrays of budgets, else InputError saying to use plan()."""
    if all(callable(getattr(form, name, None)) for name in ("optimal_params_array", "plan_loss_array")):
        return form
    raise InputError(f"law {law.id} (form {law.form}) has no array path; use plan() for each budget")


Allocations = tuple["Floats", "Floats", "Floats", "Floats"]


def _split(
    budgets: Floats, form: ArrayForm, max_params: float | None, max_tokens: float | None
) -> tuple[Floats, Floats, NDArray[np.int8]]:
    """(free N, N within the caps, binding codes) per budget, as budget._split does for one."""
    import numpy as np

    free = form.optimal_params_array(budgets)
    low = budgets / (FLOPS_PER_PARAM_TOKEN * max_tokens) if max_tokens else np.zeros_like(budgets)
    high = max_params or math.inf
    outside = low > high
    if outside.any():
        assert max_params is not None
        assert max_tokens is not None
        where = int(np.argmax(outside))
        most = FLOPS_PER_PARAM_TOKEN * max_params * max_tokens
        raise InfeasibleError(
            f"{_at(where, budgets)}{budgets[where]:.3g} FLOPs cannot be spent within max_params "
            f"{max_params:.3g} and max_tokens {max_tokens:.3g}, which allow at most {most:.3g} FLOPs "
            "(C = 6ND); lower the budget or raise a limit"
        )
    free = np.where(np.isnan(free), math.inf, free)  # an overflowed search: no finite optimum
    params = np.minimum(np.maximum(free, low), high)
    binding = np.zeros(budgets.shape, dtype=np.int8)
    binding[params < free] = 1
    binding[params > free] = 2
    return free, params, binding


def _allocation(budgets: Floats, params: Floats, form: ArrayForm) -> Allocations:
    tokens = budgets / (FLOPS_PER_PARAM_TOKEN * params)
    return params, tokens, tokens / params, form.plan_loss_array(budgets, params)


def _refuse(law: Law, budgets: Floats, allocation: Allocations) -> None:
    """budget._checked on every budget: InfeasibleError for the first it would refuse."""
    import numpy as np

    params, tokens, ratio, loss = allocation
    finite = np.isfinite(params) & np.isfinite(tokens) & np.isfinite(ratio) & np.isfinite(loss)
    small = finite & ((params < 1) | (tokens < 1))
    broken = ~finite | (params <= 0) | (tokens <= 0) | (ratio <= 0) | (loss <= 0)
    bad = small | broken
    if not bad.any():
        return
    where = int(np.argmax(bad))
    if small[where]:
        raise InfeasibleError(
            f"{_at(where, budgets)}{budgets[where]:.3g} FLOPs is too small to plan: the split would be "
            f"{params[where]:.3g} parameters on {tokens[where]:.3g} tokens; give a larger budget"
        )
    raise InfeasibleError(
        f"{_at(where, budgets)}{budgets[where]:.3g} FLOPs is beyond what law {law.id} can compute "
        "in floating point; give a budget nearer the range the law was fitted on"
    )


def _extrapolated(law: Law, budgets: Floats, params: Floats, tokens: Floats) -> NDArray[np.bool_]:
    """Where `plan` would add an `extrapolation` notice (planning.notices.range_notice)."""
    import numpy as np

    outside = np.zeros(budgets.shape, dtype=bool)
    observed = {"flops": budgets, "params": params, "tokens": tokens}
    for quantity, (low, high) in law.fitted_range.bounds().items():
        if quantity in observed:
            outside |= (observed[quantity] > high) | (observed[quantity] < low)
    return outside


def _converged_loss(law: Law, params: Floats) -> Floats | None:
    """The law's converged loss L(N) at each size, or None where it gives none."""
    array: Callable[[Floats], Floats | None] | None = getattr(law, "converged_loss_array", None)
    if array is not None:
        return array(params)
    if law.converged_loss(float(params[0])) is not None:
        raise InputError(
            f"law {law.id} gives a converged loss with no array path; use plan() for each budget"
        )
    return None


def _limited_columns(
    law: Law,
    supply: LimitedArrayForm,
    budgets: Floats,
    free: Floats,
    optimum: Allocations,
    max_params: float | None,
    max_tokens: float | None,
) -> dict[str, Floats]:
    """What `Plan.data` holds, per budget: the plan of unlimited data beside this one."""
    import numpy as np

    unlimited_form: SlopedForm = _array_form(law, law.params)
    unlimited_free, params, _ = _split(budgets, unlimited_form, max_params, max_tokens)
    unlimited = _allocation(budgets, params, unlimited_form)
    _refuse(law, budgets, _allocation(budgets, unlimited_free, unlimited_form))
    _refuse(law, budgets, unlimited)
    effective_params, effective_tokens = supply.effective_array(optimum[0], optimum[1])
    names = ("unlimited_params", "unlimited_tokens", "unlimited_tokens_per_param", "unlimited_loss")
    columns = {
        "epochs": optimum[1] / supply.U,
        "effective_tokens": effective_tokens,
        "effective_params": effective_params,
        **dict(zip(names, unlimited, strict=True)),
        "loss_penalty": optimum[3] - unlimited[3],
        "loss_per_ln_flops": _loss_slope(
            supply,
            lambda at: supply.optimal_params_near_array(at, free, SLOPE_NEAR, SLOPE_TOL),
            budgets,
            optimum[3],
            max_params,
            max_tokens,
        ),
        "unlimited_loss_per_ln_flops": _loss_slope(
            unlimited_form, unlimited_form.optimal_params_array, budgets, unlimited[3], max_params, max_tokens
        ),
    }
    numbers = np.column_stack([*columns.values()])
    bad = ~np.isfinite(numbers).all(axis=1)
    if bad.any():
        where = int(np.argmax(bad))
        raise InfeasibleError(
            f"{_at(where, budgets)}{supply.U:.3g} unique tokens at {budgets[where]:.3g} FLOPs is beyond "
            "what can be computed in floating point; give numbers nearer the range the law was fitted on"
        )
    return columns


SLOPE_NEAR = 0.05
"""E-folds of N either side of the optimum at C where the optimum at C e^(+-LOG_STEP) is
sought: it moves by LOG_STEP times d ln N / d ln C, 1e-3 for an N that grows as fast as C
(a row whose answer lands on an edge is searched again more widely)."""
SLOPE_TOL = 1e-6
"""The tolerance in ln N of those optima: the loss is flat there, so an N off by d changes it
by about L'' d^2 / 2, with L'' the loss's curvature in ln N along the budget line. For the
Chinchilla form L = E + A/N^alpha + B/D^beta with D = C/6N, L'' = alpha^2 A/N^alpha +
beta^2 B/D^beta <= max(alpha, beta)^2 (L - E): for besiroglu2024 (alpha 0.34781, beta
0.36585) 0.134 (L - E), which is 0.22 nats at 1e18 FLOPs and 0.51 at 1e16 (L - E 1.67 and
3.80). So the loss moves by under 3e-13 and the slope, a difference over 2e-3, by under
3e-10 (measured with the repeats of limited data: 3.6e-12 at most beside 0.5 e-folds to
1e-9, on 600,000 budgets under two laws and three supplies); going on to 1e-9 costs 40% more steps."""


def _loss_slope(
    form: SlopedForm,
    optimal: Callable[[Floats], Floats],
    budgets: Floats,
    loss: Floats,
    max_params: float | None,
    max_tokens: float | None,
) -> Floats:
    """budget._loss_slope per budget: d loss / d ln C of the best plan, a central difference
    (backward where the larger budget no longer fits the caps); `loss` is the loss at C and
    `optimal` the free optimum N at a budget."""
    import numpy as np

    def best(at: Floats) -> Floats:
        free = optimal(at)
        low = at / (FLOPS_PER_PARAM_TOKEN * max_tokens) if max_tokens else 0.0
        params = np.minimum(np.maximum(np.where(np.isnan(free), math.inf, free), low), max_params or math.inf)
        return form.budget_loss_array(at, params)

    below = best(budgets * math.exp(-LOG_STEP))
    above_budgets = budgets * math.exp(LOG_STEP)
    above = best(above_budgets)
    if max_params is None or max_tokens is None:
        return (above - below) / (2 * LOG_STEP)
    fits = above_budgets / (FLOPS_PER_PARAM_TOKEN * max_tokens) <= max_params
    return np.where(fits, (above - below) / (2 * LOG_STEP), (loss - below) / LOG_STEP)


def _sensible(budgets: Floats, columns: dict[str, Any]) -> None:
    """planning.sense.sensible per budget: every number finite, every size at least one."""
    import numpy as np

    from planner.planning.sense import AT_LEAST_ONE, BEYOND, UNITS

    for name in FLOAT_COLUMNS:
        column = columns.get(name)
        if column is None:
            continue
        base = name.removeprefix("unconstrained_").removeprefix("unlimited_")
        bad = ~np.isfinite(column) | ((column < 1) if base in AT_LEAST_ONE else False)
        if not bad.any():
            continue
        where = int(np.argmax(bad))
        value = column[where]
        if not math.isfinite(value):
            raise InfeasibleError(f"{_at(where, budgets)}the plan would hold {value} ({name}), {BEYOND}")
        raise InfeasibleError(
            f"{_at(where, budgets)}the plan would have {value:.3g} {base.replace('_', ' ')} ({name}), "
            f"but {UNITS[base]}; give a larger budget, size or data set"
        )
