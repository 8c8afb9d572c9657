"""Physical sense of an answer: the one check every question's result goes through.

Owns the rule that an answer is either sensible or refused: every number in it finite (no
NaN, no infinity, on the table or in JSON), and every model size and data amount at least
one (a model has at least one parameter and is trained on at least one token; a fine-tuning
set has at least one character). Each public question (plan, compare, evaluate, the inverse
questions, size curves, inference-aware plans, transfer, a fit's budget plan) passes its
result here before returning it. Raises InfeasibleError naming the quantity; never prints.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, TypeVar

from planner.errors import InfeasibleError

T = TypeVar("T")

AT_LEAST_ONE = frozenset(
    {"params", "tokens", "effective_params", "effective_tokens", "finetune_chars", "finetune_tokens", "gpus"}
)
"""Fields that count parameters, tokens, characters or chips: below one they mean nothing."""


def sensible(result: T, what: str = "the answer") -> T:
    """`result` itself, if every number in it is finite and every size at least one."""
    problem = _first_problem(result, "")
    if problem is not None:
        path, value, kind = problem
        where = f" ({path})" if path else ""
        if kind == "infinite":
            raise InfeasibleError(
                f"{what} would hold {value}{where}, beyond what floating point can compute; "
                "give numbers nearer the range the law was fitted on"
            )
        raise InfeasibleError(
            f"{what} would have {value:.3g} {path.rpartition('.')[2].replace('_', ' ')}{where}: a model "
            "needs at least one parameter and one token; give a larger budget, size or data set"
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
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            found = _first_problem(getattr(value, field.name), f"{path}.{field.name}".lstrip("."))
            if found is not None:
                return found
        return None
    if isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            found = _first_problem(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
