"""Compute-frontier laws: loss as a function of compute, with a power law for N_opt.

L(C) = L_inf + (C_c / C)^alpha_C and N_opt(C) = N_e C^p_N (or, as Henighan et al. 2020
print it, (C / C_N)^beta_N), C in the law's compute unit. Kaplan et al. 2020, arXiv
2001.08361, Eq. (1.3) and Table 6; Henighan et al. 2020, arXiv 2010.14701, Table 1.
Pure maths: such a law gives the loss on its frontier only, never off it.
"""

from __future__ import annotations

from planner.forms.base import Law
from planner.forms.model_size import ModelSizeParams
from planner.laws.format import STRICT, Exponent, NonNegative, Positive
from planner.records import Record
from planner.units import COMPUTE_UNITS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal

    import numpy as np
    from numpy.typing import NDArray


class FrontierParams(Record, eq=False):
    """Frontier loss L(C) and the compute-optimal size N_opt(C), C in `compute_unit`.

    D_e and p_D, where given, are a separately printed token law D_opt = D_e C^p_D (Kaplan's
    Table 6 counts tokens at the critical batch size, not C / 6N).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = (
        "L(C) = L_inf + (C_c / C)^alpha_C; N_opt = N_e C^p_N or (C / C_N)^beta_N; C in compute_unit"
    )
    FRONTIER_BUDGET_METHOD: ClassVar[str] = "closed form (frontier loss solved for C)"

    compute_unit: Literal["flop", "pf-day"]
    C_c: Positive
    alpha_C: Exponent
    L_inf: NonNegative = 0.0
    N_e: Positive | None = None
    p_N: Exponent | None = None
    C_N: Positive | None = None
    beta_N: Exponent | None = None
    D_e: Positive | None = None
    p_D: Exponent | None = None

    def __post_init__(self) -> None:
        pairs = {"N_e/p_N": (self.N_e, self.p_N), "C_N/beta_N": (self.C_N, self.beta_N)}
        for names, (scale, exponent) in [*pairs.items(), ("D_e/p_D", (self.D_e, self.p_D))]:
            if (scale is None) != (exponent is None):
                raise ValueError(f"give both or neither of {names.replace('/', ' and ')}")
        if self.N_e is not None and self.C_N is not None:
            raise ValueError("give N_opt once: either N_e and p_N, or C_N and beta_N")

    @property
    def has_optimal_params(self) -> bool:
        """Whether the source gives N_opt(C) at all."""
        return self.N_e is not None or self.C_N is not None

    def _in_unit(self, C: float) -> float:
        return C / COMPUTE_UNITS[self.compute_unit]

    def frontier_loss(self, C: float) -> float:
        """L(C) on the compute-efficient frontier, C in FLOPs (Kaplan Eq. 1.3)."""
        return self.L_inf + float((self.C_c / self._in_unit(C)) ** self.alpha_C)

    def optimal_params(self, C: float) -> float:
        """N_opt(C), C in FLOPs; call only when `has_optimal_params`."""
        c = self._in_unit(C)
        if self.N_e is not None and self.p_N is not None:
            return self.N_e * float(c**self.p_N)
        if self.C_N is not None and self.beta_N is not None:
            return float((c / self.C_N) ** self.beta_N)
        raise ValueError("this law gives no N_opt(C)")

    def _size_law(self) -> tuple[float, float]:
        """(a, p) with N_opt = a c^p, c in `compute_unit`."""
        if self.N_e is not None and self.p_N is not None:
            return self.N_e, self.p_N
        if self.C_N is not None and self.beta_N is not None:
            return float(self.C_N**-self.beta_N), self.beta_N
        raise ValueError("this law gives no N_opt(C)")

    def budget_for_params(self, N: float) -> float:
        """The C (FLOPs) at which N is compute-optimal: N_opt(C) = a c^p solved for C."""
        a, p = self._size_law()
        return COMPUTE_UNITS[self.compute_unit] * float((N / a) ** (1.0 / p))

    def budget_for_tokens(self, D: float) -> float:
        """The C (FLOPs) at which C / (6 N_opt(C)) = D tokens: c = (6 a D / u)^(1 / (1 - p)).

        Only for p < 1, where the tokens grow with compute; raises ValueError otherwise.
        """
        a, p = self._size_law()
        if p >= 1:
            raise ValueError("the optimal tokens do not grow with compute under this law")
        unit = COMPUTE_UNITS[self.compute_unit]
        return unit * float((6.0 * a * D / unit) ** (1.0 / (1.0 - p)))

    def frontier_budget(self, L: float) -> float:
        """The C (FLOPs) whose frontier loss is L (L above L_inf): Eq. (1.3) solved for C."""
        return COMPUTE_UNITS[self.compute_unit] * self.C_c * float((L - self.L_inf) ** (-1.0 / self.alpha_C))

    def printed_tokens(self, C: float) -> float | None:
        """D_opt = D_e C^p_D where the source prints its own token law, else None."""
        if self.D_e is None or self.p_D is None:
            return None
        return self.D_e * float(self._in_unit(C) ** self.p_D)

    def budget_loss(self, C: float, N: float) -> float | None:
        """The frontier law says nothing about sizes off the optimum."""
        return None

    def plan_loss(self, C: float, N: float) -> float:
        """The loss a plan at C reports: the frontier loss L(C), whatever N."""
        return self.frontier_loss(C)

    @property
    def irreducible_loss(self) -> float:
        """L_inf (zero for Kaplan's language frontier, which has none)."""
        return self.L_inf

    # Arrays of budgets (planner.planning.columns): the formulas above, in the same order.

    def optimal_params_array(self, C: NDArray[np.float64]) -> NDArray[np.float64]:
        """`optimal_params` for an array of budgets in FLOPs."""
        c = C / COMPUTE_UNITS[self.compute_unit]
        if self.N_e is not None and self.p_N is not None:
            result: NDArray[np.float64] = self.N_e * c**self.p_N
            return result
        if self.C_N is not None and self.beta_N is not None:
            result = (c / self.C_N) ** self.beta_N
            return result
        raise ValueError("this law gives no N_opt(C)")

    def plan_loss_array(self, C: NDArray[np.float64], N: NDArray[np.float64]) -> NDArray[np.float64]:
        """`plan_loss` for arrays: the frontier loss L(C), whatever N."""
        result: NDArray[np.float64] = (
            self.L_inf + (self.C_c / (C / COMPUTE_UNITS[self.compute_unit])) ** self.alpha_C
        )
        return result


class FrontierLaw(Law, kw_only=True, eq=False):
    """A law giving loss on the compute frontier, L(C), and N_opt(C); optionally the same
    source's model-size law L(N) as `model_size`."""

    approach: ClassVar[str] = "frontier L(C) and N_opt(C)"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["frontier"]
    params: FrontierParams
    model_size: ModelSizeParams | None = None

    off_optimum: ClassVar[str | None] = "the loss on its compute-optimal frontier only"

    def why_unplannable(self) -> str | None:
        """A frontier law splits a budget only where its source gives N_opt(C)."""
        if not self.params.has_optimal_params:
            return "it gives the loss at a budget, L(C), but no compute-optimal size N_opt(C)"
        return None

    def printed_tokens(self, flops: float) -> float | None:
        """The source's own token law at `flops`, where it prints one."""
        return self.params.printed_tokens(flops)

    def converged_loss(self, params: float) -> float | None:
        """L(N) of the same source's model-size law, where the file gives it."""
        return self.model_size.loss(params) if self.model_size is not None else None

    def converged_loss_array(self, params: NDArray[np.float64]) -> NDArray[np.float64] | None:
        """`converged_loss` for an array of sizes; None where the file gives no L(N)."""
        return self.model_size.loss_array(params) if self.model_size is not None else None


LAW = FrontierLaw
