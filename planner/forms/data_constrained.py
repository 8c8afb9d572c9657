"""The data-constrained form: Chinchilla's law with decaying returns on repeated data.

Muennighoff et al. 2023, "Scaling Data-Constrained Language Models", arXiv 2305.16264: a
law fitted with its own decay constants R_D* and R_N*. The pricing of repeated data and
excess parameters (effective D' and N', the authors' parametric fit) is in
`planner.forms.limited_data`, which the chinchilla form's plans under a data limit share.
Pure maths: no I/O, no user errors.
"""

from __future__ import annotations

from planner.forms.base import Law
from planner.forms.chinchilla import ChinchillaParams
from planner.forms.limited_data import LimitedDataForm
from planner.laws.format import STRICT, Positive

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal


class DataConstrainedParams(ChinchillaParams, kw_only=True, eq=False):
    """Chinchilla's E, A, B, alpha, beta plus the decay constants R_D* and R_N*.

    With unlimited unique data nothing repeats, so the law is Chinchilla's (Eq. 2 and 4):
    `optimal_params` and `budget_loss` are inherited. `limited(U)` prices a finite supply.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = (
        "L = E + A / N'^alpha + B / D'^beta; D' = U_D + U_D R_D* (1 - exp(-R_D / R_D*)), "
        "R_D = D / U_D - 1; N' likewise with U_N = min(N, N_opt(U_D)) and R_N*"
    )

    R_D_star: Positive
    R_N_star: Positive

    def limited(self, U: float) -> LimitedDataForm:
        """This law with U unique tokens available."""
        return LimitedDataForm(self, U, self.R_D_star, self.R_N_star)


class DataConstrainedLaw(Law, kw_only=True, eq=False):
    """Chinchilla's form with decaying value of repeated data and excess parameters
    (Muennighoff et al. 2023); with unlimited unique data it plans as Chinchilla's."""

    approach: ClassVar[str] = "loss L(N, D) with repeated data"
    """What the law answers, as `plan laws` groups the catalog."""

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
