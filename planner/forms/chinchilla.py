"""The Chinchilla parametric form L(N, D) = E + A / N^alpha + B / D^beta.

Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", arXiv 2203.15556,
Eq. (2) for the form and Eq. (4) for the allocation under C = 6ND. Pure maths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from planner.forms import STRICT, Exponent, Positive
from planner.units import FLOPS_PER_PARAM_TOKEN


@dataclass(frozen=True)
class ChinchillaParams:
    """E, A, B as printed, or their natural logs where the source prints those."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "L(N, D) = E + A / N^alpha + B / D^beta"

    alpha: Exponent
    beta: Exponent
    E: Positive | None = None
    A: Positive | None = None
    B: Positive | None = None
    log_E: float | None = None
    log_A: float | None = None
    log_B: float | None = None

    def __post_init__(self) -> None:
        for name in ("E", "A", "B"):
            given = [getattr(self, name) is not None, getattr(self, f"log_{name}") is not None]
            if sum(given) != 1:
                raise ValueError(f"give exactly one of '{name}' and 'log_{name}'")

    def _value(self, name: str) -> float:
        plain: float | None = getattr(self, name)
        return plain if plain is not None else math.exp(getattr(self, f"log_{name}"))

    @property
    def coefficients(self) -> tuple[float, float, float]:
        """(E, A, B) in natural units, whichever way the source printed them."""
        return self._value("E"), self._value("A"), self._value("B")

    def loss(self, N: float, D: float) -> float:
        """Predicted loss of N parameters trained on D tokens, Eq. (2)."""
        E, A, B = self.coefficients
        return float(E + A / N**self.alpha + B / D**self.beta)

    def optimal_params(self, C: float) -> float:
        """N_opt(C) = G (C/6)^(beta/(alpha+beta)), G = (alpha A / (beta B))^(1/(alpha+beta)), Eq. (4)."""
        _, A, B = self.coefficients
        s = self.alpha + self.beta
        G = (self.alpha * A / (self.beta * B)) ** (1.0 / s)
        return float(G * (C / FLOPS_PER_PARAM_TOKEN) ** (self.beta / s))

    def budget_loss(self, C: float, N: float) -> float:
        """Loss on the budget line C = 6ND; convex in log N, so its minimum is Eq. (4)."""
        return self.loss(N, C / (FLOPS_PER_PARAM_TOKEN * N))

    @property
    def irreducible_loss(self) -> float:
        """E: the loss no finite model or data set goes below."""
        return self.coefficients[0]
