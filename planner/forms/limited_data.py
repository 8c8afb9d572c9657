"""A Chinchilla-form law under a finite supply of unique tokens: Muennighoff et al.'s pricing.

Muennighoff et al. 2023, "Scaling Data-Constrained Language Models", arXiv 2305.16264, as
written in the authors' repository (huggingface/datablations, README "Parametric Fit"):

    R_D = max(D / U_D - 1, 0)                  repetitions beyond the first epoch
    D'  = U_D + U_D R_D* (1 - exp(-R_D / R_D*))            effective data
    U_N = min(N, N_opt(U_D)),  R_N = max(N / U_N - 1, 0)    excess parameters
    N'  = U_N + U_N R_N* (1 - exp(-R_N / R_N*))            effective parameters
    L   = E + A / N'^alpha + B / D'^beta

N_opt(U_D) = G (G U_D)^(beta/alpha) is Chinchilla's compute-optimal N for a run of U_D
tokens (Hoffmann et al. 2022, arXiv 2203.15556, Eq. 4 solved for N given D), with the
law's own constants. U_D is the unique tokens *seen*: min(U, D) for a supply of U unique
tokens, as the repository's `optimal_allocation` does (`U = min(U_BASE, D)`).

The allocation under C = 6ND has no closed form (the authors use a grid search); here it
is found by `planner.optimize.minimize` over log N. Used by the chinchilla and
data-constrained forms; not a form itself. Pure maths: no I/O, no user errors.
"""

from __future__ import annotations

import math

from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

ROUNDING = 1e-12
"""N within this relative distance of N_opt(U_D) is not in excess: the inverse allocation
N_opt(D_opt(C)) = N_opt(C) holds only to rounding, and the kink must not move the optimum."""

SCAN_E_FOLDS = 25.0
"""The solver scans N over N_opt(C) e^(+-25), a factor of 7e10 each way (inside 1 <= N <= C/6)."""


if TYPE_CHECKING:  # protocols: only type checkers read them

    class Coefficients(Protocol):
        """The Chinchilla-form parameters the pricing reads (see planner.forms.chinchilla)."""

        @property
        def alpha(self) -> float:
            """The exponent on N."""

        @property
        def beta(self) -> float:
            """The exponent on D."""

        @property
        def coefficients(self) -> tuple[float, float, float]:
            """(E, A, B)."""

        def optimal_params(self, C: float) -> float:
            """Chinchilla's compute-optimal N at C."""


def effective_data(D: float, U_D: float, R_D_star: float) -> float:
    """D' for D training tokens drawn from U_D unique ones (U_D <= D)."""
    R_D = max(D / U_D - 1.0, 0.0)
    return U_D + U_D * R_D_star * -math.expm1(-R_D / R_D_star)


def effective_params(N: float, U_N: float, R_N_star: float) -> float:
    """N' for N parameters of which U_N are worth their full value (U_N <= N)."""
    R_N = max(N / U_N - 1.0, 0.0)
    return U_N + U_N * R_N_star * -math.expm1(-R_N / R_N_star)


class LimitedDataForm:
    """A Chinchilla-form law with U unique tokens available and decay constants R_D*, R_N*.

    Satisfies planner.forms.base.Limited (`optimal_params`, `budget_loss`, `plan_loss`), so a
    plan under limited data is made the same way as any other. A plain class with slots:
    only plans with a data limit build one, and it needs no generated methods.
    """

    __slots__ = ("R_D_star", "R_N_star", "U", "law")

    def __init__(self, law: Coefficients, U: float, R_D_star: float, R_N_star: float) -> None:
        self.law = law
        self.U = U
        self.R_D_star = R_D_star
        self.R_N_star = R_N_star

    def unique_params(self, U_D: float) -> float:
        """N_opt(U_D) = G (G U_D)^(beta/alpha): the N for which U_D tokens are compute-optimal."""
        _, A, B = self.law.coefficients
        alpha, beta = self.law.alpha, self.law.beta
        G = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
        return float(G * (G * U_D) ** (beta / alpha))

    def effective(self, N: float, D: float) -> tuple[float, float]:
        """(N', D'): what N parameters trained on D tokens are worth."""
        U_D = min(self.U, D)
        useful = self.unique_params(U_D)
        U_N = useful if N / useful - 1.0 > ROUNDING else N
        return effective_params(N, U_N, self.R_N_star), effective_data(D, U_D, self.R_D_star)

    @property
    def saturation(self) -> float:
        """U (1 + R_D*): the effective data no number of epochs reaches."""
        return self.U * (1.0 + self.R_D_star)

    def loss(self, N: float, D: float) -> float:
        """Predicted loss of N parameters trained on D tokens from this supply."""
        E, A, B = self.law.coefficients
        N_eff, D_eff = self.effective(N, D)
        return float(E + A / N_eff**self.law.alpha + B / D_eff**self.law.beta)

    def budget_loss(self, C: float, N: float) -> float:
        """Loss of N parameters on the budget line C = 6ND."""
        return self.loss(N, C / (FLOPS_PER_PARAM_TOKEN * N))

    def plan_loss(self, C: float, N: float) -> float:
        """The loss a plan of N parameters at C reports: the budget-line loss."""
        return self.budget_loss(C, N)

    def optimal_params(self, C: float) -> float:
        """N minimising the loss on the budget line C = 6ND, D free to exceed U.

        Where the supply covers Chinchilla's optimal D, that split is the answer exactly:
        N' <= N and D' <= D everywhere, with equality there. Otherwise a scan of log N over
        N_opt(C) e^(+-25) brackets the minimum and golden-section search refines it.
        """
        free = self.law.optimal_params(C)
        if C / (FLOPS_PER_PARAM_TOKEN * free) <= self.U:
            return free
        low = max(math.log(free) - SCAN_E_FOLDS, 0.0)
        high = min(math.log(free) + SCAN_E_FOLDS, math.log(C / FLOPS_PER_PARAM_TOKEN))
        if not low < high:  # under 6 FLOPs: nothing to choose
            return free
        from planner.optimize import minimize

        best, _ = minimize(lambda log_n: self.budget_loss(C, math.exp(log_n)), low, high)
        return math.exp(best)
