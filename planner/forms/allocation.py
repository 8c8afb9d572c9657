"""Allocation laws: the compute-optimal split as power laws of C, with no loss.

N_opt = N_base C^a and D_opt = D_base C^b, C in FLOPs. Many sources fit only these: the
first two approaches of Hoffmann et al. 2022 (arXiv 2203.15556, Table 2), DeepSeek LLM
(arXiv 2401.02954, Eq. 4, with M, FLOPs per token, in place of N), Llama 3 (arXiv 2407.21783,
Sec. 3.2.1, tokens only) and Porian et al. 2024 (arXiv 2406.19146). A file gives the size law,
the token law or both; the plan spends the budget as C = 6ND from the size law (or from the
token law, where only it is printed), and a token law printed beside a size law is shown as
the source's own count. Pure maths: such a law predicts no loss.
"""

from __future__ import annotations

from planner.forms.base import Law
from planner.laws.format import STRICT, Exponent, Positive
from planner.records import Record
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal


class AllocationParams(Record, eq=False):
    """N_opt = N_base C^a and D_opt = D_base C^b, C in FLOPs, either or both as printed.

    `size` says what N_base C^a counts: parameters, or (DeepSeek's M) FLOPs per token, of
    which a parameter is worth six (C = M D = 6 N D).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "N_opt = N_base C^a; D_opt = D_base C^b; C = 6ND, C in FLOPs"
    FRONTIER_BUDGET_METHOD: ClassVar[str] = "none: an allocation law predicts no loss"

    N_base: Positive | None = None
    a: Exponent | None = None
    D_base: Positive | None = None
    b: Exponent | None = None
    size: Literal["params", "flops_per_token"] = "params"

    def __post_init__(self) -> None:
        for names, (scale, exponent) in {
            "N_base/a": (self.N_base, self.a),
            "D_base/b": (self.D_base, self.b),
        }.items():
            if (scale is None) != (exponent is None):
                raise ValueError(f"give both or neither of {names.replace('/', ' and ')}")
        if self.N_base is None and self.D_base is None:
            raise ValueError("give N_base and a (the size law), D_base and b (the token law), or both")
        if self.size == "flops_per_token" and self.N_base is None:
            raise ValueError("size flops_per_token describes N_base: give N_base and a")
        if self.a is not None and self.a >= 1:
            raise ValueError("a must be below 1: the tokens C / 6N must grow with compute")
        if self.N_base is None and self.b is not None and self.b >= 1:
            raise ValueError("b must be below 1: the size C / 6D must grow with compute")

    def _per_param(self) -> float:
        """How many units of N_base C^a make one parameter (six FLOPs per token do)."""
        return FLOPS_PER_PARAM_TOKEN if self.size == "flops_per_token" else 1.0

    def _size_law(self) -> tuple[float, float]:
        """(k, p) with N_opt = k C^p in parameters, from whichever law the file gives."""
        if self.N_base is not None and self.a is not None:
            return self.N_base / self._per_param(), self.a
        assert self.D_base is not None
        assert self.b is not None
        return 1.0 / (FLOPS_PER_PARAM_TOKEN * self.D_base), 1.0 - self.b

    def optimal_params(self, C: float) -> float:
        """N_opt at C FLOPs: the size law, or C / (6 D_opt) where only the token law is printed."""
        k, p = self._size_law()
        return k * float(C**p)

    def printed_tokens(self, C: float) -> float | None:
        """D_base C^b where the file gives a size law too (else the plan's tokens are it)."""
        if self.N_base is None or self.D_base is None or self.b is None:
            return None
        return self.D_base * float(C**self.b)

    def budget_for_params(self, N: float) -> float:
        """The C at which N is compute-optimal: N_opt = k C^p solved for C."""
        k, p = self._size_law()
        return float((N / k) ** (1.0 / p))

    def budget_for_tokens(self, D: float) -> float:
        """The C at which C / (6 N_opt(C)) = D: C^(1 - p) = 6 k D."""
        k, p = self._size_law()
        return float((FLOPS_PER_PARAM_TOKEN * k * D) ** (1.0 / (1.0 - p)))

    def budget_loss(self, C: float, N: float) -> float | None:
        """No loss anywhere: the source fits the allocation alone."""
        return None

    def plan_loss(self, C: float, N: float) -> None:
        """No loss: the plan reports none."""
        return None


class AllocationLaw(Law, kw_only=True, eq=False):
    """A law of the compute-optimal allocation alone: it splits a budget but predicts no loss."""

    approach: ClassVar[str] = "allocation N_opt(C), D_opt(C)"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["allocation"]
    params: AllocationParams

    off_optimum: ClassVar[str | None] = "no loss at all, only the compute-optimal allocation"

    def __post_init__(self) -> None:
        super().__post_init__()
        lossy = [
            number
            for number, row in enumerate(self.reproduces, start=1)
            if {"loss", "reducible_loss", "irreducible_loss"} & set(row.expected())
        ]
        if lossy:
            raise ValueError(f"reproduces row {lossy[0]} quotes a loss; form allocation predicts none")

    def why_no_loss(self) -> str | None:
        """The source fits N_opt(C) and D_opt(C), never a loss."""
        return "it gives the compute-optimal allocation only, not a loss"

    def printed_tokens(self, flops: float) -> float | None:
        """The source's own token law at `flops`, where it prints one beside the size law and
        it differs from C / 6N by more than rounding of the printed digits (1%)."""
        printed = self.params.printed_tokens(flops)
        if printed is None:
            return None
        spent = flops / (FLOPS_PER_PARAM_TOKEN * self.params.optimal_params(flops))
        return printed if abs(printed / spent - 1.0) > 0.01 else None


LAW = AllocationLaw
