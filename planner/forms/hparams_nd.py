"""The hyper-parameter form of model size and data: eta_opt = a N^b D^c, B_opt = d D^e.

Li et al. (StepFun) 2025, "Predictable Scale: Part I -- Optimal Hyperparameter Scaling Law
in Large Language Model Pretraining" ("Step Law"), arXiv 2503.04715: the optimal peak
learning rate as a power law of the non-embedding parameters N and the training tokens D,
and the optimal batch size (tokens) of D alone. Pure maths: no files, no printing, no
user-facing errors.
"""

from __future__ import annotations

import math

from planner.forms.hparams import HyperparameterLaw
from planner.laws.format import STRICT, Positive
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal


class HparamsNDParams(Record, eq=False):
    """eta_opt = lr_coefficient N^lr_params_exponent D^lr_tokens_exponent and
    B_opt = batch_coefficient D^batch_tokens_exponent (tokens)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "eta_opt = a N^b D^c; B_opt = d D^e (tokens)"

    lr_coefficient: Positive
    lr_params_exponent: float
    lr_tokens_exponent: float
    batch_coefficient: Positive
    batch_tokens_exponent: float

    def learning_rate(self, flops: float, params: float, tokens: float, loss: float | None = None) -> float:
        """The peak learning rate of N = params on D = tokens; flops is not used."""
        del flops, loss
        return math.exp(
            math.log(self.lr_coefficient)
            + self.lr_params_exponent * math.log(params)
            + self.lr_tokens_exponent * math.log(tokens)
        )

    def batch_tokens(self, flops: float, params: float, tokens: float, loss: float | None = None) -> float:
        """The batch size in tokens for D = tokens."""
        del flops, params, loss
        return math.exp(math.log(self.batch_coefficient) + self.batch_tokens_exponent * math.log(tokens))


class HparamsNDLaw(HyperparameterLaw, kw_only=True, eq=False):
    """A learning-rate and batch law of the model size N and the training tokens D."""

    approach: ClassVar[str] = "hyper-parameters: learning rate and batch of N, D"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["hparams-nd"]
    params: HparamsNDParams

    unranged: ClassVar[tuple[str, ...]] = ("finetune_chars", "flops")


LAW = HparamsNDLaw
