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
    from collections.abc import Callable
    from typing import Any, Protocol

    import numpy as np
    from numpy.typing import NDArray

    Floats = NDArray[np.float64]

ROUNDING = 1e-12
"""N within this relative distance of N_opt(U_D) is not in excess: the inverse allocation
N_opt(D_opt(C)) = N_opt(C) holds only to rounding, and the kink must not move the optimum."""

SCAN_E_FOLDS = 25.0
"""The solver scans N over N_opt(C) e^(+-25), a factor of 7e10 each way (inside 1 <= N <= C/6)."""
NEAR = 0.5
"""Half-width in ln N of the search near a known optimum: two scan steps of the full search."""


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

        def optimal_params_array(self, C: Floats) -> Floats:
            """Chinchilla's compute-optimal N at each budget of an array."""

        def draw_terms(self, draws: Any) -> tuple[list[float], ...]:
            """Per draw of the parameters: E, A, B, alpha, beta, log G and beta / (alpha + beta)."""


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

    def with_params(self, law: Coefficients) -> LimitedDataForm:
        """The same supply and decay under other parameters (a draw of them, for intervals)."""
        return LimitedDataForm(law, self.U, self.R_D_star, self.R_N_star)

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

    # Arrays of budgets (planner.planning.columns): the methods above for many budgets at
    # once, the same formulas in the same order, and the same search row by row.

    def unique_params_array(self, U_D: Floats) -> Floats:
        """`unique_params` for an array of unique token counts."""
        _, A, B = self.law.coefficients
        alpha, beta = self.law.alpha, self.law.beta
        G = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
        result: Floats = G * (G * U_D) ** (beta / alpha)
        return result

    def effective_array(self, N: Floats, D: Floats) -> tuple[Floats, Floats]:
        """`effective` for arrays: (N', D') of N parameters trained on D tokens."""
        import numpy as np

        U_D = np.minimum(self.U, D)
        useful = self.unique_params_array(U_D)
        U_N = np.where(N / useful - 1.0 > ROUNDING, useful, N)
        R_N = np.maximum(N / U_N - 1.0, 0.0)
        R_D = np.maximum(D / U_D - 1.0, 0.0)
        N_eff = U_N + U_N * self.R_N_star * -np.expm1(-R_N / self.R_N_star)
        D_eff = U_D + U_D * self.R_D_star * -np.expm1(-R_D / self.R_D_star)
        return N_eff, D_eff

    def budget_loss_array(self, C: Floats, N: Floats) -> Floats:
        """`budget_loss` for arrays of budgets and sizes (broadcast against each other)."""
        E, A, B = self.law.coefficients
        N_eff, D_eff = self.effective_array(N, C / (FLOPS_PER_PARAM_TOKEN * N))
        result: Floats = E + A / N_eff**self.law.alpha + B / D_eff**self.law.beta
        return result

    def plan_loss_array(self, C: Floats, N: Floats) -> Floats:
        """`plan_loss` for arrays: the budget-line loss."""
        return self.budget_loss_array(C, N)

    def optimal_params_array(self, C: Floats) -> Floats:
        """`optimal_params` for an array of budgets: the same scan of log N (the same points)
        and golden-section refinement of its dips (the same tolerance), on every budget at once.

        The loss is so flat at these optima that N is fixed only to about 1e-5 relative in
        floating point (the scalar search lands anywhere in that flat bottom too); the loss
        there is the same to rounding. Dips of the scan on one flat bottom (ties) are refined once.
        """
        import numpy as np

        free = self.law.optimal_params_array(C)
        log_free = np.log(free)
        low = np.maximum(log_free - SCAN_E_FOLDS, 0.0)
        high = np.minimum(log_free + SCAN_E_FOLDS, np.log(C / FLOPS_PER_PARAM_TOKEN))
        searched = np.flatnonzero((C / (FLOPS_PER_PARAM_TOKEN * free) > self.U) & (low < high))
        result = free.copy()
        if searched.size:
            result[searched] = np.exp(
                minimize_rows(self._search_loss(C[searched]), low[searched], high[searched])
            )
        return result

    def optimal_params_near_array(
        self, C: Floats, N: Floats, near: float = NEAR, tol: float = 1e-9
    ) -> Floats:
        """`optimal_params` at budgets C whose optimum is known to lie within `near` e-folds of
        N (a budget a hair away from one already solved): golden-section search only there,
        to `tol` in ln N. A row whose answer lands on an edge of a bracket narrower than
        NEAR (its optimum lay beyond) is searched again within NEAR, to 1e-9."""
        import numpy as np

        free = self.law.optimal_params_array(C)
        low = np.maximum(np.log(free) - SCAN_E_FOLDS, 0.0)
        high = np.minimum(np.log(free) + SCAN_E_FOLDS, np.log(C / FLOPS_PER_PARAM_TOKEN))
        searched = np.flatnonzero((C / (FLOPS_PER_PARAM_TOKEN * free) > self.U) & (low < high))
        result = free.copy()
        if searched.size:
            centre = np.log(N[searched])
            lows = np.maximum(centre - near, low[searched])
            highs = np.minimum(centre + near, high[searched])
            x, _ = golden_section_rows(self._search_loss(C[searched]), lows, highs, tol)
            result[searched] = np.exp(x)
            if near < NEAR:
                edge = ((x - lows <= 2 * tol) & (lows > low[searched])) | (
                    (highs - x <= 2 * tol) & (highs < high[searched])
                )
                again = searched[edge]
                if again.size:
                    result[again] = self.optimal_params_near_array(C[again], N[again])
        return result

    def _search_loss(self, C: Floats, terms: tuple[Floats, ...] | None = None) -> Callable[..., Floats]:
        """The loss at log N for budgets C (row r at C[r], or C[which] where given), for the
        search only: `budget_loss` rewritten in place, in logs where that saves a power.

        `terms`, for draws of the parameters: per-row arrays (E, A, B, alpha, beta) in
        place of the law's own, row r's constants for row r's budget."""
        import numpy as np

        E: Any
        A: Any
        B: Any
        alpha: Any
        beta: Any
        if terms is None:
            E, A, B = self.law.coefficients
            alpha, beta = self.law.alpha, self.law.beta
            log_G: Any = math.log((alpha * A / (beta * B)) ** (1.0 / (alpha + beta)))
        else:
            E, A, B, alpha, beta = terms
            log_G = np.log(alpha * A / (beta * B)) / (alpha + beta)
        ratio = beta / alpha
        shift = log_G * (1.0 + ratio)  # ln N_opt(U_D) = shift + (beta/alpha) ln U_D
        log_U = math.log(self.U)
        per_N, per_D = 1.0 / self.R_N_star, 1.0 / self.R_D_star
        sixth = C / FLOPS_PER_PARAM_TOKEN
        log_sixth = np.log(sixth)

        def loss(log_n: Floats, which: NDArray[np.intp] | None = None) -> Floats:
            shape = (-1,) + (1,) * (log_n.ndim - 1)

            def row(value: Any) -> Any:
                if terms is None and value is not sixth and value is not log_sixth:
                    return value  # one constant for every row
                return (value if which is None else value[which]).reshape(shape)

            c6, log_c6 = row(sixth), row(log_sixth)
            N = np.exp(log_n)
            D = c6 / N
            useful = np.subtract(log_c6, log_n)  # ln D, then ln U_D, then N_opt(U_D)
            np.minimum(useful, log_U, out=useful)
            useful *= row(ratio)
            useful += row(shift)
            np.exp(useful, out=useful)
            U_D = np.minimum(D, self.U)
            D /= self.U  # R_D + 1, then the repeats' worth
            _worth(D, per_D, self.R_D_star)
            D *= U_D  # D'
            np.power(D, -row(beta), out=D)
            D *= row(B)
            excess = np.divide(N, useful)  # R_N + 1, then the excess's worth
            np.minimum(N, useful, out=N)  # U_N
            _worth(excess, per_N, self.R_N_star)
            excess *= N  # N'
            np.power(excess, -row(alpha), out=excess)
            excess *= row(A)
            D += excess
            D += row(E)
            result: Floats = D
            return result

        return loss

    def draw_plans(self, draws: Any, C: float, low: float, high: float) -> tuple[list[float], list[float]]:
        """(log N, loss) of each draw's plan at C, N within [low, high]: `optimal_params` and
        `plan_loss` under each draw of the law's parameters (planner.planning.intervals), all
        draws searched at once by the scan and golden sections of `optimal_params_array`."""
        import numpy as np

        E, A, B, alpha, beta, log_G, share = (
            np.asarray(c) for c in draws.derived("chinchilla", self.law.draw_terms)
        )
        rows = E.size
        budgets = np.full(rows, float(C))
        log_free = log_G + share * math.log(C / FLOPS_PER_PARAM_TOKEN)
        free = np.exp(log_free)
        lows = np.maximum(log_free - SCAN_E_FOLDS, 0.0)
        highs = np.minimum(log_free + SCAN_E_FOLDS, math.log(C / FLOPS_PER_PARAM_TOKEN))
        searched = np.flatnonzero((C / (FLOPS_PER_PARAM_TOKEN * free) > self.U) & (lows < highs))
        terms = (E, A, B, alpha, beta)
        sizes = free.copy()
        if searched.size:
            picked = tuple(t[searched] for t in terms)
            found = minimize_rows(
                self._search_loss(budgets[searched], picked), lows[searched], highs[searched]
            )
            sizes[searched] = np.exp(found)
        log_sizes = np.log(np.clip(sizes, low, high))
        losses = self._search_loss(budgets, terms)(log_sizes)
        return log_sizes.tolist(), losses.tolist()


