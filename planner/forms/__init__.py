"""Law forms: the maths of each published functional form, one module per form.

Each module owns a frozen dataclass of the form's parameters (the ``[params]`` table of a
law file) with the loss and the compute-optimal allocation in the paper's own symbols.
Pure: no files, no printing, no user-facing errors.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol


class Bound:
    """A limit on a data-file value (gt, ge, lt, le, min_length, pattern), enforced by pydantic.

    pydantic applies it when it validates a file; importing this costs nothing, so the
    planning path stays free of pydantic and annotated_types.
    """

    def __init__(self, **limits: float | str) -> None:
        self.limits = limits

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema.update(self.limits)
        return schema


Positive = Annotated[float, Bound(gt=0)]
Exponent = Annotated[float, Bound(gt=0, lt=10)]
NonNegative = Annotated[float, Bound(ge=0)]
Fraction = Annotated[float, Bound(gt=0, lt=1)]

STRICT: dict[str, Any] = {"extra": "forbid", "allow_inf_nan": False}
"""pydantic config for every law-file table: unknown keys are typos, NaN is never data."""


class Form(Protocol):
    """What the planner needs from a form; C is always in FLOPs, N and D in counts."""

    def optimal_params(self, C: float) -> float:
        """Compute-optimal N at budget C (FLOPs), tokens following from C = 6ND."""

    def budget_loss(self, C: float, N: float) -> float | None:
        """Loss of N parameters trained on C / (6N) tokens; None off the form's frontier."""
