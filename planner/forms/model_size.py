"""Model-size laws: the converged loss of N parameters with enough data, L(N).

L(N) = L_inf + (N_0 / N)^alpha_N: Henighan et al. 2020, arXiv 2010.14701, Eq. (1.1) and
Table 1 (Kaplan et al. 2020, Eq. 1.1, without L_inf). Pure maths: such a law says nothing
about compute, so it cannot split a budget on its own.
"""

from __future__ import annotations

from planner.forms.base import Law
from planner.laws.format import STRICT, Exponent, NonNegative, Positive
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal

    import numpy as np
    from numpy.typing import NDArray


class ModelSizeParams(Record, eq=False):
    """L_inf, N_0 (non-embedding parameters) and alpha_N, as printed."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "L(N) = L_inf + (N_0 / N)^alpha_N"

    N_0: Positive
    alpha_N: Exponent
    L_inf: NonNegative = 0.0

    def loss(self, N: float) -> float:
        """Loss of a model of N parameters trained to convergence on ample data."""
        return self.L_inf + float((self.N_0 / N) ** self.alpha_N)

    @property
    def irreducible_loss(self) -> float:
        """L_inf: the loss no model size goes below."""
        return self.L_inf

    def loss_array(self, N: NDArray[np.float64]) -> NDArray[np.float64]:
        """`loss` for an array of sizes (planner.planning.columns), the same formula."""
        result: NDArray[np.float64] = self.L_inf + (self.N_0 / N) ** self.alpha_N
        return result


class ModelSizeLaw(Law, kw_only=True, eq=False):
    """A law giving loss from model size alone, L(N): it cannot split a compute budget."""

    approach: ClassVar[str] = "converged loss L(N)"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["model-size"]
    params: ModelSizeParams

    def why_unplannable(self) -> str:
        """Model size alone says nothing about compute."""
        return "it predicts loss from model size alone, L(N), with no compute law or N_opt(C)"


LAW = ModelSizeLaw