FADED = 40.0
"""Repeats worth 1 - exp(-40) of a unique token count as worth one: the rest is below rounding."""


def _worth(ratio: Floats, per: float, star: float) -> None:
    """In place, ratio = R + 1 (repeats or excess, plus one) becomes what the whole is worth
    in units of the unique part: 1 + R* (1 - exp(-R / R*)), as effective_data and
    effective_params give it (per = 1 / R*)."""
    import numpy as np

    ratio -= 1.0
    np.maximum(ratio, 0.0, out=ratio)
    ratio *= -per
    np.maximum(ratio, -FADED, out=ratio)  # exp() of less is below rounding of 1, and slow
    np.exp(ratio, out=ratio)
    np.subtract(1.0, ratio, out=ratio)
    ratio *= star
    ratio += 1.0


ROWS_PER_SCAN = 256
"""Budgets scanned together: 201 points each, so the temporaries stay in the CPU's cache."""


def minimize_rows(
    f: Callable[[Floats, NDArray[np.intp]], Floats],
    low: Floats,
    high: Floats,
    *,
    steps: int = 200,
    tol: float = 1e-9,
    most: int = 5,
) -> Floats:
    """planner.optimize.minimize on each row; returns each row's best x.

    Row r is its own function: f(x, which) gives, for x of shape (len(which),) or
    (len(which), k), the values of the functions of rows `which` at their points. The same
    scan points and golden-section tolerance as the scalar search; of the `most` lowest dips
    of the scan, those on the flat bottom of a dip already refined (a run of equal values)
    are skipped. The scan goes ROWS_PER_SCAN rows at a time; the refinement, all at once.
    """
    import numpy as np

    best_x, best_f = np.empty_like(low), np.empty_like(low)
    found: list[tuple[NDArray[np.intp], Floats, Floats, int]] = []  # (rows, lows, highs, rank)
    for start in range(0, low.size, ROWS_PER_SCAN):
        rows = np.arange(start, min(start + ROWS_PER_SCAN, low.size))
        here = np.arange(rows.size)
        step = (high[rows] - low[rows]) / steps
        xs = low[rows, None] + np.arange(steps + 1) * step[:, None]
        xs[:, steps] = high[rows]
        values = f(xs, rows)
        best = np.argmin(values, axis=1)
        best_x[rows], best_f[rows] = xs[here, best], values[here, best]
        dip = np.ones(values.shape, dtype=bool)
        dip[:, 1:] = values[:, 1:] <= values[:, :-1]
        dip[:, :-1] &= values[:, :-1] <= values[:, 1:]
        count = np.count_nonzero(dip, axis=1)
        single = np.flatnonzero(count == 1)  # most rows: one dip, the scan's lowest point
        if single.size:
            i = best[single]
            found.append(
                (rows[single], xs[single, np.maximum(i - 1, 0)], xs[single, np.minimum(i + 1, steps)], 0)
            )
        multi = np.flatnonzero(count > 1)
        if not multi.size:
            continue
        values, dip, count, xs = values[multi], dip[multi], count[multi], xs[multi]
        here = np.arange(multi.size)
        order = np.argsort(np.where(dip, values, np.inf), axis=1, kind="stable")[:, :most]
        run = np.zeros(values.shape, dtype=np.intp)  # runs of equal values: one flat bottom each
        np.cumsum(values[:, 1:] != values[:, :-1], axis=1, out=run[:, 1:])
        refined = np.full((multi.size, most), -1)
        for k in range(min(most, steps + 1)):
            i = order[:, k]
            basin = run[here, i]
            has = np.flatnonzero((k < count) & (basin[:, None] != refined[:, :k]).all(axis=1))
            refined[has, k] = basin[has]
            i = i[has]
            found.append(
                (rows[multi[has]], xs[has, np.maximum(i - 1, 0)], xs[has, np.minimum(i + 1, steps)], k)
            )
    which = np.concatenate([rows for rows, _, _, _ in found])
    ranks = np.concatenate([np.full(rows.size, k) for rows, _, _, k in found])
    x, fx = golden_section_rows(
        lambda v, rows: f(v, which[rows]),
        np.concatenate([lows for _, lows, _, _ in found]),
        np.concatenate([highs for _, _, highs, _ in found]),
        tol,
    )
    for k in range(most):  # in the scalar's order: the lowest dip first, a later one if better
        picked = np.flatnonzero(ranks == k)
        better = picked[fx[picked] < best_f[which[picked]]]
        best_x[which[better]] = x[better]
        best_f[which[better]] = fx[better]
    return best_x


