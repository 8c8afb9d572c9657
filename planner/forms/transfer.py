"""The transfer form: what pre-training is worth, in data, to a fine-tune.

Hernandez, Kaplan, Henighan and McCandlish 2021, "Scaling Laws for Transfer", arXiv
2102.01293, Eq. (1.1): the effective data transferred D_T = k (D_F)^alpha (N)^beta, with
D_F the fine-tuning data (characters of Python in the paper) and N the non-embedding
parameters; D_E = D_F + D_T is the effective data (Eq. B.1), D_E / D_F the multiplier
(Eq. 1.2) and D_T / D_E the fraction of the effective data that comes from pre-training.
Pure maths: no files, no printing, no user-facing errors.
"""

from __future__ import annotations

import math

from planner.forms.base import Kind, Law
from planner.laws.format import STRICT, Bound, Exponent, Fraction, Positive
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any, ClassVar, Literal


class TransferParams(Record, eq=False):
    """k, alpha (exponent on D_F) and beta (exponent on N), as in Table 1.

    alpha is below 1: otherwise the multiplier would grow with the fine-tuning data, the
    opposite of what the paper reports ("pre-training effectively multiplies the
    fine-tuning dataset size", a multiplier that shrinks as D_F grows, Eq. 1.2).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "D_T = k D_F^alpha N^beta; D_E = D_F + D_T; multiplier D_E / D_F"

    k: Positive
    alpha: Fraction
    beta: Exponent

    def transferred(self, D_F: float, N: float) -> float:
        """D_T = k D_F^alpha N^beta, Eq. (1.1); computed in logs so large inputs stay finite.

        Raises OverflowError when the result is beyond floating point.
        """
        return math.exp(math.log(self.k) + self.alpha * math.log(D_F) + self.beta * math.log(N))

    def effective(self, D_F: float, N: float) -> float:
        """D_E = D_F + D_T: the data a model of N parameters trained from scratch would need."""
        return D_F + self.transferred(D_F, N)

    def multiplier(self, D_F: float, N: float) -> float:
        """D_E / D_F = 1 + k N^beta / D_F^(1 - alpha), Eq. (1.2); falls as D_F grows."""
        return 1.0 + math.exp(math.log(self.k) + self.beta * math.log(N) - (1.0 - self.alpha) * math.log(D_F))

    def fraction_transferred(self, D_F: float, N: float) -> float:
        """D_T / D_E: the share of the effective data that pre-training contributes."""
        return 1.0 - 1.0 / self.multiplier(D_F, N)


class TransferRegime(Record, eq=False):
    """Where a transfer law holds: the low-data regime, and where pre-training can hurt.

    D(N) is the data a model of N parameters needs to reach `converged_performance` of its
    infinite-data performance, estimated with the kaplan-nd law `converged_data_law`. The
    fit holds for D_F up to `low_data_fraction` D(N); at `ossification_fraction` D(N) and
    beyond, pre-training may hurt. `finetune_data_available` is the most fine-tuning data
    the fits can have seen (the size of the fine-tuning distribution's data set).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    low_data_fraction: Fraction
    converged_performance: Fraction
    converged_data_law: Annotated[str, Bound(min_length=1)]
    ossification_fraction: Positive | None = None
    finetune_data_available: Positive | None = None


class TransferLaw(Law, kw_only=True, eq=False):
    """Effective data transferred by pre-training, D_T = k D_F^alpha N^beta (not a budget law)."""

    approach: ClassVar[str] = "fine-tuning transfer D_T(D_F, N)"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["transfer"]
    params: TransferParams
    regime: TransferRegime

    kind: ClassVar[Kind] = "transfer"
    unranged: ClassVar[tuple[str, ...]] = ("flops", "tokens")

    def why_unplannable(self) -> str:
        """A transfer law prices fine-tuning data."""
        return "it prices fine-tuning data, not a FLOP budget"


LAW = TransferLaw
