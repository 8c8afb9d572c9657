"""The hyper-parameter form of a budget alone: eta_opt = a C^b, B_opt = c C^d.

DeepSeek-AI (Bi et al.) 2024, "DeepSeek LLM: Scaling Open-Source Language Models with
Longtermism", arXiv 2401.02954, Sec. 3.1, Eq. (1): the near-optimal peak learning rate and
batch size (in tokens) as power laws of the compute budget C, fitted on budgets of 1e17 to
2e19 FLOPs with C = M D (M: non-embedding FLOPs per token, attention included, Eq. 2).
Pure maths: no files, no printing, no user-facing errors.
"""

from __future__ import annotations

import math

from planner.forms.hparams import HyperparameterLaw
from planner.laws.format import STRICT, Positive
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal


class HparamsComputeParams(Record, eq=False):
    """eta_opt = lr_coefficient C^lr_exponent and B_opt = batch_coefficient C^batch_exponent."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "eta_opt = a C^b; B_opt = c C^d (tokens)"

    lr_coefficient: Positive
    lr_exponent: float
    batch_coefficient: Positive
    batch_exponent: float

    def learning_rate(self, flops: float, params: float, tokens: float, loss: float | None = None) -> float:
        """The peak learning rate at C = flops, Eq. (1); params and tokens are not used."""
        del params, tokens, loss
        return math.exp(math.log(self.lr_coefficient) + self.lr_exponent * math.log(flops))

    def batch_tokens(self, flops: float, params: float, tokens: float, loss: float | None = None) -> float:
        """The batch size in tokens at C = flops, Eq. (1)."""
        del params, tokens, loss
        return math.exp(math.log(self.batch_coefficient) + self.batch_exponent * math.log(flops))


class HparamsComputeLaw(HyperparameterLaw, kw_only=True, eq=False):
    """A learning-rate and batch law of the compute budget C alone."""

    approach: ClassVar[str] = "hyper-parameters: learning rate and batch of C"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["hparams-compute"]
    params: HparamsComputeParams

    unranged: ClassVar[tuple[str, ...]] = ("finetune_chars", "params", "tokens")


LAW = HparamsComputeLaw