def golden_section_rows(
    f: Callable[[Floats, NDArray[np.intp]], Floats], low: Floats, high: Floats, tol: float
) -> tuple[Floats, Floats]:
    """planner.optimize.golden_section on each row: (x, f(x)) at a minimum in [low, high].

    f(x, rows) gives the values of rows `rows` (indices into low and high) at x. Each row
    takes the scalar's steps until its bracket is within `tol`; rows that are done leave
    the arrays (each step is then a few whole-array selections, not masked copies). Rows
    go GOLDEN_ROWS at a time, so that a step's arrays stay in the CPU's cache."""
    import numpy as np

    if low.size > GOLDEN_ROWS:
        x_out, f_out = np.empty_like(low), np.empty_like(low)
        for start in range(0, low.size, GOLDEN_ROWS):
            part = slice(start, start + GOLDEN_ROWS)
            offset = start

            def g(x: Floats, rows: NDArray[np.intp], offset: int = offset) -> Floats:
                return f(x, rows + offset)

            x_out[part], f_out[part] = golden_section_rows(g, low[part], high[part], tol)
        return x_out, f_out
    return _golden_section_rows(f, low, high, tol)


GOLDEN_ROWS = 16384
"""Rows of one golden-section search at a time: its dozen arrays fit in a CPU's cache."""


