"""Gadre et al.'s over-training law L(C, M) and its map from loss to average top-1 error.

Gadre et al. 2024, "Language models scale reliably with over-training and on downstream
tasks", arXiv 2403.08540: L(C, M) = E + (a M^eta + b M^-eta) C^-eta with M = D / N tokens per
parameter and C = 6ND, fitted to predict the loss of deliberately over-trained runs, and
Err(L) = epsilon - k exp(-gamma L) from loss to an average top-1 error over a task suite.

With C = 6ND, M^eta C^-eta = 6^-eta N^-2eta and M^-eta C^-eta = 6^-eta D^-2eta, so the law
is the Chinchilla form with alpha = beta = 2 eta, A = a 6^-eta and B = b 6^-eta (our
algebra, checked numerically in the tests): every question is answered by
planner.forms.chinchilla through that equivalence. Pure maths.
"""

from __future__ import annotations

import math

from planner.forms.base import Law
from planner.forms.equivalent import ChinchillaEquivalent
from planner.laws.format import STRICT, Bound, Exponent, Positive
from planner.records import Record
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any, ClassVar, Literal

    from planner.forms.chinchilla import ChinchillaParams

_SAME: dict[OvertrainingParams, ChinchillaParams] = {}
"""Each parameter set's Chinchilla equivalent, by identity (the records are frozen)."""


class OvertrainingParams(Record, ChinchillaEquivalent, eq=False):
    """eta, a, b and E as the source prints them (C in FLOPs, M in tokens per parameter)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "L(C, M) = E + (a M^eta + b M^-eta) C^-eta, M = D / N, C = 6ND"
    FRONTIER_BUDGET_METHOD: ClassVar[str] = "closed form (frontier loss solved for C)"

    eta: Exponent
    a: Positive
    b: Positive
    E: Positive

    @property
    def chinchilla(self) -> ChinchillaParams:
        """The same loss as E + A / N^alpha + B / D^beta (module docstring), made once."""
        found = _SAME.get(self)
        if found is None:
            from planner.forms.chinchilla import ChinchillaParams

            shrink = FLOPS_PER_PARAM_TOKEN**-self.eta
            found = _SAME[self] = ChinchillaParams(
                alpha=2 * self.eta, beta=2 * self.eta, E=self.E, A=self.a * shrink, B=self.b * shrink
            )
        return found

    def overtrained_loss(self, C: float, M: float) -> float:
        """The loss at C FLOPs and M tokens per parameter, in the paper's own symbols."""
        return float(self.E + (self.a * M**self.eta + self.b * M**-self.eta) * C**-self.eta)

    @property
    def optimal_tokens_per_param(self) -> float:
        """M* = (b / a)^(1 / (2 eta)), where a M^eta + b M^-eta is least at every C (our algebra)."""
        return float(math.exp(math.log(self.b / self.a) / (2 * self.eta)))

    @property
    def irreducible_loss(self) -> float:
        """E: the loss no finite model or data set goes below."""
        return self.E


class ErrorMap(Record, eq=False):
    """Err(L) = epsilon - k exp(-gamma L): loss to the average top-1 error over a task suite."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    suite: str
    """Which tasks the error is averaged over, in words."""
    tasks: Annotated[int, Bound(ge=1)]
    """How many tasks."""
    k: Positive
    gamma: Positive
    epsilon: Positive
    locator: str

    def error(self, L: float) -> float:
        """The average top-1 error (a fraction) that loss L maps to."""
        return float(self.epsilon - self.k * math.exp(-self.gamma * L))


class OvertrainingLaw(Law, kw_only=True, eq=False):
    """A law of the form L(C, M) = E + (a M^eta + b M^-eta) C^-eta, with its error maps."""

    approach: ClassVar[str] = "loss L(N, D) of over-trained runs, with an error proxy"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["overtraining"]
    params: OvertrainingParams
    error_maps: tuple[ErrorMap, ...] = ()
    """Loss to average top-1 error, one map per task suite the source fitted."""

    off_optimum: ClassVar[str | None] = None

    def error_proxies(self, loss: float) -> tuple[tuple[str, int, float], ...]:
        """(suite, tasks, average top-1 error) for `loss` under each of the law's error maps."""
        return tuple((each.suite, each.tasks, each.error(loss)) for each in self.error_maps)

    def why_not_compared(self) -> str:
        """Its optimum at fixed C is an artifact of the fit (the law file's caveats say why)."""
        optimum = self.params.optimal_tokens_per_param
        return (
            f"it predicts the loss of a given (N, D); its optimum at fixed C, {optimum:.2g} tokens "
            f"per parameter at every budget, is no sizing advice; use it to price a given run"
        )


LAW = OvertrainingLaw
