"""The critical batch size of a loss: B_crit(L) = B_* / L^(1/alpha_B).

Kaplan et al. 2020, "Scaling Laws for Neural Language Models", arXiv 2001.08361, Eq. (1.4)
and Sec. 5.1 (after McCandlish et al. 2018): the batch beyond which more data parallelism
buys little, a power law of the loss the run has reached, in tokens. A hyper-parameter law
of the batch alone: it gives no learning rate. Pure maths: no files, no printing, no
user-facing errors.
"""

from __future__ import annotations

import math

from planner.forms.hparams import HyperparameterLaw
from planner.laws.format import STRICT, Exponent, Positive
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal


class CriticalBatchParams(Record, eq=False):
    """B_star (tokens) and alpha_B of B_crit(L) = B_star / L^(1/alpha_B), as in Table 5."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "B_crit = B_* / L^(1/alpha_B) (tokens)"

    B_star: Positive
    alpha_B: Exponent

    def learning_rate(self, flops: float, params: float, tokens: float, loss: float | None = None) -> None:
        """None: the critical batch is a law of the batch alone."""
        del flops, params, tokens, loss

    def batch_tokens(
        self, flops: float, params: float, tokens: float, loss: float | None = None
    ) -> float | None:
        """The critical batch in tokens at `loss` (None without a loss), Eq. (1.4)."""
        del flops, params, tokens
        if loss is None:
            return None
        return math.exp(math.log(self.B_star) - math.log(loss) / self.alpha_B)


class CriticalBatchLaw(HyperparameterLaw, kw_only=True, eq=False):
    """A law of the critical batch size of a loss."""

    approach: ClassVar[str] = "hyper-parameters: critical batch B_crit(L)"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["critical-batch"]
    params: CriticalBatchParams

    unranged: ClassVar[tuple[str, ...]] = ("finetune_chars", "flops", "params", "tokens")


LAW = CriticalBatchLaw