def _golden_section_rows(
    f: Callable[[Floats, NDArray[np.intp]], Floats], low: Floats, high: Floats, tol: float
) -> tuple[Floats, Floats]:
    import numpy as np

    from planner.optimize import INVERSE_PHI

    rows = np.arange(low.size)
    a, b = low.copy(), high.copy()
    c = b - INVERSE_PHI * (b - a)
    d = a + INVERSE_PHI * (b - a)
    fc, fd = f(c, rows), f(d, rows)
    x_out, f_out = np.empty_like(a), np.empty_like(a)
    while True:
        active = b - a > tol
        if not active.all():
            done = ~active
            first = fc[done] <= fd[done]
            x_out[rows[done]] = np.where(first, c[done], d[done])
            f_out[rows[done]] = np.where(first, fc[done], fd[done])
            if not active.any():
                return x_out, f_out
            rows = rows[active]
            a, b, c, d, fc, fd = (v[active] for v in (a, b, c, d, fc, fd))
        left = fc <= fd  # the minimum is in [a, d]: the old c becomes the new d; else in [c, b]
        a, b = np.where(left, a, c), np.where(left, d, b)
        step = b - a
        step *= INVERSE_PHI
        np.negative(step, out=step, where=left)
        x = step
        x += np.where(left, b, a)  # b - phi (b - a) on the high side, a + phi (b - a) on the low
        fx = f(x, rows)
        c, d = np.where(left, x, d), np.where(left, c, x)
        fc, fd = np.where(left, fx, fd), np.where(left, fc, fx)
