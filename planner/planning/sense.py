"""Physical sense of an answer: the one check every question's result goes through.

Owns the rule that an answer is either sensible or refused: every number in it finite (no
NaN, no infinity, on the table or in JSON), and every model size and data amount at least
one (a model has at least one parameter and is trained on at least one token; a fine-tuning
set has at least one character). Each public question (plan, compare, evaluate, the inverse
questions, size curves, inference-aware plans, transfer) is wrapped by `question`, which
also turns arithmetic that floating point cannot do (a division by an underflowed zero, an
overflow) into the same refusal; a fit's budget plan calls `sensible`. Raises
InfeasibleError naming the quantity; never prints.
"""

from __future__ import annotations

import math

from planner.errors import InfeasibleError, InputError
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ParamSpec, TypeVar

    T = TypeVar("T")
    P = ParamSpec("P")


UNITS = {
    "params": "a model has at least one parameter",
    "effective_params": "a model has at least one parameter",
    "tokens": "a run trains on at least one token",
    "effective_tokens": "a run trains on at least one token",
    "finetune_chars": "a fine-tuning set has at least one character",
    "finetune_tokens": "a fine-tuning set has at least one token",
    "gpus": "a run uses at least one GPU",
}

AT_LEAST_ONE = frozenset(UNITS)
"""Fields that count parameters, tokens, characters or chips: below one they mean nothing."""

BEYOND = "beyond what floating point can compute; give numbers nearer the range the law was fitted on"


def question(what: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A public question whose answer is `sensible`, and whose impossible arithmetic is refused."""

    def wrap(ask: Callable[P, T]) -> Callable[P, T]:
        def answer(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                result = ask(*args, **kwargs)
            except ArithmeticError:
                raise InfeasibleError(f"{what} is {BEYOND}") from None
            except ValueError as err:
                if str(err) != "math domain error":  # a log or root of what underflowed to 0
                    raise
                raise InfeasibleError(f"{what} is {BEYOND}") from None
            return sensible(result, what)

        # functools.wraps, without importing functools at every start
        for name in ("__module__", "__name__", "__qualname__", "__doc__", "__annotations__"):
            setattr(answer, name, getattr(ask, name))
        answer.__dict__.update(ask.__dict__)
        answer.__wrapped__ = ask  # type: ignore[attr-defined]
        return answer

    return wrap


def sensible(result: T, what: str = "the answer") -> T:
    """`result` itself, if every number in it is finite and every size at least one."""
    problem = _first_problem(result, "")
    if problem is not None:
        path, value, kind = problem
        where = f" ({path})" if path else ""
        if kind == "infinite":
            raise InfeasibleError(f"{what} would hold {value}{where}, {BEYOND}")
        name = path.rpartition(".")[2]
        raise InfeasibleError(
            f"{what} would have {value:.3g} {name.replace('_', ' ')}{where}, but {UNITS[name]}; "
            "give a larger budget, size or data set"
        )
    return result


def _first_problem(value: Any, path: str) -> tuple[str, float, str] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        small = path.rpartition(".")[2] in AT_LEAST_ONE and value < 1
        return (path, float(value), "small") if small else None
    if isinstance(value, float):
        if not math.isfinite(value):
            return path, value, "infinite"
        if path.rpartition(".")[2] in AT_LEAST_ONE and value < 1:
            return path, value, "small"
        return None
    names = value.__fields__ if isinstance(value, Record) else getattr(value, "__dataclass_fields__", None)
    if names is not None and not isinstance(value, type):  # a record, or a fit's dataclass
        for name in names:
            found = _first_problem(getattr(value, name), f"{path}.{name}".lstrip("."))
            if found is not None:
                return found
        return None
    if isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            found = _first_problem(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def check_positive(name: str, value: object, *, least: float = 0.0, example: str = "1e21") -> float:
    """The value as a float, or InputError unless it is a real, finite number above zero
    (and at least `least`, for counts of parameters, tokens or FLOPs).

    Takes Python and numpy numbers and 0-d arrays; refuses text, bytes, booleans and complex
    numbers, which float() would read or half-read.
    """
    number = real(name, value)
    if not math.isfinite(number) or number <= 0:
        raise InputError(f"{name} must be a finite number above zero (got {value!r}); give e.g. {example}")
    if number < least:
        raise InfeasibleError(
            f"{name} {number:.3g} is too small to plan: {AT_LEAST[name]}; give at least {least:g}"
        )
    return number


AT_LEAST = {
    "flops": "C = 6ND spends at least 6 FLOPs on one parameter trained on one token",
    "params": "a model has at least one parameter",
    "tokens": "a run trains on at least one token",
    "max_params": "a model has at least one parameter",
    "max_tokens": "a run trains on at least one token",
    "unique_tokens": "a run trains on at least one token",
    "finetune_chars": "a fine-tuning set has at least one character",
    "finetune_tokens": "a fine-tuning set has at least one token",
}
"""Why a count must reach its least value, by the keyword that gives it."""


def real(name: str, value: object) -> float:
    """A Python or numpy real number (or 0-d array) as a float; InputError for anything else."""
    if isinstance(value, (str, bytes, bool, complex)) or not hasattr(value, "__float__"):
        raise InputError(f"{name} must be a number (got {type(value).__name__} {value!r}); give e.g. 1e21")
    try:
        return float(value)  # type: ignore[arg-type,unused-ignore]
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a single number (got {value!r}); give e.g. 1e21") from None


def is_one(flops: object) -> bool:
    """Whether `flops` is one budget (a number or 0-d array) rather than several."""
    if isinstance(flops, (str, bytes)):
        raise InputError(f"flops must be a number or numbers, not text (got {flops!r}); give e.g. 1e21")
    return not hasattr(flops, "__iter__") or getattr(flops, "ndim", None) == 0


LEVEL = 0.95
"""The level of every interval unless one is asked for."""


def check_level(value: object) -> float:
    """An interval's level as a float strictly between 0 and 1, or InputError."""
    number = real("level", value)
    if not (0 < number < 1):
        hint = f"; for {number:g}% give {number / 100:g}" if 1 < number < 100 else ""
        raise InputError(
            f"level must be a number between 0 and 1, exclusive (got {value!r}){hint}; give e.g. 0.9"
        )
    return number
