"""Kaplan et al.'s joint law in model size and data, L(N, D).

Kaplan et al. 2020, "Scaling Laws for Neural Language Models", arXiv 2001.08361,
Eq. (1.5): L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D, fitted in Table 2.
Pure maths; the allocation under C = 6ND is derived below, not printed in the paper.
"""

from __future__ import annotations

import math

from planner.forms.base import Law
from planner.laws.format import STRICT, Exponent, Positive
from planner.optimize import flops_for_loss, frontier_loss
from planner.records import Record
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal

    import numpy as np
    from numpy.typing import NDArray

LOWEST_BRACKET = 1e20
"""Where the search for the least compute reaching a loss starts, stepping up by decades."""


class KaplanNDParams(Record, eq=False):
    """alpha_N, alpha_D, N_c (non-embedding parameters), D_c (tokens), as in Table 2."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D"
    FRONTIER_BUDGET_METHOD: ClassVar[str] = "bisection of the monotone frontier loss in log C"

    irreducible_loss: ClassVar[float] = 0.0
    """Eq. (1.5) has no irreducible term: it tends to zero with unlimited N and D."""

    alpha_N: Exponent
    alpha_D: Exponent
    N_c: Positive
    D_c: Positive

    def loss(self, N: float, D: float) -> float:
        """Predicted early-stopped loss of N parameters trained on D tokens, Eq. (1.5)."""
        return float(((self.N_c / N) ** (self.alpha_N / self.alpha_D) + self.D_c / D) ** self.alpha_D)

    def optimal_params(self, C: float) -> float:
        """N minimising Eq. (1.5) on the budget line D = C / (6N).

        The outer power is monotone, so minimise the bracket g(N) = N_c^p N^-p + 6 D_c N / C,
        p = alpha_N / alpha_D. g is convex in N and g'(N) = 0 at
        N = (p N_c^p C / (6 D_c))^(1 / (p + 1)); our derivation, checked against a dense
        grid search in the tests.
        """
        p = self.alpha_N / self.alpha_D
        # N_c^p overflows for large p; work in logs instead.
        log_n = (
            math.log(p) + p * math.log(self.N_c) + math.log(C) - math.log(FLOPS_PER_PARAM_TOKEN * self.D_c)
        ) / (p + 1.0)
        return math.exp(log_n)

    def budget_loss(self, C: float, N: float) -> float:
        """Loss of N parameters on the budget line C = 6ND."""
        return self.loss(N, C / (FLOPS_PER_PARAM_TOKEN * N))

    def plan_loss(self, C: float, N: float) -> float:
        """The loss a plan of N parameters at C reports: the budget-line loss."""
        return self.budget_loss(C, N)

    def frontier_budget(self, L: float) -> float:
        """The least C whose compute-optimal loss is L; inf beyond floating point.

        The frontier loss has no closed-form inverse here, but it falls monotonically with
        C: step up from LOWEST_BRACKET by decades until it reaches L, then bisect.
        """
        upper = LOWEST_BRACKET
        while frontier_loss(self, upper) > L:
            upper *= 10.0
            if upper > 1e300:
                return math.inf
        return flops_for_loss(self, L, upper)

    def _log_scale(self) -> float:
        """k in ln N_opt = (k + ln C) / (p + 1), from `optimal_params`."""
        p = self.alpha_N / self.alpha_D
        return math.log(p) + p * math.log(self.N_c) - math.log(FLOPS_PER_PARAM_TOKEN * self.D_c)

    def budget_for_params(self, N: float) -> float:
        """The C at which N is compute-optimal: `optimal_params` solved for C (our algebra)."""
        p = self.alpha_N / self.alpha_D
        return math.exp((p + 1.0) * math.log(N) - self._log_scale())

    def budget_for_tokens(self, D: float) -> float:
        """The C at which D = C / (6 N_opt(C)) tokens: ln D = ln C p/(p+1) - ln 6 - k/(p+1)."""
        p = self.alpha_N / self.alpha_D
        log_d = math.log(D) + math.log(FLOPS_PER_PARAM_TOKEN) + self._log_scale() / (p + 1.0)
        return math.exp(log_d * (p + 1.0) / p)

    def tokens_for_loss(self, N: float, L: float) -> float:
        """D at which N parameters reach loss L, Eq. (1.5) solved for D; inf where N cannot."""
        room = L ** (1.0 / self.alpha_D) - (self.N_c / N) ** (self.alpha_N / self.alpha_D)
        return math.inf if room <= 0 else self.D_c / room

    def params_floor(self, L: float) -> float:
        """The N that reaches loss L only with unlimited data: N_c L^(-1/alpha_N)."""
        return float(self.N_c * L ** (-1.0 / self.alpha_N))

    def data_to_reach(self, N: float, performance: float) -> float:
        """D at which N parameters reach `performance` of their infinite-data loss.

        Eq. (4.3) with L(N, inf) / L(N, D) = performance, solved for D (our algebra):
        (1 + (N / N_c)^p D_c / D)^alpha_D = 1 / performance, p = alpha_N / alpha_D, so
        D = D_c (N / N_c)^p / (performance^(-1 / alpha_D) - 1).
        """
        p = self.alpha_N / self.alpha_D
        excess = math.expm1(-math.log(performance) / self.alpha_D)
        return math.exp(math.log(self.D_c) + p * (math.log(N) - math.log(self.N_c)) - math.log(excess))

    # Arrays of budgets (planner.planning.columns): the formulas above, in the same order.

    def optimal_params_array(self, C: NDArray[np.float64]) -> NDArray[np.float64]:
        """`optimal_params` for an array of budgets."""
        import numpy as np

        p = self.alpha_N / self.alpha_D
        scale = math.log(p) + p * math.log(self.N_c)
        result: NDArray[np.float64] = np.exp(
            (scale + np.log(C) - math.log(FLOPS_PER_PARAM_TOKEN * self.D_c)) / (p + 1.0)
        )
        return result

    def budget_loss_array(self, C: NDArray[np.float64], N: NDArray[np.float64]) -> NDArray[np.float64]:
        """`budget_loss` for arrays of budgets and sizes, Eq. (1.5) on C = 6ND."""
        D = C / (FLOPS_PER_PARAM_TOKEN * N)
        result: NDArray[np.float64] = (
            (self.N_c / N) ** (self.alpha_N / self.alpha_D) + self.D_c / D
        ) ** self.alpha_D
        return result

    def plan_loss_array(self, C: NDArray[np.float64], N: NDArray[np.float64]) -> NDArray[np.float64]:
        """`plan_loss` for arrays: the budget-line loss."""
        return self.budget_loss_array(C, N)


class KaplanNDLaw(Law, kw_only=True, eq=False):
    """A law of the form L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D."""

    approach: ClassVar[str] = "loss L(N, D)"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["kaplan-nd"]
    params: KaplanNDParams

    off_optimum: ClassVar[str | None] = None

    def data_to_reach(self, params: float, performance: float) -> float:
        """Eq. (4.3) solved for D, see KaplanNDParams.data_to_reach."""
        return self.params.data_to_reach(params, performance)


LAW = KaplanNDLaw
