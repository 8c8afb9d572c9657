"""The data-constrained form: Chinchilla's law with decaying returns on repeated data.

Muennighoff et al. 2023, "Scaling Data-Constrained Language Models", arXiv 2305.16264, as
written in the authors' repository (huggingface/datablations, README "Parametric Fit"):

    R_D = max(D / U_D - 1, 0)                  repetitions beyond the first epoch
    D'  = U_D + U_D R_D* (1 - exp(-R_D / R_D*))            effective data
    U_N = min(N, N_opt(U_D)),  R_N = max(N / U_N - 1, 0)    excess parameters
    N'  = U_N + U_N R_N* (1 - exp(-R_N / R_N*))            effective parameters
    L   = E + A / N'^alpha + B / D'^beta

N_opt(U_D) = G (G U_D)^(beta/alpha) is Chinchilla's compute-optimal N for a run of U_D
tokens (Hoffmann et al. 2022, arXiv 2203.15556, Eq. 4 solved for N given D), with the
law's own constants. U_D is the unique tokens *seen*: min(U, D) for a supply of U unique
tokens, as the repository's `optimal_allocation` does (`U = min(U_BASE, D)`).

The pricing itself, shared with the chinchilla form's plans under a data limit, is in
`planner.forms.limited_data`. Pure maths: no I/O, no user errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from planner.forms.base import Law
from planner.forms.chinchilla import ChinchillaParams
from planner.forms.limited_data import LimitedDataForm
from planner.laws.format import STRICT, Positive


@dataclass(frozen=True, eq=False)
class DataConstrainedParams(ChinchillaParams):
    """Chinchilla's E, A, B, alpha, beta plus the decay constants R_D* and R_N*.

    With unlimited unique data nothing repeats, so the law is Chinchilla's (Eq. 2 and 4):
    `optimal_params` and `budget_loss` are inherited. `limited(U)` prices a finite supply.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = (
        "L = E + A / N'^alpha + B / D'^beta; D' = U_D + U_D R_D* (1 - exp(-R_D / R_D*)), "
        "R_D = D / U_D - 1; N' likewise with U_N = min(N, N_opt(U_D)) and R_N*"
    )

    R_D_star: Positive = field(kw_only=True)
    R_N_star: Positive = field(kw_only=True)

    def limited(self, U: float) -> LimitedDataForm:
        """This law with U unique tokens available."""
        return LimitedDataForm(self, U, self.R_D_star, self.R_N_star)


@dataclass(frozen=True, kw_only=True, eq=False)
class DataConstrainedLaw(Law):
    """Chinchilla's form with decaying value of repeated data and excess parameters
    (Muennighoff et al. 2023); with unlimited unique data it plans as Chinchilla's."""

    form: Literal["data-constrained"]
    params: DataConstrainedParams

    off_optimum: ClassVar[str | None] = None

    def decay_constants(self) -> tuple[float, float]:
        """The law's own R_D* and R_N*."""
        return self.params.R_D_star, self.params.R_N_star

    def limited(self, unique_tokens: float, decay: tuple[float, float]) -> LimitedDataForm:
        """The law with `unique_tokens` available, priced with its own decay constants."""
        return self.params.limited(unique_tokens)


LAW = DataConstrainedLaw
