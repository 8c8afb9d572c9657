"""The Chinchilla parametric form L(N, D) = E + A / N^alpha + B / D^beta.

Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", arXiv 2203.15556,
Eq. (2) for the form and Eq. (4) for the allocation under C = 6ND. Pure maths. With a
finite supply of unique tokens, repeats are priced by planner.forms.limited_data.
"""

from __future__ import annotations

import math

from planner.forms.base import Law
from planner.laws.format import STRICT, Exponent, Positive
from planner.records import Record
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, ClassVar, Literal

    import numpy as np
    from numpy.typing import NDArray

    from planner.forms.base import Drawn as Draws
    from planner.forms.limited_data import LimitedDataForm


_COEFFICIENTS: dict[ChinchillaParams, tuple[float, float, float]] = {}
"""Each parameter set's (E, A, B), by identity (the records are frozen)."""


class ChinchillaParams(Record, eq=False):
    """E, A, B as printed, or their natural logs where the source prints those."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "L(N, D) = E + A / N^alpha + B / D^beta"
    FRONTIER_BUDGET_METHOD: ClassVar[str] = "closed form (frontier loss solved for C)"

    alpha: Exponent
    beta: Exponent
    E: Positive | None = None
    A: Positive | None = None
    B: Positive | None = None
    log_E: float | None = None
    log_A: float | None = None
    log_B: float | None = None

    def __post_init__(self) -> None:
        for name in ("E", "A", "B"):
            given = [getattr(self, name) is not None, getattr(self, f"log_{name}") is not None]
            if sum(given) != 1:
                raise ValueError(f"give exactly one of '{name}' and 'log_{name}'")

    def _value(self, name: str) -> float:
        plain: float | None = getattr(self, name)
        return plain if plain is not None else math.exp(getattr(self, f"log_{name}"))

    @property
    def coefficients(self) -> tuple[float, float, float]:
        """(E, A, B) in natural units, whichever way the source printed them (worked out once)."""
        found = _COEFFICIENTS.get(self)
        if found is None:
            found = _COEFFICIENTS[self] = (self._value("E"), self._value("A"), self._value("B"))
        return found

    def loss(self, N: float, D: float) -> float:
        """Predicted loss of N parameters trained on D tokens, Eq. (2)."""
        E, A, B = self.coefficients
        return float(E + A / N**self.alpha + B / D**self.beta)

    def optimal_params(self, C: float) -> float:
        """N_opt(C) = G (C/6)^(beta/(alpha+beta)), G = (alpha A / (beta B))^(1/(alpha+beta)), Eq. (4)."""
        _, A, B = self.coefficients
        s = self.alpha + self.beta
        G = (self.alpha * A / (self.beta * B)) ** (1.0 / s)
        return float(G * (C / FLOPS_PER_PARAM_TOKEN) ** (self.beta / s))

    def budget_loss(self, C: float, N: float) -> float:
        """Loss on the budget line C = 6ND; convex in log N, so its minimum is Eq. (4)."""
        return self.loss(N, C / (FLOPS_PER_PARAM_TOKEN * N))

    def plan_loss(self, C: float, N: float) -> float:
        """The loss a plan of N parameters at C reports: the budget-line loss."""
        return self.budget_loss(C, N)

    def plans_of(self, budgets: Sequence[float]) -> list[tuple[float, float]] | None:
        """(optimal_params(C), plan_loss(C, N)) for each budget C, in one pass: the same
        operations in the same order, so the same floats, for a stream of many budgets.
        None where a subclass prices differently (then ask one budget at a time)."""
        cls = type(self)
        if (
            cls.optimal_params is not ChinchillaParams.optimal_params
            or cls.plan_loss is not ChinchillaParams.plan_loss
        ):
            return None
        E, A, B = self.coefficients
        alpha, beta = self.alpha, self.beta
        s = alpha + beta
        G = (alpha * A / (beta * B)) ** (1.0 / s)
        out = []
        for C in budgets:
            N = float(G * (C / FLOPS_PER_PARAM_TOKEN) ** (beta / s))
            D = C / (FLOPS_PER_PARAM_TOKEN * N)
            out.append((N, float(E + A / N**alpha + B / D**beta)))
        return out

    @property
    def irreducible_loss(self) -> float:
        """E: the loss no finite model or data set goes below."""
        return self.coefficients[0]

    # The inverses below are our algebra on Eq. (2) and (4), checked by round trips in the tests.

    def _G(self) -> float:
        _, A, B = self.coefficients
        return float((self.alpha * A / (self.beta * B)) ** (1.0 / (self.alpha + self.beta)))

    def budget_for_params(self, N: float) -> float:
        """The C at which N is compute-optimal: Eq. (4) solved for C, C = 6 (N / G)^(s / beta)."""
        s = self.alpha + self.beta
        return FLOPS_PER_PARAM_TOKEN * float((N / self._G()) ** (s / self.beta))

    def budget_for_tokens(self, D: float) -> float:
        """The C at which D tokens are compute-optimal: D_opt = (C/6)^(alpha/s) / G solved for C."""
        s = self.alpha + self.beta
        return FLOPS_PER_PARAM_TOKEN * float((D * self._G()) ** (s / self.alpha))

    def frontier_budget(self, L: float) -> float:
        """The least C whose compute-optimal loss is L (L above E).

        At the optimum of Eq. (4) both reducible terms scale as (C/6)^(-alpha beta / s), so
        L*(C) = E + K (C/6)^(-alpha beta / s) with K = A G^-alpha + B G^beta, solved for C.
        """
        E, A, B = self.coefficients
        s = self.alpha + self.beta
        G = self._G()
        K = A * G**-self.alpha + B * G**self.beta
        return FLOPS_PER_PARAM_TOKEN * math.exp(
            s / (self.alpha * self.beta) * (math.log(K) - math.log(L - E))
        )

    def tokens_for_loss(self, N: float, L: float) -> float:
        """D at which N parameters reach loss L, from Eq. (2); inf where N alone cannot."""
        E, A, B = self.coefficients
        room = L - E - A / N**self.alpha
        return math.inf if room <= 0 else float((B / room) ** (1.0 / self.beta))

    def params_floor(self, L: float) -> float:
        """The N that reaches loss L only with unlimited data, (A / (L - E))^(1/alpha)."""
        E, A, _ = self.coefficients
        return float((A / (L - E)) ** (1.0 / self.alpha))

    # Draws of the parameters (planner.planning.intervals): the same formulas over columns
    # of draws, one value per draw, for the intervals of a plan without a record per draw.

    @staticmethod
    def draw_terms(draws: Draws) -> tuple[list[float], ...]:
        """Per draw: E, A, B, alpha, beta, log G and beta / (alpha + beta) (see optimal_params)."""
        columns = draws.columns

        def natural(name: str) -> list[float]:
            if name in columns:
                return columns[name]
            return [math.exp(v) for v in columns[f"log_{name}"]]

        E, A, B = natural("E"), natural("A"), natural("B")
        alpha, beta = columns["alpha"], columns["beta"]
        log_G, share = [], []
        for a, b, p, q in zip(A, B, alpha, beta, strict=True):
            s = p + q
            log_G.append(math.log(p * a / (q * b)) / s if s > 0 else math.nan)
            share.append(q / s if s > 0 else math.nan)
        return E, A, B, alpha, beta, log_G, share

    @staticmethod
    def draw_optimum_terms(draws: Draws) -> tuple[list[float], ...]:
        """Per draw: E, log G, beta / (alpha + beta), and the log K and rate of the loss at
        the optimum, E + K (C/6)^-rate. There alpha A N^-alpha = beta B D^-beta (the optimum's
        condition), so the two terms are (1 + alpha / beta) A N^-alpha: with N = G (C/6)^share,
        K = (1 + alpha / beta) A G^-alpha and rate = alpha share."""
        E, A, _, alpha, beta, log_G, share = draws.derived("chinchilla", ChinchillaParams.draw_terms)
        log, log1p = math.log, math.log1p
        log_K = [log(a) - p * g + log1p(p / q) for a, p, q, g in zip(A, alpha, beta, log_G, strict=True)]
        rate = [p * t for p, t in zip(alpha, share, strict=True)]
        return E, log_G, share, log_K, rate

    def draw_frontier(self, draws: Draws) -> tuple[list[float], ...] | None:
        """(E, log G, share, log K, rate) per draw, where each draw's plan without caps is
        ln N = log G + share x and loss E + exp(log K - rate x), x = ln(C/6), exactly as
        draw_plans computes them (planner.planning.tails keeps their tails); None for a
        subclass that plans otherwise."""
        cls = type(self)
        if (
            cls.draw_plans is not ChinchillaParams.draw_plans
            or cls.optimal_params is not ChinchillaParams.optimal_params
            or cls.plan_loss is not ChinchillaParams.plan_loss
        ):
            return None
        found: tuple[list[float], ...] = draws.derived(
            "chinchilla-optimum", ChinchillaParams.draw_optimum_terms
        )
        return found

    @staticmethod
    def kept_draw_terms(draws: Draws) -> dict[str, tuple[list[float], ...]]:
        """What the law index keeps of the draws (planner.planning.draws.payload): the terms
        of a plan without caps, so that a plain plan with intervals need not work them out."""
        return {
            "chinchilla-optimum": draws.derived("chinchilla-optimum", ChinchillaParams.draw_optimum_terms)
        }

    def draw_plans(self, draws: Draws, C: float, low: float, high: float) -> tuple[list[float], list[float]]:
        """(log N, loss) of each draw's plan at C, N kept within [low, high]: optimal_params
        and plan_loss over the draws (NaN where a draw has no optimum). Without a cap, the
        loss at the optimum in one exponential a draw (draw_optimum_terms)."""
        x = math.log(C / FLOPS_PER_PARAM_TOKEN)
        exp, nan = math.exp, math.nan
        if low <= 0 and high == math.inf:
            E, log_G, share, log_K, rate = draws.derived(
                "chinchilla-optimum", ChinchillaParams.draw_optimum_terms
            )
            log_sizes = [g + t * x for g, t in zip(log_G, share, strict=True)]
            try:
                losses = [e + exp(k - r * x) for e, k, r in zip(E, log_K, rate, strict=True)]
            except OverflowError:  # some draw beyond floating point: one at a time
                losses = []
                for e, k, r in zip(E, log_K, rate, strict=True):
                    try:
                        losses.append(e + exp(k - r * x))
                    except OverflowError:
                        losses.append(nan)
            return log_sizes, losses
        E, A, B, alpha, beta, log_G, share = draws.derived("chinchilla", ChinchillaParams.draw_terms)
        floor = math.log(low) if low > 0 else -math.inf
        ceiling = math.log(high) if high < math.inf else math.inf
        log_sizes, losses = [], []
        for e, a, b, p, q, g, t in zip(E, A, B, alpha, beta, log_G, share, strict=True):
            log_n = min(max(g + t * x, floor), ceiling)
            try:  # B / D^beta with ln D = x - ln N
                losses.append(e + a * exp(-p * log_n) + b * exp(q * (log_n - x)))
            except OverflowError:
                log_n = nan
                losses.append(nan)
            log_sizes.append(log_n)
        return log_sizes, losses

    def draw_losses(self, draws: Draws, N: float, D: float) -> list[float]:
        """The loss of N parameters on D tokens under each draw (NaN where it overflows)."""
        E, A, B, alpha, beta, _, _ = draws.derived("chinchilla", ChinchillaParams.draw_terms)
        log_N, log_D = math.log(N), math.log(D)
        exp = math.exp
        try:
            return [
                e + a * exp(-p * log_N) + b * exp(-q * log_D)
                for e, a, b, p, q in zip(E, A, B, alpha, beta, strict=True)
            ]
        except OverflowError:  # some draw beyond floating point: one at a time
            pass
        out = []
        for e, a, b, p, q in zip(E, A, B, alpha, beta, strict=True):
            try:
                out.append(e + a * exp(-p * log_N) + b * exp(-q * log_D))
            except OverflowError:
                out.append(math.nan)
        return out

    def draw_inverse(
        self, draws: Draws, given: str, value: float, aims: list[float] | None = None
    ) -> tuple[list[float], list[float]]:
        """(ln(C/6), ln N) of each draw's answer to an inverse question: the least C whose
        optimum's loss is `aims[i]` (given "loss"; NaN at or below the draw's E), or the C at
        which `value` params ("params") or tokens ("tokens") are optimal, and its N. The
        closed forms of frontier_budget, budget_for_params and budget_for_tokens over the
        draws, in logs: the frontier E + K (C/6)^-rate (draw_optimum_terms, which the law
        index keeps) gives ln(C/6) = (ln K - ln(L - E)) / rate."""
        E, log_G, share, log_K, rate = draws.derived(
            "chinchilla-optimum", ChinchillaParams.draw_optimum_terms
        )
        log, nan = math.log, math.nan
        if given == "loss":
            targets = aims if aims is not None else [value] * len(E)
            xs = [
                (k - log(aim - e)) / r if aim > e else nan
                for aim, e, k, r in zip(targets, E, log_K, rate, strict=True)
            ]
            return xs, [g + t * x for g, t, x in zip(log_G, share, xs, strict=True)]
        log_value = log(value)
        if given == "params":
            return [(log_value - g) / t for g, t in zip(log_G, share, strict=True)], [log_value] * len(E)
        # tokens: D_opt = (C/6) / N_opt, so ln D = (1 - t) ln(C/6) - ln G
        xs = [(log_value + g) / (1 - t) for g, t in zip(log_G, share, strict=True)]
        return xs, [x - log_value for x in xs]

    def draw_plan_losses(self, draws: Draws, log_c6: list[float], log_sizes: list[float]) -> list[float]:
        """The loss of each draw's plan of exp(log_sizes[i]) parameters at 6 exp(log_c6[i])
        FLOPs (NaN where none)."""
        E, A, B, alpha, beta, _, _ = draws.derived("chinchilla", ChinchillaParams.draw_terms)
        exp = math.exp
        out = []
        for e, a, b, p, q, x, n in zip(E, A, B, alpha, beta, log_c6, log_sizes, strict=True):
            try:  # ln D = ln(C/6) - ln N
                out.append(e + a * exp(-p * n) + b * exp(q * (n - x)))
            except (ArithmeticError, ValueError):
                out.append(math.nan)
        return out

    def draw_plans_array(
        self, draws: Draws, C: NDArray[np.float64], low: NDArray[np.float64], high: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """`draw_plans` for an array of budgets, N within [low, high] of each: (log N, loss),
        one row per budget and one column per draw, in logs where that saves a power (the
        same values to rounding)."""
        import numpy as np

        def make(found: Draws) -> tuple[NDArray[np.float64], ...]:
            return tuple(
                np.asarray(c)[None, :] for c in found.derived("chinchilla", ChinchillaParams.draw_terms)
            )

        E, A, B, alpha, beta, log_G, share = draws.derived("chinchilla-array", make)
        x = np.log(C / FLOPS_PER_PARAM_TOKEN)[:, None]
        log_N = share * x
        log_N += log_G
        if (low > 0).any() or (high < math.inf).any():
            with np.errstate(divide="ignore"):  # log 0 is -inf: no lower bound
                np.clip(log_N, np.log(low)[:, None], np.log(high)[:, None], out=log_N)
        log_D = x - log_N
        log_D *= -beta
        np.exp(log_D, out=log_D)
        log_D *= B
        loss = log_N * -alpha
        np.exp(loss, out=loss)
        loss *= A
        loss += log_D
        loss += E
        return log_N, loss

    # Arrays of budgets (planner.planning.columns): the same formulas, written in the same
    # order as the scalar methods above so that each result matches them to rounding.

    def optimal_params_array(self, C: NDArray[np.float64]) -> NDArray[np.float64]:
        """`optimal_params` for an array of budgets, Eq. (4)."""
        _, A, B = self.coefficients
        s = self.alpha + self.beta
        G = (self.alpha * A / (self.beta * B)) ** (1.0 / s)
        result: NDArray[np.float64] = G * (C / FLOPS_PER_PARAM_TOKEN) ** (self.beta / s)
        return result

    def budget_loss_array(self, C: NDArray[np.float64], N: NDArray[np.float64]) -> NDArray[np.float64]:
        """`budget_loss` for arrays of budgets and sizes, Eq. (2) on C = 6ND."""
        E, A, B = self.coefficients
        D = C / (FLOPS_PER_PARAM_TOKEN * N)
        result: NDArray[np.float64] = E + A / N**self.alpha + B / D**self.beta
        return result

    def plan_loss_array(self, C: NDArray[np.float64], N: NDArray[np.float64]) -> NDArray[np.float64]:
        """`plan_loss` for arrays: the budget-line loss."""
        return self.budget_loss_array(C, N)


class ChinchillaLaw(Law, kw_only=True, eq=False):
    """A law of the form L(N, D) = E + A / N^alpha + B / D^beta."""

    approach: ClassVar[str] = "loss L(N, D)"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["chinchilla"]
    params: ChinchillaParams

    off_optimum: ClassVar[str | None] = None

    def limited(self, unique_tokens: float, decay: tuple[float, float]) -> LimitedDataForm:
        """Chinchilla's law with `unique_tokens` available, repeats priced by `decay`."""
        from planner.forms.limited_data import LimitedDataForm

        return LimitedDataForm(self.params, unique_tokens, *decay)


LAW = ChinchillaLaw
